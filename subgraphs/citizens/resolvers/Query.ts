import { badUserInput } from '../../kit/errors';
import { keysetPageRequest, pageRequest, toKeysetPage, toPage } from '../../kit/pagination';
import { foldVietnamese, likeLiteral } from '../../kit/text';
import type { QueryResolvers } from '../__generated__/resolvers-types';

export const Query: QueryResolvers = {
  citizen: (_parent, { id }, context) => context.citizenById.load(id),

  citizens: async (_parent, { filter, first, after }, context, info) => {
    // By offset, not by key: a key cursor would carry a personal id out of the sharing rules' and
    // the disclosure log's sight.
    const page = pageRequest({ first, after }, info);
    const name = filter?.name == null ? null : foldVietnamese(filter.name);
    if (name !== null && name.length < 2) {
      throw badUserInput('Tên tìm kiếm cần ít nhất 2 ký tự. (A name search needs at least 2 characters.)', { argument: 'filter.name' });
    }
    const rows = await context.store.search(
      {
        nameFolded: name === null ? null : likeLiteral(name),
        communeCode: filter?.communeCode ?? null,
        communeEdition: filter?.communeEdition ?? 'TWO_LEVEL',
        bornFrom: filter?.bornFrom ?? null,
        bornTo: filter?.bornTo ?? null,
        gender: filter?.gender ?? null,
      },
      page,
    );
    for (const row of rows) context.citizenById.prime(row.id, row);
    return toPage(rows, page);
  },

  household: (_parent, { id }, context) => context.householdById.load(id),

  populationByCommune: async (_parent, { edition, first, after }, context, info) => {
    const page = keysetPageRequest({ first, after }, info);
    return toKeysetPage(await context.store.populationByCommune(edition, page), page, (row) => row.commune_code);
  },
};
