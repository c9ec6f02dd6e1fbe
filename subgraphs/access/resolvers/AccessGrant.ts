import { pageSize } from '../../kit/pagination';
import type { AccessGrantResolvers } from '../__generated__/resolvers-types';
import { visibleGrant } from '../visibility';

export const AccessGrant: AccessGrantResolvers = {
  __resolveReference: (reference, context) => visibleGrant(context, reference.id),
  id: (row) => row.id,
  request: async (row, _args, context) => {
    const request = await context.requestById.load(row.request_id);
    // The foreign key guarantees the request; its absence is a corrupted ledger.
    if (!request) throw new Error(`grant ${row.id} has no request row`);
    return request;
  },
  consumer: (row) => ({ code: row.consumer_agency }),
  provider: (row) => ({ code: row.provider_agency }),
  fields: (row) => row.fields,
  validFrom: (row) => row.valid_from,
  validUntil: (row) => row.valid_until,
  status: (row) => row.status,
  usable: (row) => row.usable,
  statusReason: (row) => row.status_reason,
  statusChangedAt: (row) => row.status_changed_at.toISOString(),
  createdAt: (row) => row.created_at.toISOString(),
  history: (row, { first }, context) => context.eventsByGrant(pageSize(first)).load(row.id),
};
