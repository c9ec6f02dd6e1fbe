import type { CommunePopulationResolvers } from '../__generated__/resolvers-types';

export const CommunePopulation: CommunePopulationResolvers = {
  commune: (row) => ({ code: row.commune_code, edition: row.commune_edition }),
  residents: (row) => row.residents,
};
