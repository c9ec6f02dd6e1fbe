import type { CitizenResolvers } from '../__generated__/resolvers-types';

export const Citizen: CitizenResolvers = {
  __resolveReference: (reference, context) => context.citizenById.load(reference.id),
  id: (row) => row.id,
  fullName: (row) => row.full_name,
  gender: (row) => row.gender,
  dateOfBirth: (row) => row.date_of_birth,
  ethnicGroup: (row) => ({ code: row.ethnic_group_code }),
  addressLine: (row) => row.address_line,
  commune: (row) => ({ code: row.commune_code, edition: row.commune_edition }),
  addressRegisteredOn: (row) => row.address_registered_on,
  household: (row, _args, context) => (row.household_id ? context.householdById.load(row.household_id) : null),
};
