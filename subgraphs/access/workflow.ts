import type { PoolClient } from 'pg';
import { badUserInput, wrongState } from '../kit/errors';
import { decisionDueAt, vietnamDate } from './calendar';
import type { AccessContext } from './context';
import { agencyName, knownAgency } from './directory';
import { requestableFields } from './fields';
import { checkWindow, ledgerId, requiredText } from './input';
import { keptText } from '../kit/text';
import { decisionMessage, submittedMessage, transitionMessage } from './messages';
import { forbidden, isPartyOrGovernance, requireOfficial, requireProviderOwner, type Official } from './policy';
import type { GrantRow, GrantStatus, NotificationKind, RequestRow, StoredGrantStatus } from './store';

/**
 * The special-request workflow (DESIGN.md §6). Each operation checks who is asking, then runs in one
 * transaction that locks the record it changes, writes the change, its audit event, and the
 * notification to the other party: a decision is never recorded without its notification.
 */

export interface RequestAccessInput {
  readonly provider: string;
  readonly fields: readonly string[];
  readonly purpose: string;
  readonly legalBasis: string;
  readonly validFrom: string;
  readonly validUntil?: string | null;
}

/** Runs `work` in the caller's transaction when given one (the seed replays many operations in one), else in its own. */
function inTransaction<T>(context: AccessContext, client: PoolClient | undefined, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return client ? work(client) : context.db.transaction(work);
}

function written<T>(row: T | null, what: string): T {
  // INSERT/UPDATE … RETURNING on a row locked in the same transaction always returns it.
  if (row === null) throw new Error(`the ledger lost the ${what} it was writing`);
  return row;
}

function notFound(vi: string, en: string): never {
  throw badUserInput(`Không tìm thấy ${vi}. (No such ${en}.)`, { argument: 'id' });
}

async function notify(
  context: AccessContext,
  client: PoolClient,
  recipient: string,
  kind: NotificationKind,
  ids: { requestId: string | null; grantId: string | null },
  message: string,
  at: Date,
): Promise<void> {
  await context.store.insertNotification({ id: context.newId(), recipientAgency: recipient, kind, ...ids, message, at }, client);
}

/** Submits a request from the caller's agency; the provider is notified. */
export async function submitRequest(context: AccessContext, input: RequestAccessInput, client?: PoolClient): Promise<RequestRow> {
  const official = requireOfficial(context.caller);
  const provider = knownAgency(input.provider, 'input.provider');
  if (provider === official.agency) {
    throw badUserInput(
      `provider là chính cơ quan của bạn (${provider}): dữ liệu của mình thì không cần yêu cầu; hãy nêu cơ quan cung cấp các trường này. ` +
        `(provider names your own agency, ${provider}: an agency needs no request for its own data; name the agency that provides these fields.)`,
      { argument: 'input.provider' },
    );
  }
  const fields = requestableFields(context.catalogue, provider, input.fields);
  const purpose = requiredText(input.purpose, 'input.purpose', 'mục đích khai thác', 'A purpose');
  const legalBasis = requiredText(input.legalBasis, 'input.legalBasis', 'căn cứ pháp lý', 'A legal basis');
  const now = context.now();
  const validUntil = input.validUntil ?? null;
  checkWindow(input.validFrom, validUntil, vietnamDate(now), 'input.validUntil');
  return inTransaction(context, client, async (client) => {
    // The same request sent again while the first waits (a retry, a double click) is that request:
    // the provider's inbox gets one.
    const asked = { consumerAgency: official.agency, providerAgency: provider, fields, purpose, legalBasis, validFrom: input.validFrom, validUntil };
    const twin = await context.store.pendingTwin(asked, client);
    if (twin) return twin;
    const request = written(
      await context.store.insertRequest({ ...asked, id: context.newId(), requestedBy: official.officialId, submittedAt: now }, client),
      'request',
    );
    const ids = { requestId: request.id, grantId: null };
    await notify(context, client, provider, 'REQUEST_SUBMITTED', ids, submittedMessage(request, decisionDueAt(now)), now);
    return request;
  });
}

/** Locks a request for a decision by an owner of its provider; refuses anything but PENDING. */
async function pendingRequest(context: AccessContext, client: PoolClient, id: string): Promise<{ request: RequestRow; official: Official }> {
  const request = (await context.store.requestForUpdate(id, client)) ?? notFound('yêu cầu', 'request');
  // To an agency that is no party to it, a request does not exist, as accessRequest(id) answers.
  if (context.caller.kind === 'official' && !isPartyOrGovernance(context.caller, request.consumer_agency, request.provider_agency)) notFound('yêu cầu', 'request');
  const official = requireProviderOwner(context.caller, request.provider_agency);
  if (request.status !== 'PENDING') {
    throw wrongState(`Yêu cầu đã ở trạng thái ${request.status}; chỉ yêu cầu PENDING mới được quyết định. (The request is already ${request.status}; only a PENDING request can be decided.)`, 'id', request.status);
  }
  return { request, official };
}

/**
 * Approves a pending request and creates its grant, valid from the requested first day until
 * `validUntil` when given, else the requested last day (possibly open-ended, Art. 14.5). The
 * consumer is notified. Returns the decided request and the new grant.
 */
export async function approveRequest(
  context: AccessContext,
  id: string,
  validUntil: string | null,
  client?: PoolClient,
): Promise<{ request: RequestRow; grant: GrantRow }> {
  requireOfficial(context.caller);
  const requestId = ledgerId(id);
  const now = context.now();
  const today = vietnamDate(now);
  const { decided, grant } = await inTransaction(context, client, async (client) => {
    const { request, official } = await pendingRequest(context, client, requestId);
    // The graph may have changed since the request: a field no longer served (or no longer
    // SPECIAL_REQUEST, or no longer this provider's) is granted to no one. Refuse it instead, with a reason.
    requestableFields(context.catalogue, request.provider_agency, request.fields, 'id');
    const until = validUntil ?? request.valid_until;
    checkWindow(request.valid_from, until, today, 'validUntil');
    const by = official.officialId;
    const decided = written(await context.store.decideRequest(requestId, { status: 'APPROVED', at: now, by, reason: null }, client), 'request');
    const grant = written(
      await context.store.insertGrant(
        today,
        { id: context.newId(), requestId, consumerAgency: request.consumer_agency, providerAgency: request.provider_agency,
          fields: request.fields, validFrom: request.valid_from, validUntil: until, reason: null, at: now, by },
        client,
      ),
      'grant',
    );
    await context.store.insertGrantEvent(
      { grantId: grant.id, from: null, to: 'ACTIVE', actor: by, actorAgency: official.agency, reason: 'Phê duyệt yêu cầu (request approved)', at: now },
      client,
    );
    await notify(context, client, request.consumer_agency, 'REQUEST_APPROVED', { requestId, grantId: grant.id }, decisionMessage(decided, grant), now);
    return { decided, grant };
  });
  context.grantByRequest.prime(requestId, grant);
  context.grantById.prime(grant.id, grant);
  return { request: decided, grant };
}

/** Refuses a pending request; the reason is required and is sent to the consumer (Quy chế, Điều 16.1.đ). */
export async function refuseRequest(context: AccessContext, id: string, reason: string, client?: PoolClient): Promise<RequestRow> {
  requireOfficial(context.caller);
  const requestId = ledgerId(id);
  const now = context.now();
  return inTransaction(context, client, async (client) => {
    const { request, official } = await pendingRequest(context, client, requestId);
    const why = requiredText(reason, 'reason', 'lý do từ chối', 'A refusal reason');
    const decided = written(
      await context.store.decideRequest(requestId, { status: 'REFUSED', at: now, by: official.officialId, reason: why }, client),
      'request',
    );
    await notify(context, client, request.consumer_agency, 'REQUEST_REFUSED', { requestId, grantId: null }, decisionMessage(decided, null), now);
    return decided;
  });
}

/**
 * Withdraws a pending request, by an official of its consumer agency (sent by mistake, no longer
 * needed); the provider is notified. A reason is optional. To an agency that is no party to it, the
 * request does not exist; the provider may not withdraw it (it refuses instead).
 */
export async function withdrawRequest(context: AccessContext, id: string, reason: string | null, client?: PoolClient): Promise<RequestRow> {
  const official = requireOfficial(context.caller);
  const requestId = ledgerId(id);
  const why = reason === null || keptText(reason) === '' ? null : requiredText(reason, 'reason', 'lý do rút yêu cầu', 'A withdrawal reason');
  const now = context.now();
  return inTransaction(context, client, async (client) => {
    const request = (await context.store.requestForUpdate(requestId, client)) ?? notFound('yêu cầu', 'request');
    if (!isPartyOrGovernance(official, request.consumer_agency, request.provider_agency)) notFound('yêu cầu', 'request');
    if (official.agency !== request.consumer_agency) {
      throw forbidden(
        `Chỉ bên khai thác (${request.consumer_agency}) rút được yêu cầu của mình; bên cung cấp thì từ chối, kèm lý do.`,
        `Only the consumer (${request.consumer_agency}) may withdraw its request; a provider refuses it, with a reason.`,
        { consumer: request.consumer_agency },
      );
    }
    if (request.status !== 'PENDING') {
      throw wrongState(`Yêu cầu đã ở trạng thái ${request.status}; chỉ yêu cầu PENDING mới rút được. (The request is already ${request.status}; only a PENDING request can be withdrawn.)`, 'id', request.status);
    }
    const withdrawn = written(
      await context.store.decideRequest(requestId, { status: 'WITHDRAWN', at: now, by: official.officialId, reason: why }, client),
      'request',
    );
    const said = why === null ? '' : ` Lý do: ${why}.`;
    const saidEn = why === null ? '' : ` Reason: ${why}.`;
    await notify(
      context,
      client,
      request.provider_agency,
      'REQUEST_WITHDRAWN',
      { requestId, grantId: null },
      `${agencyName(request.consumer_agency)} đã rút yêu cầu khai thác ${request.fields.join(', ')}.${said} (${request.consumer_agency} withdrew its request for ${request.fields.join(', ')}.${saidEn})`,
      now,
    );
    return withdrawn;
  });
}

export type GrantAction = 'suspend' | 'resume' | 'terminate';

const TRANSITIONS: Record<GrantAction, { from: readonly GrantStatus[]; to: StoredGrantStatus; kind: 'GRANT_SUSPENDED' | 'GRANT_RESUMED' | 'GRANT_TERMINATED'; vi: string }> = {
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED', kind: 'GRANT_SUSPENDED', vi: 'tạm dừng' },
  resume: { from: ['SUSPENDED'], to: 'ACTIVE', kind: 'GRANT_RESUMED', vi: 'khôi phục' },
  terminate: { from: ['ACTIVE', 'SUSPENDED'], to: 'TERMINATED', kind: 'GRANT_TERMINATED', vi: 'chấm dứt' },
};

/**
 * Suspends, resumes or terminates a grant (Quy chế, Điều 16.1.g and 16.2.h), by an owner of its
 * provider, with a reason. The state checked is the one of today: an EXPIRED or TERMINATED grant
 * is final.
 */
export async function transitionGrant(
  context: AccessContext,
  action: GrantAction,
  id: string,
  reason: string,
  client?: PoolClient,
): Promise<GrantRow> {
  requireOfficial(context.caller);
  const grantId = ledgerId(id);
  const transition = TRANSITIONS[action];
  const now = context.now();
  const today = vietnamDate(now);
  const updated = await inTransaction(context, client, async (client) => {
    const grant = (await context.store.grantForUpdate(today, grantId, client)) ?? notFound('quyền khai thác', 'grant');
    // As for a request: to an agency that is no party to it, a grant does not exist.
    if (context.caller.kind === 'official' && !isPartyOrGovernance(context.caller, grant.consumer_agency, grant.provider_agency)) notFound('quyền khai thác', 'grant');
    const official = requireProviderOwner(context.caller, grant.provider_agency);
    const why = requiredText(reason, 'reason', 'lý do', 'A reason');
    if (!transition.from.includes(grant.status)) {
      throw wrongState(`Không thể ${transition.vi} quyền đang ở trạng thái ${grant.status}. (Cannot ${action} a grant that is ${grant.status}.)`, 'id', grant.status);
    }
    const by = official.officialId;
    const changed = written(await context.store.updateGrantStatus(today, grantId, { status: transition.to, reason: why, at: now, by }, client), 'grant');
    await context.store.insertGrantEvent(
      { grantId, from: grant.stored_status, to: transition.to, actor: by, actorAgency: official.agency, reason: why, at: now },
      client,
    );
    await notify(context, client, grant.consumer_agency, transition.kind, { requestId: grant.request_id, grantId }, transitionMessage(transition.kind, changed, why), now);
    return changed;
  });
  context.grantById.prime(grantId, updated);
  return updated;
}
