import { badUserInput } from '../../kit/errors';
import { positionPageRequest, toPositionPage } from '../../kit/pagination';
import type { QueryResolvers } from '../__generated__/resolvers-types';
import { vietnamDate } from '../calendar';
import { DISCLOSURE_POSITION, GAP_POSITION, USAGE_POSITION } from '../disclosures';
import { feedbackPage, feedbackTicket, FEEDBACK_POSITION } from '../feedback';
import { ROW_POSITION } from '../store';
import { isGovernance, requireCitizen, requireGovernance, requireOfficial } from '../policy';
import { visibleGrant, visibleRequest } from '../visibility';
import { knownAgency } from '../directory';

/**
 * Who sees what is decided here, not by the category of the fields: an agency sees the requests and
 * grants it is a party to, governance sees everything, a citizen sees only their own consents.
 */
export const Query: QueryResolvers = {
  myRequests: async (_parent, { status, first, after }, context, info) => {
    const official = requireOfficial(context.caller);
    const page = positionPageRequest({ first, after }, info, ROW_POSITION);
    const rows = await context.store.requestsPage({ consumer: official.agency, provider: null, party: null }, status ?? null, page);
    return toPositionPage(rows, page);
  },

  inbox: async (_parent, { status, first, after }, context, info) => {
    const official = requireOfficial(context.caller);
    const page = positionPageRequest({ first, after }, info, ROW_POSITION);
    const rows = await context.store.requestsPage({ consumer: null, provider: official.agency, party: null }, status ?? null, page);
    return toPositionPage(rows, page);
  },

  requests: async (_parent, { filter, first, after }, context, info) => {
    requireGovernance(context.caller);
    const page = positionPageRequest({ first, after }, info, ROW_POSITION);
    const parties = { consumer: filter?.consumer ?? null, provider: filter?.provider ?? null, party: null };
    const rows = await context.store.requestsPage(parties, filter?.status ?? null, page);
    noneUnderUnknownCodes(rows, after, { 'filter.consumer': parties.consumer, 'filter.provider': parties.provider });
    return toPositionPage(rows, page);
  },

  accessRequest: (_parent, { id }, context) => visibleRequest(context, id),

  grants: async (_parent, { filter, first, after }, context, info) => {
    const official = requireOfficial(context.caller);
    const page = positionPageRequest({ first, after }, info, ROW_POSITION);
    const parties = { consumer: filter?.consumer ?? null, provider: filter?.provider ?? null, party: isGovernance(official) ? null : official.agency };
    const today = vietnamDate(context.now());
    const rows = await context.store.grantsPage(today, parties, filter?.status ?? null, page);
    noneUnderUnknownCodes(rows, after, { 'filter.consumer': parties.consumer, 'filter.provider': parties.provider });
    return toPositionPage(rows, page);
  },

  grant: (_parent, { id }, context) => visibleGrant(context, id),

  notifications: async (_parent, { unreadOnly, first, after }, context, info) => {
    const official = requireOfficial(context.caller);
    const page = positionPageRequest({ first, after }, info, ROW_POSITION);
    return toPositionPage(await context.store.notificationsPage(official.agency, unreadOnly, page), page);
  },

  myConsents: async (_parent, { first, after }, context, info) => {
    const citizen = requireCitizen(context.caller);
    const page = positionPageRequest({ first, after }, info, ROW_POSITION);
    const rows = await context.store.consentsPage(vietnamDate(context.now()), citizen.personalId, page);
    // `subject` lets the sharing rules see whose consents the page holds, even when it is empty.
    return { ...toPositionPage(rows, page), subject: citizen.personalId };
  },

  myDisclosures: async (_parent, { first, after }, context, info) => {
    const citizen = requireCitizen(context.caller);
    const page = positionPageRequest({ first, after }, info, DISCLOSURE_POSITION);
    const rows = await context.disclosures.ofSubject(citizen.personalId, page);
    return { ...toPositionPage(rows, page), subject: citizen.personalId };
  },

  disclosureUsage: async (_parent, { from, to, provider, consumer, first, after }, context, info) => {
    requireGovernance(context.caller);
    if (to < from) throw badUserInput('`to` phải không trước `from`. (`to` must not be before `from`.)', { argument: 'to' });
    const page = positionPageRequest({ first, after }, info, USAGE_POSITION);
    const rows = await context.disclosures.usage(from, to, provider ?? null, consumer ?? null, page);
    noneUnderUnknownCodes(rows, after, { provider, consumer });
    return toPositionPage(rows, page);
  },

  disclosureGaps: async (_parent, { provider, first, after }, context, info) => {
    requireGovernance(context.caller);
    const page = positionPageRequest({ first, after }, info, GAP_POSITION);
    const rows = await context.disclosures.gaps(provider ?? null, page);
    noneUnderUnknownCodes(rows, after, { provider });
    return toPositionPage(rows, page);
  },

  openDataFeedback: async (_parent, { answered, first, after }, context, info) => {
    const page = positionPageRequest({ first, after }, info, FEEDBACK_POSITION);
    return toPositionPage(await feedbackPage(context, answered ?? null, page), page);
  },

  openDataFeedbackTicket: (_parent, { id }, context) => feedbackTicket(context, id),
};

/**
 * Nothing found under an agency code the directory does not know is a mistyped code (or a
 * subgraph's name where an agency's belongs): BAD_USER_INPUT naming the argument, rather than an
 * empty page that reads as "none". Rows under a code since renamed are still found by it.
 */
function noneUnderUnknownCodes(rows: readonly unknown[], after: string | null | undefined, codes: Readonly<Record<string, string | null | undefined>>): void {
  if (rows.length > 0 || after) return;
  for (const [argument, code] of Object.entries(codes)) if (code) knownAgency(code, argument);
}
