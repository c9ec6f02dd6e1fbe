import { pageSize } from '../../kit/pagination';
import type { CitizenResolvers } from '../__generated__/resolvers-types';

const PERSONAL_ID = /^\d{12}$/;

export const Citizen: CitizenResolvers = {
  // The population database is not ours to read: any well-formed id is a citizen here, and one
  // whom this register does not know simply represents no enterprise. A malformed id is no citizen.
  __resolveReference: (reference) => (PERSONAL_ID.test(reference.id) ? { id: reference.id } : null),
  id: (citizen) => citizen.id,
  enterprises: async (citizen, { first }, context) => {
    const rows = await context.enterprisesOfRepresentative(pageSize(first)).load(citizen.id);
    for (const row of rows) context.enterpriseByTaxCode.prime(row.tax_code, row);
    return rows;
  },
};
