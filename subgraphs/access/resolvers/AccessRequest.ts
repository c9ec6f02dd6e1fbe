import type { AccessRequestResolvers } from '../__generated__/resolvers-types';
import { decisionDueAt, isOverdue } from '../calendar';
import { visibleRequest } from '../visibility';

export const AccessRequest: AccessRequestResolvers = {
  __resolveReference: (reference, context) => visibleRequest(context, reference.id),
  id: (row) => row.id,
  consumer: (row) => ({ code: row.consumer_agency }),
  requestedBy: (row) => row.requested_by,
  provider: (row) => ({ code: row.provider_agency }),
  fields: (row) => row.fields,
  purpose: (row) => row.purpose,
  legalBasis: (row) => row.legal_basis,
  validFrom: (row) => row.valid_from,
  validUntil: (row) => row.valid_until,
  status: (row) => row.status,
  submittedAt: (row) => row.submitted_at.toISOString(),
  decisionDueAt: (row) => decisionDueAt(row.submitted_at).toISOString(),
  overdue: (row, _args, context) => isOverdue(row.submitted_at, row.decided_at, context.now()),
  decidedAt: (row) => row.decided_at?.toISOString() ?? null,
  decidedBy: (row) => row.decided_by,
  decisionReason: (row) => row.decision_reason,
  grant: (row, _args, context) => (row.status === 'APPROVED' ? context.grantByRequest.load(row.id) : null),
};
