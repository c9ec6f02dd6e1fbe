import type { AccessNotificationResolvers } from '../__generated__/resolvers-types';
import { visibleFeedback } from '../feedback';

export const AccessNotification: AccessNotificationResolvers = {
  id: (row) => row.id,
  kind: (row) => row.kind,
  message: (row) => row.message,
  // A notification is addressed to a party of its request and grant, so both are the reader's to see.
  request: (row, _args, context) => (row.request_id ? context.requestById.load(row.request_id) : null),
  grant: (row, _args, context) => (row.grant_id ? context.grantById.load(row.grant_id) : null),
  openDataFeedback: (row, _args, context) => (row.feedback_id ? visibleFeedback(context, row.feedback_id) : null),
  createdAt: (row) => row.created_at.toISOString(),
  readAt: (row) => row.read_at?.toISOString() ?? null,
};
