import type { AccessGrantEventResolvers } from '../__generated__/resolvers-types';

export const AccessGrantEvent: AccessGrantEventResolvers = {
  fromStatus: (row) => row.from_status,
  toStatus: (row) => row.to_status,
  actor: (row) => row.actor,
  actorAgency: (row) => ({ code: row.actor_agency }),
  reason: (row) => row.reason,
  at: (row) => row.at.toISOString(),
};
