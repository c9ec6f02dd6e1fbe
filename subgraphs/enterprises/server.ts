import { subjectField } from '../kit/authorisation';
import type { SubgraphDefinition } from '../kit/server';
import { createContext, type EnterprisesContext } from './context';
import { resolvers } from './resolvers';
import { seedEnterprises } from './seed';

/** The business-registration subgraph of the Department of Finance (Sở Tài chính). */
export const enterprises: SubgraphDefinition<EnterprisesContext> = {
  name: 'enterprises',
  dir: __dirname,
  resolvers,
  createContext,
  subjects: { Citizen: subjectField('id'), Enterprise: subjectField('representative_id') },
  seed: seedEnterprises,
};
