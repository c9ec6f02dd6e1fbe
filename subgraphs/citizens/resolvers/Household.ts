import type { HouseholdResolvers } from '../__generated__/resolvers-types';

export const Household: HouseholdResolvers = {
  __resolveReference: (reference, context) => context.householdById.load(reference.id),
  id: (row) => row.id,
  head: async (row, _args, context) => {
    const head = await context.citizenById.load(row.head_id);
    // The foreign key and the seed guarantee a head row; its absence is a corrupted register.
    if (!head) throw new Error(`household ${row.id} has no head row`);
    return head;
  },
  members: (row, _args, context) => context.membersByHousehold.load(row.id),
  commune: (row) => ({ code: row.commune_code, edition: row.commune_edition }),
};
