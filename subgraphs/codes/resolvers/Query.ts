import { badUserInput } from '../../kit/errors';
import { pageRequest, toPage } from '../../kit/pagination';
import { foldVietnamese, likeLiteral } from '../../kit/text';
import type { QueryResolvers } from '../__generated__/resolvers-types';
import { unitWithLineage } from '../context';

export const Query: QueryResolvers = {
  // The lineage (the unit and its ancestors) answers the unit and its names up the chain in one
  // statement; when successors are asked for, they and their lineages come in that statement too.
  administrativeUnit: (_parent, { code, edition }, context, info) => unitWithLineage(context, { code, edition: edition ?? 'TWO_LEVEL' }, info),

  administrativeUnits: async (_parent, { filter, first, after }, context, info) => {
    const page = pageRequest({ first, after }, info);
    const name = filter?.name == null ? null : foldVietnamese(filter.name);
    if (name !== null && name.length < 2) {
      throw badUserInput('Tên tìm kiếm cần ít nhất 2 ký tự. (A name search needs at least 2 characters.)', { argument: 'filter.name' });
    }
    const rows = await context.store.searchUnits(
      {
        edition: filter?.edition ?? 'TWO_LEVEL',
        level: filter?.level ?? null,
        parentCode: filter?.parentCode ?? null,
        namePattern: name === null ? null : likeLiteral(name),
      },
      page,
    );
    for (const row of rows) context.unitByKey.prime(row, row);
    return toPage(rows, page);
  },

  currentUnits: (_parent, { code }, context) => context.successorsOf.load(code),

  ethnicGroups: (_parent, _args, context) => context.store.allEthnicGroups(),
  ethnicGroup: (_parent, { code }, context) => context.ethnicGroupByCode.load(code),

  landUseTypes: (_parent, _args, context) => context.store.allLandUseTypes(),
  landUseType: (_parent, { code }, context) => context.landUseTypeByCode.load(code),

  vsicActivities: (_parent, _args, context) => context.store.allVsicActivities(),
  vsicActivity: (_parent, { code }, context) => context.vsicActivityByCode.load(code),
};
