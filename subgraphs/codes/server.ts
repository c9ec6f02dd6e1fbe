import type { SubgraphDefinition } from '../kit/server';
import { createContext, type CodesContext } from './context';
import { resolvers } from './resolvers';
import { seedCodes } from './seed';

/** The shared code tables of the governing department (Sở Khoa học và Công nghệ, formerly Sở TTTT). */
export const codes: SubgraphDefinition<CodesContext> = {
  name: 'codes',
  dir: __dirname,
  resolvers,
  createContext,
  seed: seedCodes,
};
