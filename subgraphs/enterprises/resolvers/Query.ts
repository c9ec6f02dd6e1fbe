import type { GraphQLResolveInfo } from 'graphql';
import { badUserInput } from '../../kit/errors';
import { argumentsBelow } from '../../kit/lookahead';
import { keysetPageRequest, pageSize, toKeysetPage } from '../../kit/pagination';
import { foldVietnamese, likeLiteral } from '../../kit/text';
import type { QueryResolvers } from '../__generated__/resolvers-types';

/**
 * The page sizes the operation asks of `nodes.businessLines`, as Enterprise.businessLines computes
 * them.
 */
function businessLinePageSizes(info: GraphQLResolveInfo): number[] {
  const sizes = new Set<number>();
  for (const { first } of argumentsBelow(info, ['nodes', 'businessLines'])) {
    try {
      sizes.add(pageSize(typeof first === 'number' ? first : null));
    } catch {
      // Left out: Enterprise.businessLines refuses this size itself.
    }
  }
  return [...sizes];
}

export const Query: QueryResolvers = {
  enterprise: (_parent, { taxCode }, context) => context.enterpriseByTaxCode.load(taxCode),

  // The business lines the page shows come with it, in the search's one statement: each page size's
  // loader is primed, so Enterprise.businessLines still resolves (authorised and recorded) per row.
  enterprises: async (_parent, { filter, first, after }, context, info) => {
    const page = keysetPageRequest({ first, after }, info);
    const name = filter?.name == null ? null : foldVietnamese(filter.name);
    if (name !== null && name.length < 2) {
      throw badUserInput('Tên tìm kiếm cần ít nhất 2 ký tự. (A name search needs at least 2 characters.)', { argument: 'filter.name' });
    }
    const lineSizes = businessLinePageSizes(info);
    const found = await context.store.search(
      {
        nameFolded: name === null ? null : likeLiteral(name),
        communeCode: filter?.communeCode ?? null,
        communeEdition: filter?.communeEdition ?? 'TWO_LEVEL',
        businessLine: filter?.businessLine ?? null,
        status: filter?.status ?? null,
        foundedFrom: filter?.foundedFrom ?? null,
        foundedTo: filter?.foundedTo ?? null,
      },
      page,
      lineSizes.length > 0 ? Math.max(...lineSizes) : null,
    );
    for (const { enterprise, businessLines } of found) {
      context.enterpriseByTaxCode.prime(enterprise.tax_code, enterprise);
      if (businessLines === null) continue;
      for (const size of lineSizes) context.businessLinesOfEnterprise(size).prime(enterprise.tax_code, businessLines.slice(0, size));
    }
    return toKeysetPage(found.map(({ enterprise }) => enterprise), page, (row) => row.tax_code);
  },
};
