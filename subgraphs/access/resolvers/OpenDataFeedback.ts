import type { OpenDataFeedbackResolvers, OpenDataFeedbackTicketResolvers } from '../__generated__/resolvers-types';
import { governanceOnly } from '../../kit/identity';
import { handledByName } from '../feedback';

export const OpenDataFeedback: OpenDataFeedbackResolvers = {
  id: (row) => row.id,
  dataset: (row) => row.dataset,
  kind: (row) => row.kind,
  handledBy: (row) => ({ code: row.handled_by }),
  message: (row) => row.message,
  // Only the agency that answers may reach the sender, through its officials and owners: the
  // governance role, which reads every agency's feedback, never sees personal data, its own agency's included.
  contact: (row, _args, context) => {
    const { caller } = context;
    const answering = caller.kind === 'official' && caller.agency === row.handled_by && !governanceOnly(caller);
    return answering ? row.contact : null;
  },
  receivedAt: (row) => row.received_at.toISOString(),
  reply: (row) => row.reply,
  answeredAt: (row) => row.answered_at?.toISOString() ?? null,
  answeredBy: (row) => row.answered_by,
};

/** The sender's view: status and reply, never the message or the contact. */
export const OpenDataFeedbackTicket: OpenDataFeedbackTicketResolvers = {
  id: (row) => row.id,
  dataset: (row) => row.dataset,
  kind: (row) => row.kind,
  handledBy: (row) => handledByName(row),
  receivedAt: (row) => row.received_at.toISOString(),
  reply: (row) => row.reply,
  answeredAt: (row) => row.answered_at?.toISOString() ?? null,
};
