import { pageSize } from '../../kit/pagination';
import { isTaxCode } from '../../kit/scalars';
import type { EnterpriseResolvers } from '../__generated__/resolvers-types';

export const Enterprise: EnterpriseResolvers = {
  // Any valid tax code is a valid reference here; an enterprise holding no land has no parcels.
  // Representations bypass scalar parsing, so a malformed tax code is refused here (null).
  __resolveReference: (reference) => (isTaxCode(reference.taxCode) ? { __typename: 'Enterprise', taxCode: reference.taxCode } : null),
  taxCode: (enterprise) => enterprise.taxCode,
  landParcels: (enterprise, { first }, context) => {
    const limit = pageSize(first);
    return limit === 0 ? [] : context.parcelsOfEnterprise(limit).load(enterprise.taxCode);
  },
};
