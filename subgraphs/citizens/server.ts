import { subjectField } from '../kit/authorisation';
import type { SubgraphDefinition } from '../kit/server';
import { createContext, type CitizensContext } from './context';
import { resolvers } from './resolvers';
import { seedCitizens } from './seed';

/** The population-data subgraph of the provincial police (Công an tỉnh). */
export const citizens: SubgraphDefinition<CitizensContext> = {
  name: 'citizens',
  dir: __dirname,
  resolvers,
  createContext,
  subjects: { Citizen: subjectField('id'), Household: subjectField('head_id') },
  seed: seedCitizens,
};
