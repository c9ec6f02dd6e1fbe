import type { LandHolderResolvers } from '../__generated__/resolvers-types';

export const LandHolder: LandHolderResolvers = {
  __resolveType: (holder) => holder.__typename,
};
