import { keysetPageRequest, toKeysetPage } from '../../kit/pagination';
import type { QueryResolvers } from '../__generated__/resolvers-types';

export const Query: QueryResolvers = {
  constructionPermit: (_parent, { number }, context) => context.permitByNumber.load(number),

  constructionPermits: async (_parent, { filter, first, after }, context, info) => {
    const page = keysetPageRequest({ first, after }, info);
    const rows = await context.store.search(
      {
        communeCode: filter?.communeCode ?? null,
        communeEdition: filter?.communeEdition ?? 'TWO_LEVEL',
        issuedFrom: filter?.issuedFrom ?? null,
        issuedTo: filter?.issuedTo ?? null,
        status: filter?.status ?? null,
        kind: filter?.kind ?? null,
      },
      page,
    );
    for (const row of rows) context.permitByNumber.prime(row.number, row);
    return toKeysetPage(rows, page, (row) => row.number);
  },
};
