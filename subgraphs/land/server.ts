import { subjectField } from '../kit/authorisation';
import type { SubgraphDefinition } from '../kit/server';
import { createContext, type LandContext } from './context';
import { resolvers } from './resolvers';
import { seedLand } from './seed';

/** The land-register subgraph of Sở Nông nghiệp và Môi trường (formerly Sở Tài nguyên và Môi trường). */
export const land: SubgraphDefinition<LandContext> = {
  name: 'land',
  dir: __dirname,
  resolvers,
  createContext,
  subjects: { Citizen: subjectField('id'), LandUseCertificate: subjectField('holder_citizen_id') },
  seed: seedLand,
};
