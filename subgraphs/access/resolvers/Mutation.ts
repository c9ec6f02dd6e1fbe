import type { MutationResolvers } from '../__generated__/resolvers-types';
import { giveConsent, withdrawConsent } from '../consents';
import { answerFeedback, sendFeedback } from '../feedback';
import { ledgerId } from '../input';
import { requireOfficial } from '../policy';
import { approveRequest, refuseRequest, submitRequest, transitionGrant, withdrawRequest } from '../workflow';

export const Mutation: MutationResolvers = {
  requestAccess: (_parent, { input }, context) => submitRequest(context, input),
  approveRequest: async (_parent, { id, validUntil }, context) => (await approveRequest(context, id, validUntil ?? null)).request,
  refuseRequest: (_parent, { id, reason }, context) => refuseRequest(context, id, reason),
  withdrawRequest: (_parent, { id, reason }, context) => withdrawRequest(context, id, reason ?? null),
  suspendGrant: (_parent, { id, reason }, context) => transitionGrant(context, 'suspend', id, reason),
  resumeGrant: (_parent, { id, reason }, context) => transitionGrant(context, 'resume', id, reason),
  terminateGrant: (_parent, { id, reason }, context) => transitionGrant(context, 'terminate', id, reason),

  markNotificationRead: (_parent, { id }, context) => {
    const official = requireOfficial(context.caller);
    return context.store.markNotificationRead(ledgerId(id), official.agency, context.now());
  },

  giveConsent: (_parent, { agency, fields, validUntil }, context) => giveConsent(context, agency, fields, validUntil ?? null),
  withdrawConsent: (_parent, { id }, context) => withdrawConsent(context, id),

  sendOpenDataFeedback: (_parent, { input }, context) => sendFeedback(context, input),
  answerOpenDataFeedback: (_parent, { id, reply }, context) => answerFeedback(context, id, reply),
};
