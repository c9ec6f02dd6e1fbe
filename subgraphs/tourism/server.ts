import type { SubgraphDefinition } from '../kit/server';
import { createContext, type TourismContext } from './context';
import { resolvers } from './resolvers';
import { seedTourism } from './seed';

/**
 * The heritage and tourist-accommodation subgraph of Sở Văn hóa, Thể thao và Du lịch. It is not in the
 * default composition; it joins the running mesh by publishing to the schema registry.
 */
export const tourism: SubgraphDefinition<TourismContext> = {
  name: 'tourism',
  dir: __dirname,
  resolvers,
  createContext,
  seed: seedTourism,
};
