import type { VsicActivityResolvers } from '../__generated__/resolvers-types';

export const VsicActivity: VsicActivityResolvers = {
  // Representations are untyped JSON: a code that is not a string is no activity.
  __resolveReference: (reference, context) =>
    typeof reference.code === 'string' ? context.vsicActivityByCode.load(reference.code) : null,
  code: (row) => row.code,
  name: (row) => row.name,
};
