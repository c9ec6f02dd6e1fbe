import { keysetPageRequest, toKeysetPage } from '../../kit/pagination';
import type { QueryResolvers } from '../__generated__/resolvers-types';

export const Query: QueryResolvers = {
  heritageSite: (_parent, { code }, context) => context.siteByCode.load(code),

  heritageSites: async (_parent, { filter, first, after }, context, info) => {
    const page = keysetPageRequest({ first, after }, info);
    const rows = await context.store.searchSites(
      { communeCode: filter?.communeCode ?? null, communeEdition: filter?.communeEdition ?? 'TWO_LEVEL', rank: filter?.rank ?? null },
      page,
    );
    for (const row of rows) context.siteByCode.prime(row.code, row);
    return toKeysetPage(rows, page, (row) => row.code);
  },

  accommodation: (_parent, { recognitionNumber }, context) => context.accommodationByNumber.load(recognitionNumber),

  accommodations: async (_parent, { filter, first, after }, context, info) => {
    const page = keysetPageRequest({ first, after }, info);
    const rows = await context.store.searchAccommodations(
      {
        communeCode: filter?.communeCode ?? null,
        communeEdition: filter?.communeEdition ?? 'TWO_LEVEL',
        kind: filter?.kind ?? null,
        minStars: filter?.minStars ?? null,
      },
      page,
    );
    for (const row of rows) context.accommodationByNumber.prime(row.recognition_number, row);
    return toKeysetPage(rows, page, (row) => row.recognition_number);
  },
};
