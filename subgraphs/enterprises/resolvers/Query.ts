import { badUserInput } from '../../kit/errors';
import { pageRequest, toPage } from '../../kit/pagination';
import { foldVietnamese } from '../../kit/text';
import type { QueryResolvers } from '../__generated__/resolvers-types';

/** Makes `%`, `_` and backslashes in a search fragment match themselves inside a LIKE pattern. */
function escapeLike(fragment: string): string {
  return fragment.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export const Query: QueryResolvers = {
  enterprise: (_parent, { taxCode }, context) => context.enterpriseByTaxCode.load(taxCode),

  enterprises: async (_parent, { filter, first, after }, context) => {
    const page = pageRequest({ first, after });
    const name = filter?.name == null ? null : foldVietnamese(filter.name);
    if (name !== null && name.length < 2) {
      throw badUserInput('Tên tìm kiếm cần ít nhất 2 ký tự. (A name search needs at least 2 characters.)', { argument: 'filter.name' });
    }
    const rows = await context.store.search(
      {
        nameFolded: name === null ? null : escapeLike(name),
        communeCode: filter?.communeCode ?? null,
        communeEdition: filter?.communeEdition ?? 'TWO_LEVEL',
        businessLine: filter?.businessLine ?? null,
        status: filter?.status ?? null,
        foundedFrom: filter?.foundedFrom ?? null,
        foundedTo: filter?.foundedTo ?? null,
      },
      page,
    );
    for (const row of rows) context.enterpriseByTaxCode.prime(row.tax_code, row);
    return toPage(rows, page);
  },
};
