import { subjectField } from '../kit/authorisation';
import type { SubgraphDefinition } from '../kit/server';
import { createContext, type ConstructionContext } from './context';
import { resolvers } from './resolvers';
import { seedConstruction } from './seed';

/** The construction-permit subgraph of the provincial Department of Construction (Sở Xây dựng). */
export const construction: SubgraphDefinition<ConstructionContext> = {
  name: 'construction',
  dir: __dirname,
  resolvers,
  createContext,
  subjects: { Citizen: subjectField('id'), ConstructionPermit: subjectField('applicant_citizen_id') },
  seed: seedConstruction,
};
