import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { statement, type Database, type Queries } from '../kit/db';
import { BodyNotUtf8, BodyTooLarge, readBody, sendJson, sendMethodNotAllowed, type Handler } from '../kit/http';
import { POSITION_PART, positionParams, positionSql, withPosition, type Page, type PositionPageRequest } from '../kit/pagination';
import { authenticatedProvider } from './internal-grants';
import { subjectGroups } from '../kit/disclosure';
import { clip } from '../kit/text';
import type { LedgerCopies, LogAnchor } from '../kit/log-admin';
import { MAX_DELIVERY, MAX_DELIVERY_BYTES } from './client';
export { DISCLOSURES_PATH } from './client';

/**
 * The governing department's copy of the providers' disclosure records (DESIGN.md §7): delivered by
 * each provider's outbox relay to POST /internal/disclosures, read by citizens ("who saw my data")
 * and by governance (usage figures, with no personal data).
 */


const SUBJECT = /^\d{12}$/;
const HASH = /^[0-9a-f]{64}$/;

/**
 * Text the ledger keeps at most `max` characters of. A provider logs what it was sent (an operation
 * name is the client's choice, of any length); the ledger's copy keeps the start, and a delivery is
 * never refused, nor the relay held up, for the length of a name.
 */
const clipped = (max: number) => z.string().transform((text) => clip(text, max));

/** One record as a provider's outbox carries it (kit/disclosure.ts DisclosureRecord, plus seq and time). */
const deliveredRecord = z.object({
  seq: z.coerce.number().int().positive(),
  recordedAt: z.string().datetime({ offset: true }),
  requestId: z.string().min(1).pipe(clipped(200)),
  callerKind: z.enum(['official', 'citizen', 'anonymous']),
  consumerAgency: clipped(100).nullable(),
  official: clipped(200).nullable(),
  citizenId: z.string().regex(SUBJECT).nullable(),
  purpose: clipped(1000).nullable(),
  operationName: clipped(500).nullable(),
  fields: z.array(z.object({ field: z.string(), category: z.string() })),
  subjects: z.union([
    z.array(z.object({ fields: z.array(z.string()), subjects: z.array(z.string().regex(SUBJECT)) })),
    // Records a provider wrote before it grouped its subjects (its migration 003).
    z.record(z.string().regex(SUBJECT), z.array(z.string())).transform((bySubject) => subjectGroups(Object.entries(bySubject))),
  ]),
  used: z.array(z.string()),
  refused: z.array(z.object({ field: z.string(), reason: z.string() })),
  /** The record's chain hash; absent from providers that relayed before they sent it. */
  hash: z.string().regex(HASH).optional(),
  /**
   * The record's chain (0–7) and the hash it was sealed on, the hash of the record before it in that
   * chain: absent from providers that relayed before they sent them. Sent together, with the hash.
   */
  chain: z.number().int().min(0).max(7).optional(),
  prevHash: z.string().regex(HASH).optional(),
}).refine((record) => (record.chain === undefined) === (record.prevHash === undefined) && (record.chain === undefined || record.hash !== undefined), {
  message: 'chain and prevHash come together, with hash',
  path: ['chain'],
});
const delivery = z.object({ records: z.array(deliveredRecord).max(MAX_DELIVERY) });
export type DeliveredRecord = z.infer<typeof deliveredRecord>;

const disclosureRow = z.object({
  provider_agency: z.string(),
  request_id: z.string(),
  recorded_at: z.date(),
  caller_kind: z.enum(['official', 'citizen', 'anonymous']),
  consumer_agency: z.string().nullable(),
  official: z.string().nullable(),
  purpose: z.string().nullable(),
  /** The fields disclosed about the subject the row was read for. */
  fields: z.array(z.string()),
  used: z.array(z.string()),
  /** The citizen the row was read for (the data subject). */
  subject: z.string(),
});
/** One disclosure of one citizen's data: the mapper type of GraphQL `DataDisclosure`. */
export type DisclosureRow = z.infer<typeof disclosureRow>;

/** A page of one citizen's disclosures, and whose they are: the mapper type of GraphQL `DataDisclosureConnection`. */
export interface DisclosurePage extends Page<DisclosureRow> {
  readonly subject: string;
}

const usageRow = z.object({
  day: z.string(),
  provider_agency: z.string(),
  consumer: z.string(),
  field: z.string(),
  category: z.string(),
  requests: z.coerce.number(),
});
/** Uses of one field by one consumer on one day: the mapper type of GraphQL `DisclosureUsage`. */
export type UsageRow = z.infer<typeof usageRow>;

/**
 * Stores a delivery, ignoring records already stored, and notes for each agency the fields it read
 * and when (field_readers, migration 005) from the records that are new. The readers are locked in
 * one order, so two deliveries at once cannot deadlock on them.
 */
const receiveDisclosures = statement(
  'receiveDisclosures',
  `WITH stored AS (
   INSERT INTO disclosures (provider_agency, log_seq, request_id, recorded_at, caller_kind, consumer_agency, official, citizen_id,
     purpose, operation_name, fields, subject_ids, subject_fields, used, refused, hash, chain, prev_hash)
   SELECT $1, r.seq, r."requestId", r."recordedAt", r."callerKind", r."consumerAgency", r.official, r."citizenId",
          r.purpose, r."operationName", r.fields,
          ARRAY(SELECT jsonb_array_elements_text(g -> 'subjects') FROM jsonb_array_elements(r.subjects) AS g), r.subjects, r.used, r.refused,
          r.hash, r.chain, r."prevHash"
     FROM jsonb_to_recordset($2::jsonb) AS r(seq bigint, "recordedAt" timestamptz, "requestId" text, "callerKind" text,
          "consumerAgency" text, official text, "citizenId" text, purpose text, "operationName" text, fields jsonb,
          subjects jsonb, used text[], refused jsonb, hash text, chain smallint, "prevHash" text)
   ON CONFLICT (provider_agency, log_seq) DO NOTHING
   RETURNING log_seq, consumer_agency, recorded_at, fields
   ), readers AS (
   INSERT INTO field_readers (consumer_agency, field, last_read)
   -- A provider's clock running ahead cannot keep an agency a reader for longer than it read.
   SELECT s.consumer_agency, f ->> 'field', least(max(s.recorded_at), now())
     FROM stored s CROSS JOIN jsonb_array_elements(s.fields) AS f
    WHERE s.consumer_agency IS NOT NULL
    GROUP BY 1, 2
    ORDER BY 1, 2
   ON CONFLICT (consumer_agency, field) DO UPDATE SET last_read = greatest(field_readers.last_read, EXCLUDED.last_read)
   )
   SELECT log_seq FROM stored`,
  z.object({ log_seq: z.coerce.number() }),
);

/**
 * Deliveries of one provider are taken one at a time, so that each sees the records of the one before
 * it: two relays of one provider (replicas) may deliver overlapping batches at once.
 */
const deliveryLock = statement('ledgerDeliveryLock', `SELECT pg_advisory_xact_lock(470130, hashtext($1))::text AS locked`, z.object({ locked: z.string() }));

/** Whether the ledger holds a record of provider $1 delivered with its chain (index disclosures_by_chain). */
const sendsChains = statement(
  'providerSendsChains',
  `SELECT EXISTS (SELECT 1 FROM disclosures WHERE provider_agency = $1 AND chain IS NOT NULL) AS chained`,
  z.object({ chained: z.boolean() }),
);

/**
 * A delivery holding a record without its chain from a provider whose relay has sent chains: refused
 * whole (409 CHAIN_REQUIRED), so that the ledger checks every record it takes. A relay that left the
 * chain out could otherwise pass a skipped record unseen. An older relay during a rolling upgrade is
 * refused the same way; its records wait in the provider's outbox for the upgraded relay, nothing lost.
 */
export class ChainRequired extends Error {
  override name = 'ChainRequired';
}

/**
 * Of the records just stored ($2, seqs of provider $1), those that do not follow the last record the
 * ledger held of their chain, kept as gaps (migrations 008, 010): sealed on a hash other than that
 * record's (OUT_OF_CHAIN, told apart as SKIPPED or SET_BACK when read: GAP_KIND). A chain's first
 * record follows nothing (64 zeros). A record delivered without its chain (by a relay from before
 * providers sent it, as during a rolling upgrade) is of a chain the ledger cannot tell: one lying
 * between a record and the last of its chain excuses the record if it is the one the record follows,
 * or has no hash to tell by.
 *
 * And of all the records delivered ($3 seqs, $4 hashes, $5 chains), those the ledger already held
 * under their seq with another hash (REWRITTEN): the copy received first is kept.
 */
const detectGaps = statement(
  'detectDisclosureGaps',
  `WITH found AS (
     SELECT f.chain, f.log_seq, f.prev_hash, p.log_seq AS after_seq, p.hash AS after_hash
       FROM disclosures f
       LEFT JOIN LATERAL (
            SELECT d.log_seq, d.hash FROM disclosures d
             WHERE d.provider_agency = $1 AND d.chain = f.chain AND d.log_seq < f.log_seq
             ORDER BY d.log_seq DESC LIMIT 1) p ON true
      WHERE f.provider_agency = $1 AND f.log_seq = ANY($2::bigint[]) AND f.chain IS NOT NULL
   ), broken AS (
   SELECT chain, log_seq, after_seq, 'OUT_OF_CHAIN' AS kind
     FROM found
    WHERE prev_hash IS DISTINCT FROM coalesce(after_hash, repeat('0', 64))
      AND NOT EXISTS (SELECT 1 FROM disclosures o
                       WHERE o.provider_agency = $1 AND o.chain IS NULL
                         AND o.log_seq > coalesce(found.after_seq, -1) AND o.log_seq < found.log_seq
                         AND (o.hash IS NULL OR o.hash = found.prev_hash))
   UNION ALL
   SELECT coalesce(d.chain, r.chain), d.log_seq, NULL, 'REWRITTEN'
     FROM unnest($3::bigint[], $4::text[], $5::smallint[]) AS r(seq, hash, chain)
     JOIN disclosures d ON d.provider_agency = $1 AND d.log_seq = r.seq
    WHERE r.hash IS NOT NULL AND d.hash IS NOT NULL AND r.hash <> d.hash AND coalesce(d.chain, r.chain) IS NOT NULL
   )
   INSERT INTO disclosure_gaps (provider_agency, chain, before_seq, after_seq, kind)
   SELECT $1, chain, log_seq, after_seq, kind FROM broken
   ON CONFLICT DO NOTHING
   RETURNING chain, before_seq::text AS before_seq, after_seq::text AS after_seq, kind`,
  z.object({ chain: z.number(), before_seq: z.string(), after_seq: z.string().nullable(), kind: z.enum(['OUT_OF_CHAIN', 'REWRITTEN']) }),
);

/**
 * A gap's kind as read, in SQL over `g` (disclosure_gaps) and `b` (the ledger's copy of the record
 * after it): a record out of its chain that follows an older record of the chain than the last one
 * received is SET_BACK (the log went on from there: records the ledger holds were removed from it);
 * one that follows a record the ledger never received is SKIPPED. The record it follows is looked up
 * by its hash (index disclosures_by_hash, migration 011).
 */
/** Each gap (`g`) with the ledger's copies of the record after it (`b`) and the last before it (`a`, if any). */
const GAPS_WITH_RECORDS = `disclosure_gaps g
     JOIN disclosures b ON b.provider_agency = g.provider_agency AND b.log_seq = g.before_seq
     LEFT JOIN disclosures a ON a.provider_agency = g.provider_agency AND a.log_seq = g.after_seq`;

const GAP_KIND = `CASE WHEN g.kind <> 'OUT_OF_CHAIN' THEN g.kind
            WHEN EXISTS (SELECT 1 FROM disclosures o
                          WHERE o.hash = b.prev_hash AND o.provider_agency = g.provider_agency AND o.chain = g.chain AND o.log_seq < g.after_seq)
            THEN 'SET_BACK' ELSE 'SKIPPED' END`;

const gapRow = z.object({
  provider_agency: z.string(),
  chain: z.number(),
  before_seq: z.string(),
  after_seq: z.string().nullable(),
  kind: z.enum(['SKIPPED', 'SET_BACK', 'REWRITTEN']),
  detected_at: z.date(),
  /** When the record after the gap, and the last one before it (null: none), were recorded. */
  before_at: z.date(),
  after_at: z.date().nullable(),
});
/** A break in a provider's relayed chain: the mapper type of GraphQL `DisclosureGap`. */
export type GapRow = z.infer<typeof gapRow>;

/** The gaps found, newest first, of one provider or all, a page at a time after the previous page's last ($3–$6). */
const gapsPage = statement(
  'disclosureGaps',
  `SELECT g.provider_agency, g.chain, g.before_seq::text AS before_seq, g.after_seq::text AS after_seq, ${GAP_KIND} AS kind, g.detected_at,
          b.recorded_at AS before_at, a.recorded_at AS after_at,
          ${positionSql('g.detected_at', 'g.provider_agency', 'g.chain::text', 'g.before_seq::text', 'g.kind')} AS position
     FROM ${GAPS_WITH_RECORDS}
    WHERE ($1::text IS NULL OR g.provider_agency = $1)
      AND ($3::timestamptz IS NULL
           OR (g.detected_at, g.provider_agency, g.chain, g.before_seq, g.kind COLLATE "C") < ($3::timestamptz, $4::text, $5::smallint, $6::bigint, $7::text))
    ORDER BY g.detected_at DESC, g.provider_agency DESC, g.chain DESC, g.before_seq DESC, g.kind COLLATE "C" DESC
    LIMIT $2`,
  withPosition(gapRow),
  { plan: 'per-call' },
);

/** A gap as a citizen's view states it: the period of a provider's records the ledger lacks, for the citizen reading. */
export interface GapNoticeRow {
  readonly provider_agency: string;
  readonly after_at: Date | null;
  readonly before_at: Date;
  /** The citizen whose view states it (the data subject the sharing rules check). */
  readonly subject: string;
}

/**
 * The newest 50 periods in which the ledger lacks records, each between the records around a SKIPPED
 * gap. A rewritten record's first copy is the one kept, and a chain set back lost records from the
 * log, not from the ledger: the view lacks nothing there.
 */
const gapPeriods = statement(
  'disclosureGapPeriods',
  `SELECT provider_agency, after_at, before_at FROM (
     SELECT g.provider_agency, g.chain, a.recorded_at AS after_at, b.recorded_at AS before_at, ${GAP_KIND} AS kind
       FROM ${GAPS_WITH_RECORDS}
      WHERE g.kind IN ('OUT_OF_CHAIN', 'SKIPPED')) gaps
    WHERE kind = 'SKIPPED'
    ORDER BY before_at DESC, provider_agency, chain
    LIMIT 50`,
  z.object({ provider_agency: z.string(), after_at: z.date().nullable(), before_at: z.date() }),
);

/**
 * What a cursor of the gaps holds: when the gap was found, its provider, chain, the record after it,
 * and the kind as stored (one record may be both out of its chain and rewritten).
 */
export const GAP_POSITION = [POSITION_PART.time, POSITION_PART.code, POSITION_PART.seq, POSITION_PART.seq, POSITION_PART.text] as const;

const disclosuresOfSubject = statement(
  'disclosuresOfSubject',
  `SELECT provider_agency, request_id, recorded_at, caller_kind, consumer_agency, official, purpose,
          ARRAY(SELECT jsonb_array_elements_text(g -> 'fields') FROM jsonb_array_elements(subject_fields) AS g
                 WHERE g -> 'subjects' ? $1) AS fields, used, $1 AS subject,
          ${positionSql('recorded_at', 'provider_agency', 'log_seq::text')} AS position
     FROM disclosures
    WHERE subject_ids @> ARRAY[$1]::text[]
      AND ($3::timestamptz IS NULL OR (recorded_at, provider_agency, log_seq) < ($3::timestamptz, $4::text, $5::bigint))
    ORDER BY recorded_at DESC, provider_agency DESC, log_seq DESC
    LIMIT $2`,
  withPosition(disclosureRow),
  { plan: 'per-call' },
);

/** What a cursor of a citizen's disclosures holds: the time, the providing agency and its record's number. */
export const DISCLOSURE_POSITION = [POSITION_PART.time, POSITION_PART.code, POSITION_PART.seq] as const;

/**
 * Uses per day, provider, consumer, field and category, in that order, a page at a time after the
 * previous page's last group ($6–$10): a group that appears meanwhile before it (a new consumer of a
 * field today) does not push a group of the next page onto it twice, and the rows of days before the
 * cursor's are not read again. Each group's count is as of the page it is on.
 */
const usage = statement(
  'disclosureUsage',
  `SELECT day, provider_agency, consumer, field, category, requests, ARRAY[day, provider_agency, consumer, field, category] AS position
     FROM (
       SELECT to_char((d.recorded_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 'YYYY-MM-DD') AS day, d.provider_agency,
              coalesce(d.consumer_agency, d.caller_kind) AS consumer, f ->> 'field' AS field, f ->> 'category' AS category,
              count(*) AS requests
         FROM disclosures d CROSS JOIN jsonb_array_elements(d.fields) AS f
        WHERE d.recorded_at >= (greatest($1::date, $6::text::date)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
          AND d.recorded_at < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
          AND ($3::text IS NULL OR d.provider_agency = $3)
          AND ($4::text IS NULL OR coalesce(d.consumer_agency, d.caller_kind) = $4)
        GROUP BY 1, 2, 3, 4, 5
     ) groups
    WHERE $6::text IS NULL
       OR (day COLLATE "C", provider_agency COLLATE "C", consumer COLLATE "C", field COLLATE "C", category COLLATE "C")
          > ($6::text, $7::text, $8::text, $9::text, $10::text)
    ORDER BY day COLLATE "C", provider_agency COLLATE "C", consumer COLLATE "C", field COLLATE "C", category COLLATE "C"
    LIMIT $5`,
  withPosition(usageRow),
  { plan: 'per-call' },
);

/** What a cursor of the usage figures holds: its last group's day, provider, consumer, field and category. */
export const USAGE_POSITION = [POSITION_PART.day, POSITION_PART.code, POSITION_PART.text, POSITION_PART.text, POSITION_PART.text] as const;

/** The ledger's statements over the disclosure copies. */
export function disclosureStore(db: Queries) {
  return {
    /**
     * Stores what `provider` delivered, one delivery of a provider at a time; returns how many were
     * new (a redelivered record is ignored) and the gaps the delivery shows in the provider's chains.
     */
    receive: (provider: string, records: readonly DeliveredRecord[]) =>
      db.transaction(async (client) => {
        const delivered = JSON.stringify(records);
        await db.many(deliveryLock, [provider], client);
        if (records.some((r) => r.chain === undefined)) {
          const chained = records.some((r) => r.chain !== undefined) || (await db.maybeOne(sendsChains, [provider], client))?.chained === true;
          if (chained) throw new ChainRequired(`${provider} delivered a record without its chain after records with one`);
        }
        const stored = await db.many(receiveDisclosures, [provider, delivered], client);
        const gaps = await db.many(
          detectGaps,
          [provider, stored.map((row) => row.log_seq), records.map((r) => r.seq), records.map((r) => r.hash ?? null), records.map((r) => r.chain ?? null)],
          client,
        );
        return { stored: stored.length, gaps };
      }),
    /** The periods the ledger knows it lacks records of, as `subject`'s view of who saw their data states them. */
    gapNotices: async (subject: string): Promise<GapNoticeRow[]> => (await db.many(gapPeriods)).map((row) => ({ ...row, subject })),
    /** One page (plus one row) of the gaps found in the providers' chains (or `provider`'s), newest first. */
    gaps: (provider: string | null, page: PositionPageRequest) => db.many(gapsPage, [provider, page.limit + 1, ...positionParams(page)]),
    /** One page (plus one row) of the disclosures of `personalId`'s data, newest first. */
    ofSubject: (personalId: string, page: PositionPageRequest) =>
      db.many(disclosuresOfSubject, [personalId, page.limit + 1, ...positionParams(page)]),
    /** Uses per day, provider, consumer and field between two Vietnamese calendar days, inclusive. */
    usage: (from: string, to: string, provider: string | null, consumer: string | null, page: PositionPageRequest) =>
      db.many(usage, [from, to, provider, consumer, page.limit + 1, ...positionParams(page)]),
  };
}

/**
 * `POST /internal/disclosures?provider=<agencyCode>`: a provider's outbox delivers up to
 * MAX_DELIVERY records, authenticated like the grants route (only that provider, with its service
 * token). Answers `{ received, stored }`; a record already stored is acknowledged again, so a
 * provider that lost an acknowledgement simply delivers again.
 */
export function disclosuresRoute(db: Database, readerSecret: ((provider: string) => Uint8Array) | null, logger: Logger): Handler {
  const store = disclosureStore(db);
  return async (req, res) => {
    if (req.method !== 'POST') {
      sendMethodNotAllowed(res, ['POST']);
      return;
    }
    const provider = await authenticatedProvider(req, res, readerSecret);
    if (!provider) return;
    let raw: string;
    try {
      raw = await readBody(req, MAX_DELIVERY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendJson(res, 413, { errors: [{ message: 'Quá lớn. (Delivery too large.)', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      if (error instanceof BodyNotUtf8) return sendJson(res, 400, { errors: [{ message: 'Nội dung không phải UTF-8. (The body is not UTF-8.)', extensions: { code: 'BAD_REQUEST' } }] });
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, { errors: [{ message: 'Nội dung không phải JSON. (The body is not JSON.)', extensions: { code: 'BAD_REQUEST' } }] });
    }
    const parsed = delivery.safeParse(body);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') ?? '';
      return sendJson(res, 400, { errors: [{ message: `Bản ghi không hợp lệ tại ${where}. (Malformed record at ${where}.)`, extensions: { code: 'BAD_REQUEST' } }] });
    }
    let received: Awaited<ReturnType<typeof store.receive>>;
    try {
      received = await store.receive(provider, parsed.data.records);
    } catch (error) {
      if (!(error instanceof ChainRequired)) throw error;
      logger.warn({ provider, records: parsed.data.records.length }, 'disclosure records refused: delivered without their chain by a provider that sends chains');
      return sendJson(res, 409, {
        errors: [{
          message: 'Bản ghi phải kèm chuỗi (chain, prevHash): bên cung cấp này đã gửi chuỗi, nên sổ cái không nhận bản ghi thiếu chuỗi; hãy nâng cấp bộ chuyển tiếp, bản ghi vẫn chờ trong hộp thư đi. ' +
            '(Records must carry their chain: this provider has sent chains, so the ledger takes none without; upgrade the relay, the records wait in its outbox.)',
          extensions: { code: 'CHAIN_REQUIRED' },
        }],
      });
    }
    const { stored, gaps } = received;
    // The provider's records are taken whatever their chain shows: the gap is governance's to see.
    for (const gap of gaps) logger.warn({ provider, ...gap }, 'disclosure record out of its chain (records skipped, or the chain set back), or rewritten');
    sendJson(res, 200, { received: parsed.data.records.length, stored });
  };
}

/**
 * The ledger's copies of `provider`'s records, as `verify` reads them (kit/log-admin.ts): seq, chain
 * hash and previous hash, oldest first, page by page, from the ledger's database as its owner. Each
 * says whether the ledger had received it when this was opened (`settled`): open it before `verify`
 * reads the log, so that a record relayed while it runs is not required of the log's snapshot. Close
 * it after.
 */
export async function openLedgerCopies(
  ledgerOwnerUrl: string,
  provider: string,
): Promise<{ readonly copies: LedgerCopies; readonly requestIds: (after: string, limit: number) => Promise<readonly string[]>; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: ledgerOwnerUrl });
  await client.connect();
  const opened = (await client.query<{ at: Date }>('/* ledgerNow */ SELECT now() AS at')).rows[0]?.at;
  return {
    /** The request ids of the provider's records after `after` (a seq), oldest first: which log they came from. */
    requestIds: async (after, limit) =>
      (
        await client.query<{ request_id: string }>(
          `/* ledgerRequestIds */ SELECT request_id FROM disclosures WHERE provider_agency = $1 AND log_seq > $2 ORDER BY log_seq LIMIT $3`,
          [provider, after, limit],
        )
      ).rows.map((row) => row.request_id),
    copies: async (after, limit) =>
      (
        await client.query<LogAnchor>(
          `/* ledgerCopies */ SELECT log_seq::text AS seq, hash, prev_hash AS "prevHash", received_at <= $4 AS settled FROM disclosures
            WHERE provider_agency = $1 AND log_seq > $2 ORDER BY log_seq LIMIT $3`,
          [provider, after, limit, opened],
        )
      ).rows,
    close: () => client.end(),
  };
}
