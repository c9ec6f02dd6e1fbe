import type { HeritageSiteResolvers } from '../__generated__/resolvers-types';

export const HeritageSite: HeritageSiteResolvers = {
  __resolveReference: (reference, context) => context.siteByCode.load(reference.code),
  code: (row) => row.code,
  name: (row) => row.name,
  kind: (row) => row.kind,
  rank: (row) => row.rank,
  rankedOn: (row) => row.ranked_on,
  commune: (row) => ({ code: row.commune_code, edition: row.commune_edition }),
};
