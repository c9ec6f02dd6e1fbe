import type { PoolClient } from 'pg';
import { z } from 'zod';
import { statement, type Queries } from '../kit/db';
import { POSITION_PART, positionParams, positionSql, withPosition, type PositionPageRequest } from '../kit/pagination';

/** What a cursor of the ledger's lists of rows (requests, grants, notifications, consents) holds: the row's time and id. */
export const ROW_POSITION = [POSITION_PART.time, POSITION_PART.uuid] as const;

export const REQUEST_STATUSES = ['PENDING', 'APPROVED', 'REFUSED', 'WITHDRAWN'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** What a grant row stores; EXPIRED is only ever computed (SQL function grant_status). */
export const STORED_GRANT_STATUSES = ['ACTIVE', 'SUSPENDED', 'TERMINATED'] as const;
export type StoredGrantStatus = (typeof STORED_GRANT_STATUSES)[number];
export type GrantStatus = StoredGrantStatus | 'EXPIRED';
export type NotificationKind =
  | 'REQUEST_SUBMITTED'
  | 'REQUEST_APPROVED'
  | 'REQUEST_REFUSED'
  | 'REQUEST_WITHDRAWN'
  | 'GRANT_SUSPENDED'
  | 'GRANT_RESUMED'
  | 'GRANT_TERMINATED';

const requestRow = z.object({
  id: z.string(),
  consumer_agency: z.string(),
  requested_by: z.string(),
  provider_agency: z.string(),
  fields: z.array(z.string()),
  purpose: z.string(),
  legal_basis: z.string(),
  valid_from: z.string(),
  valid_until: z.string().nullable(),
  status: z.enum(REQUEST_STATUSES),
  submitted_at: z.date(),
  decided_at: z.date().nullable(),
  decided_by: z.string().nullable(),
  decision_reason: z.string().nullable(),
});
/** A row of `access_requests`: the mapper type of GraphQL `AccessRequest`. */
export type RequestRow = z.infer<typeof requestRow>;

const grantRow = z.object({
  id: z.string(),
  request_id: z.string(),
  consumer_agency: z.string(),
  provider_agency: z.string(),
  fields: z.array(z.string()),
  valid_from: z.string(),
  valid_until: z.string().nullable(),
  /** The state on the day the row was read (stored state, or EXPIRED past the window). */
  status: z.enum(['ACTIVE', 'SUSPENDED', 'TERMINATED', 'EXPIRED']),
  usable: z.boolean(),
  stored_status: z.enum(STORED_GRANT_STATUSES),
  status_reason: z.string().nullable(),
  status_changed_at: z.date(),
  status_changed_by: z.string(),
  created_at: z.date(),
});
/** A row of `grants` as of one day: the mapper type of GraphQL `AccessGrant`. */
export type GrantRow = z.infer<typeof grantRow>;

const grantEventRow = z.object({
  id: z.coerce.string(),
  grant_id: z.string(),
  from_status: z.enum(STORED_GRANT_STATUSES).nullable(),
  to_status: z.enum(STORED_GRANT_STATUSES),
  actor: z.string(),
  actor_agency: z.string(),
  reason: z.string().nullable(),
  at: z.date(),
});
/** A row of `grant_events`: the mapper type of GraphQL `AccessGrantEvent`. */
export type GrantEventRow = z.infer<typeof grantEventRow>;

const notificationRow = z.object({
  id: z.string(),
  recipient_agency: z.string(),
  kind: z.enum(['REQUEST_SUBMITTED', 'REQUEST_APPROVED', 'REQUEST_REFUSED', 'REQUEST_WITHDRAWN', 'GRANT_SUSPENDED', 'GRANT_RESUMED', 'GRANT_TERMINATED', 'OPEN_DATA_FEEDBACK']),
  request_id: z.string().nullable(),
  grant_id: z.string().nullable(),
  feedback_id: z.string().nullable(),
  message: z.string(),
  created_at: z.date(),
  read_at: z.date().nullable(),
});
/** A row of `notifications`: the mapper type of GraphQL `AccessNotification`. */
export type NotificationRow = z.infer<typeof notificationRow>;

const consentRow = z.object({
  id: z.string(),
  personal_id: z.string(),
  agency: z.string(),
  fields: z.array(z.string()),
  given_at: z.date(),
  valid_until: z.string().nullable(),
  withdrawn_at: z.date().nullable(),
  status: z.enum(['ACTIVE', 'WITHDRAWN', 'EXPIRED']),
});
/** A row of `consents` as of one day: the mapper type of GraphQL `DataConsent`. */
export type ConsentRow = z.infer<typeof consentRow>;

const usableConsentRow = z.object({
  id: z.string(),
  personal_id: z.string(),
  agency: z.string(),
  fields: z.array(z.string()),
  valid_until: z.string().nullable(),
});
export type UsableConsentRow = z.infer<typeof usableConsentRow>;

const REQUEST_COLUMNS = `id, consumer_agency, requested_by, provider_agency, fields, purpose, legal_basis, valid_from,
  valid_until, status, submitted_at, decided_at, decided_by, decision_reason`;
// In every grant and consent statement, $1 is today's date (Vietnam): states are computed on read.
const GRANT_COLUMNS = `id, request_id, consumer_agency, provider_agency, fields, valid_from, valid_until,
  grant_status(status, valid_until, $1::date) AS status, grant_usable(status, valid_from, valid_until, $1::date) AS usable,
  status AS stored_status, status_reason, status_changed_at, status_changed_by, created_at`;
const CONSENT_COLUMNS = `id, personal_id, agency, fields, given_at, valid_until, withdrawn_at,
  consent_status(withdrawn_at, valid_until, $1::date) AS status`;
const NOTIFICATION_COLUMNS = 'id, recipient_agency, kind, request_id, grant_id, feedback_id, message, created_at, read_at';

const insertRequest = statement(
  'insertRequest',
  `INSERT INTO access_requests (id, consumer_agency, requested_by, provider_agency, fields, purpose, legal_basis,
     valid_from, valid_until, status, submitted_at)
   VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8::date, $9::date, 'PENDING', $10)
   RETURNING ${REQUEST_COLUMNS}`,
  requestRow,
);

/** Serialises submissions from one consumer to one provider, so that two identical ones make one request. */
const lockSubmissions = statement('lockSubmissions', `SELECT pg_advisory_xact_lock(hashtext($1 || '>' || $2)) AS locked`, z.unknown());

/** A pending request the same as a new submission: same parties, fields (in any order), purpose, basis and window. */
const pendingTwin = statement(
  'pendingTwin',
  `SELECT ${REQUEST_COLUMNS} FROM access_requests
    WHERE consumer_agency = $1 AND provider_agency = $2 AND status = 'PENDING'
      AND (SELECT array_agg(f ORDER BY f) FROM unnest(fields) AS f) = (SELECT array_agg(f ORDER BY f) FROM unnest($3::text[]) AS f)
      AND purpose = $4 AND legal_basis = $5 AND valid_from = $6::date AND valid_until IS NOT DISTINCT FROM $7::date
    ORDER BY submitted_at, id
    LIMIT 1`,
  requestRow,
);

const requestsByIds = statement('requestsByIds', `SELECT ${REQUEST_COLUMNS} FROM access_requests WHERE id = ANY($1::uuid[])`, requestRow);

const requestForUpdate = statement(
  'requestForUpdate',
  `SELECT ${REQUEST_COLUMNS} FROM access_requests WHERE id = $1::uuid FOR UPDATE`,
  requestRow,
);

const decideRequest = statement(
  'decideRequest',
  `UPDATE access_requests SET status = $2, decided_at = $3, decided_by = $4, decision_reason = $5
    WHERE id = $1::uuid AND status = 'PENDING'
    RETURNING ${REQUEST_COLUMNS}`,
  requestRow,
);

const requestsPage = statement(
  'requestsPage',
  `SELECT ${REQUEST_COLUMNS}, ${positionSql('submitted_at', 'id::text')} AS position FROM access_requests
    WHERE ($1::text IS NULL OR consumer_agency = $1)
      AND ($2::text IS NULL OR provider_agency = $2)
      AND ($3::text IS NULL OR consumer_agency = $3 OR provider_agency = $3)
      AND ($4::text IS NULL OR status = $4)
      AND ($6::timestamptz IS NULL OR (submitted_at, id) < ($6::timestamptz, $7::uuid))
    ORDER BY submitted_at DESC, id DESC
    LIMIT $5`,
  withPosition(requestRow),
  { plan: 'per-call' },
);

const insertGrant = statement(
  'insertGrant',
  `INSERT INTO grants (id, request_id, consumer_agency, provider_agency, fields, valid_from, valid_until, status,
     status_reason, status_changed_at, status_changed_by, created_at)
   VALUES ($2, $3, $4, $5, $6::text[], $7::date, $8::date, 'ACTIVE', $9, $10, $11, $10)
   RETURNING ${GRANT_COLUMNS}`,
  grantRow,
);

const grantsByIds = statement('grantsByIds', `SELECT ${GRANT_COLUMNS} FROM grants WHERE id = ANY($2::uuid[])`, grantRow);

const grantsByRequestIds = statement(
  'grantsByRequestIds',
  `SELECT ${GRANT_COLUMNS} FROM grants WHERE request_id = ANY($2::uuid[])`,
  grantRow,
);

const grantForUpdate = statement('grantForUpdate', `SELECT ${GRANT_COLUMNS} FROM grants WHERE id = $2::uuid FOR UPDATE`, grantRow);

const updateGrantStatus = statement(
  'updateGrantStatus',
  `UPDATE grants SET status = $3, status_reason = $4, status_changed_at = $5, status_changed_by = $6
    WHERE id = $2::uuid
    RETURNING ${GRANT_COLUMNS}`,
  grantRow,
);

const grantsPage = statement(
  'grantsPage',
  `SELECT ${GRANT_COLUMNS}, ${positionSql('created_at', 'id::text')} AS position FROM grants
    WHERE ($2::text IS NULL OR consumer_agency = $2)
      AND ($3::text IS NULL OR provider_agency = $3)
      AND ($4::text IS NULL OR consumer_agency = $4 OR provider_agency = $4)
      AND ($5::text IS NULL OR grant_status(status, valid_until, $1::date) = $5)
      AND ($7::timestamptz IS NULL OR (created_at, id) < ($7::timestamptz, $8::uuid))
    ORDER BY created_at DESC, id DESC
    LIMIT $6`,
  withPosition(grantRow),
  { plan: 'per-call' },
);

/**
 * A provider's grants in force: ACTIVE and not expired, those that have not started yet included, so
 * that the provider can tell a consumer when its grant takes effect (it uses one only from that day).
 */
const grantsInForceOfProvider = statement(
  'grantsInForceOfProvider',
  `SELECT ${GRANT_COLUMNS} FROM grants
    WHERE provider_agency = $2 AND grant_status(status, valid_until, $1::date) = 'ACTIVE'
    ORDER BY created_at, id`,
  grantRow,
);

/** Every agency holding a grant that is neither terminated nor expired (suspended ones included), with the fields it holds. */
const grantHolders = statement(
  'grantHolders',
  `SELECT consumer_agency AS consumer, array_agg(DISTINCT field ORDER BY field) AS fields
     FROM grants, unnest(fields) AS field
    WHERE grant_status(status, valid_until, $1::date) IN ('ACTIVE', 'SUSPENDED')
    GROUP BY consumer_agency
    ORDER BY consumer_agency`,
  z.object({ consumer: z.string(), fields: z.array(z.string()) }),
);

/** Every agency that read a field since $1, with those fields: field_readers (migration 005). */
const fieldReaders = statement(
  'fieldReaders',
  `SELECT consumer_agency AS consumer, array_agg(field ORDER BY field) AS fields
     FROM field_readers
    WHERE last_read >= $1
    GROUP BY consumer_agency
    ORDER BY consumer_agency`,
  z.object({ consumer: z.string(), fields: z.array(z.string()) }),
);

const insertGrantEvent = statement(
  'insertGrantEvent',
  `INSERT INTO grant_events (grant_id, from_status, to_status, actor, actor_agency, reason, at)
   VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  z.unknown(),
);

const grantEventsByGrants = statement(
  'grantEventsByGrants',
  `SELECT id, grant_id, from_status, to_status, actor, actor_agency, reason, at FROM (
     SELECT e.*, row_number() OVER (PARTITION BY grant_id ORDER BY at, id) AS n
       FROM grant_events e WHERE grant_id = ANY($1::uuid[])
   ) ranked
   WHERE n <= $2
   ORDER BY grant_id, n`,
  grantEventRow,
);

const insertNotification = statement(
  'insertNotification',
  `INSERT INTO notifications (id, recipient_agency, kind, request_id, grant_id, message, created_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  z.unknown(),
);

const notificationsPage = statement(
  'notificationsPage',
  `SELECT ${NOTIFICATION_COLUMNS}, ${positionSql('created_at', 'id::text')} AS position FROM notifications
    WHERE recipient_agency = $1 AND (NOT $2::boolean OR read_at IS NULL)
      AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))
    ORDER BY created_at DESC, id DESC
    LIMIT $3`,
  withPosition(notificationRow),
  { plan: 'per-call' },
);

const markNotificationRead = statement(
  'markNotificationRead',
  `UPDATE notifications SET read_at = coalesce(read_at, $3)
    WHERE id = $1::uuid AND recipient_agency = $2
    RETURNING ${NOTIFICATION_COLUMNS}`,
  notificationRow,
);

/** Serialises one person's consents to one agency, so that the same consent given twice at once is one consent. */
const lockConsents = statement('lockConsents', `SELECT pg_advisory_xact_lock(hashtext('consent:' || $1 || '>' || $2)) AS locked`, z.unknown());

/** The person's consent in force that a new one would repeat: same agency, fields (in any order) and end. */
const activeConsentTwin = statement(
  'activeConsentTwin',
  `SELECT ${CONSENT_COLUMNS} FROM consents
    WHERE personal_id = $2 AND agency = $3 AND consent_status(withdrawn_at, valid_until, $1::date) = 'ACTIVE'
      AND (SELECT array_agg(f ORDER BY f) FROM unnest(fields) AS f) = (SELECT array_agg(f ORDER BY f) FROM unnest($4::text[]) AS f)
      AND valid_until IS NOT DISTINCT FROM $5::date
    ORDER BY given_at, id
    LIMIT 1`,
  consentRow,
);

const insertConsent = statement(
  'insertConsent',
  `INSERT INTO consents (id, personal_id, agency, fields, given_at, valid_until)
   VALUES ($2, $3, $4, $5::text[], $6, $7::date)
   RETURNING ${CONSENT_COLUMNS}`,
  consentRow,
);

const consentsPage = statement(
  'consentsPage',
  `SELECT ${CONSENT_COLUMNS}, ${positionSql('given_at', 'id::text')} AS position FROM consents
    WHERE personal_id = $2
      AND ($4::timestamptz IS NULL OR (given_at, id) < ($4::timestamptz, $5::uuid))
    ORDER BY given_at DESC, id DESC
    LIMIT $3`,
  withPosition(consentRow),
  { plan: 'per-call' },
);

const withdrawConsent = statement(
  'withdrawConsent',
  `UPDATE consents SET withdrawn_at = $4
    WHERE id = $2::uuid AND personal_id = $3 AND withdrawn_at IS NULL
    RETURNING ${CONSENT_COLUMNS}`,
  consentRow,
);

const consentOfPerson = statement(
  'consentOfPerson',
  `SELECT ${CONSENT_COLUMNS} FROM consents WHERE id = $2::uuid AND personal_id = $3`,
  consentRow,
);

const usableConsentsForFields = statement(
  'usableConsentsForFields',
  `SELECT id, personal_id, agency, ARRAY(SELECT f FROM unnest(fields) AS f WHERE f = ANY($2::text[])) AS fields, valid_until
     FROM consents
    WHERE withdrawn_at IS NULL AND consent_status(withdrawn_at, valid_until, $1::date) = 'ACTIVE' AND fields && $2::text[]
    ORDER BY given_at, id`,
  usableConsentRow,
);

const countRequests = statement('countRequests', 'SELECT count(*) AS n FROM access_requests', z.object({ n: z.coerce.number() }));

export interface NewRequest {
  readonly id: string;
  readonly consumerAgency: string;
  readonly requestedBy: string;
  readonly providerAgency: string;
  readonly fields: readonly string[];
  readonly purpose: string;
  readonly legalBasis: string;
  readonly validFrom: string;
  readonly validUntil: string | null;
  readonly submittedAt: Date;
}

export interface Decision {
  readonly status: 'APPROVED' | 'REFUSED' | 'WITHDRAWN';
  readonly at: Date;
  readonly by: string;
  readonly reason: string | null;
}

export interface NewGrant {
  readonly id: string;
  readonly requestId: string;
  readonly consumerAgency: string;
  readonly providerAgency: string;
  readonly fields: readonly string[];
  readonly validFrom: string;
  readonly validUntil: string | null;
  readonly reason: string | null;
  readonly at: Date;
  readonly by: string;
}

export interface GrantTransition {
  readonly status: StoredGrantStatus;
  readonly reason: string;
  readonly at: Date;
  readonly by: string;
}

export interface GrantEvent {
  readonly grantId: string;
  readonly from: StoredGrantStatus | null;
  readonly to: StoredGrantStatus;
  readonly actor: string;
  readonly actorAgency: string;
  readonly reason: string | null;
  readonly at: Date;
}

export interface NewNotification {
  readonly id: string;
  readonly recipientAgency: string;
  readonly kind: NotificationKind;
  readonly requestId: string | null;
  readonly grantId: string | null;
  readonly message: string;
  readonly at: Date;
}

export interface NewConsent {
  readonly id: string;
  readonly personalId: string;
  readonly agency: string;
  readonly fields: readonly string[];
  readonly givenAt: Date;
  readonly validUntil: string | null;
}

/** Which requests or grants a listing may return: every filter given must hold. */
export interface PartyFilter {
  readonly consumer: string | null;
  readonly provider: string | null;
  /** The caller's agency when it may see only what it is a party to; null for governance. */
  readonly party: string | null;
}

/**
 * The ledger's statements, every one named and parameterised. Writes take the transaction's
 * client; `today` is the Vietnamese calendar day of the caller's clock.
 */
export function accessStore(db: Queries) {
  return {
    insertRequest: (r: NewRequest, client: PoolClient) =>
      db.maybeOne(insertRequest, [r.id, r.consumerAgency, r.requestedBy, r.providerAgency, r.fields, r.purpose, r.legalBasis,
        r.validFrom, r.validUntil, r.submittedAt], client),
    /** The pending request identical to `r`, if any, with submissions of its two parties serialised until the transaction ends. */
    pendingTwin: async (r: Omit<NewRequest, 'id' | 'requestedBy' | 'submittedAt'>, client: PoolClient) => {
      await db.many(lockSubmissions, [r.consumerAgency, r.providerAgency], client);
      return db.maybeOne(pendingTwin, [r.consumerAgency, r.providerAgency, r.fields, r.purpose, r.legalBasis, r.validFrom, r.validUntil], client);
    },
    requestsByIds: (ids: readonly string[]) => db.many(requestsByIds, [ids]),
    requestForUpdate: (id: string, client: PoolClient) => db.maybeOne(requestForUpdate, [id], client),
    decideRequest: (id: string, d: Decision, client: PoolClient) => db.maybeOne(decideRequest, [id, d.status, d.at, d.by, d.reason], client),
    /** One page (plus one row, to tell whether more follow) of requests, newest first. */
    requestsPage: (filter: PartyFilter, status: RequestStatus | null, page: PositionPageRequest) =>
      db.many(requestsPage, [filter.consumer, filter.provider, filter.party, status, page.limit + 1, ...positionParams(page)]),

    insertGrant: (today: string, g: NewGrant, client: PoolClient) =>
      db.maybeOne(insertGrant, [today, g.id, g.requestId, g.consumerAgency, g.providerAgency, g.fields, g.validFrom, g.validUntil,
        g.reason, g.at, g.by], client),
    grantsByIds: (today: string, ids: readonly string[]) => db.many(grantsByIds, [today, ids]),
    grantsByRequestIds: (today: string, ids: readonly string[]) => db.many(grantsByRequestIds, [today, ids]),
    grantForUpdate: (today: string, id: string, client: PoolClient) => db.maybeOne(grantForUpdate, [today, id], client),
    updateGrantStatus: (today: string, id: string, t: GrantTransition, client: PoolClient) =>
      db.maybeOne(updateGrantStatus, [today, id, t.status, t.reason, t.at, t.by], client),
    /** One page (plus one row) of grants, newest first. */
    grantsPage: (today: string, filter: PartyFilter, status: GrantStatus | null, page: PositionPageRequest) =>
      db.many(grantsPage, [today, filter.consumer, filter.provider, filter.party, status, page.limit + 1, ...positionParams(page)]),
    /** Grants of `provider` that are ACTIVE with `today` inside their window. */
    grantsInForceOfProvider: (today: string, provider: string) => db.many(grantsInForceOfProvider, [today, provider]),
    grantHolders: (today: string) => db.many(grantHolders, [today]),
    fieldReaders: (since: Date) => db.many(fieldReaders, [since]),

    insertGrantEvent: (e: GrantEvent, client: PoolClient) =>
      db.many(insertGrantEvent, [e.grantId, e.from, e.to, e.actor, e.actorAgency, e.reason, e.at], client),
    /** The first `first` events of each grant, oldest first, for all grants in one statement. */
    grantEventsByGrants: (ids: readonly string[], first: number) => db.many(grantEventsByGrants, [ids, first]),

    insertNotification: (n: NewNotification, client: PoolClient) =>
      db.many(insertNotification, [n.id, n.recipientAgency, n.kind, n.requestId, n.grantId, n.message, n.at], client),
    notificationsPage: (recipient: string, unreadOnly: boolean, page: PositionPageRequest) =>
      db.many(notificationsPage, [recipient, unreadOnly, page.limit + 1, ...positionParams(page)]),
    /** Marks read (keeping the first read time); null unless the notification is the recipient's. */
    markNotificationRead: (id: string, recipient: string, at: Date) => db.maybeOne(markNotificationRead, [id, recipient, at]),

    /** The consent in force that `c` repeats, if any, with the person's consents to that agency serialised until the transaction ends. */
    activeConsentTwin: async (today: string, c: Omit<NewConsent, 'id' | 'givenAt'>, client: PoolClient) => {
      await db.many(lockConsents, [c.personalId, c.agency], client);
      return db.maybeOne(activeConsentTwin, [today, c.personalId, c.agency, c.fields, c.validUntil], client);
    },
    insertConsent: (today: string, c: NewConsent, client: PoolClient) =>
      db.maybeOne(insertConsent, [today, c.id, c.personalId, c.agency, c.fields, c.givenAt, c.validUntil], client),
    consentsPage: (today: string, personalId: string, page: PositionPageRequest) =>
      db.many(consentsPage, [today, personalId, page.limit + 1, ...positionParams(page)]),
    consentOfPerson: (today: string, id: string, personalId: string) => db.maybeOne(consentOfPerson, [today, id, personalId]),
    /** Withdraws the person's own consent; null when it is not theirs or already withdrawn. */
    withdrawConsent: (today: string, id: string, personalId: string, at: Date) =>
      db.maybeOne(withdrawConsent, [today, id, personalId, at]),
    /** Consents in force today naming any of `fields`, each cut down to those fields. */
    usableConsentsForFields: (today: string, fields: readonly string[]) => db.many(usableConsentsForFields, [today, fields]),

    countRequests: async () => (await db.maybeOne(countRequests))?.n ?? 0,
  };
}
export type AccessStore = ReturnType<typeof accessStore>;
