import { pageSize } from '../../kit/pagination';
import type { LandParcelResolvers } from '../__generated__/resolvers-types';

export const LandParcel: LandParcelResolvers = {
  // The parcel itself lives in the land subgraph; here it is only the key its permits hang on, so
  // any id resolves (an unknown parcel simply has no permits) and no statement is needed.
  __resolveReference: (reference) => ({ id: reference.id }),
  id: (parcel) => parcel.id,
  constructionPermits: async (parcel, { first }, context) => {
    const limit = pageSize(first);
    const rows = await context.permitsByParcel(limit).load(parcel.id);
    for (const row of rows) context.permitByNumber.prime(row.number, row);
    return rows;
  },
};
