import type { LandUseTypeResolvers } from '../__generated__/resolvers-types';

export const LandUseType: LandUseTypeResolvers = {
  // Representations are untyped JSON: a code that is not a string is no land-use type.
  __resolveReference: (reference, context) =>
    typeof reference.code === 'string' ? context.landUseTypeByCode.load(reference.code) : null,
  code: (row) => row.code,
  name: (row) => row.name,
  group: (row) => row.land_use_group,
};
