import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { statement, type Database } from './db';
import { sendJson, sendMethodNotAllowed, type Handler } from './http';
import { agencyDirectory } from './agency';
import { governanceOnly, type Caller } from './identity';
import { isIsoDate } from './scalars';

/**
 * `GET /disclosure-log` on a provider's subgraph (reached through the gateway's `/disclosure-log`):
 * the provider's own disclosure log, newest first, filtered by consumer, field, data subject and
 * date range, as JSON pages or as one CSV file. The provider's own officials see every record; any
 * other agency's official sees only the records of its own requests. Citizens use `myDisclosures`;
 * governance sees usage figures, not this log, which holds personal data.
 */

/** The largest JSON page; CSV exports stream every matching record in pages of EXPORT_PAGE. */
export const MAX_LOG_PAGE = 100;
const EXPORT_PAGE = 1000;

const day = z.string().refine(isIsoDate, { message: 'phải là ngày YYYY-MM-DD (must be a date YYYY-MM-DD)' });
/** PostgreSQL's largest bigint: a cursor beyond it is no cursor this log ever gave. */
const MAX_SEQ = 9223372036854775807n;
const CURSOR_MESSAGE = 'phải là endCursor của trang trước, với cùng các bộ lọc (must be the endCursor of the previous page, with the same filters)';
const pageSize = `phải là số nguyên từ 1 đến ${MAX_LOG_PAGE} (a whole number from 1 to ${MAX_LOG_PAGE})`;
const filterSchema = z
  .object({
    consumer: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, { message: 'phải là mã cơ quan, ví dụ so-y-te (must be an agency code, e.g. so-y-te)' }).optional(),
    field: z
      .string()
      .regex(/^[A-Z_]\w*\.\w+$/, { message: 'phải có dạng Type.field, ví dụ Citizen.fullName (must be a field coordinate Type.field, e.g. Citizen.fullName)' })
      .optional(),
    subject: z.string().regex(/^\d{12}$/, { message: 'phải là số định danh 12 chữ số (must be a 12-digit personal id)' }).optional(),
    from: day.optional(),
    to: day.optional(),
    first: z
      .string()
      .regex(/^\d{1,6}$/, { message: pageSize })
      .transform(Number)
      .pipe(z.number().int().min(1, { message: pageSize }).max(MAX_LOG_PAGE, { message: pageSize }))
      .default(50),
    after: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, { message: CURSOR_MESSAGE }).optional(),
    format: z.enum(['json', 'csv'], { message: 'phải là json hoặc csv (must be json or csv)' }).default('json'),
  })
  // A parameter this route does not take (a misspelt filter, say) is refused: ignored, it would
  // widen the answer to records nobody asked for.
  .strict()
  .refine((filter) => filter.from === undefined || filter.to === undefined || filter.from <= filter.to, {
    message: 'không được trước from (must not be before from)',
    path: ['to'],
  });
type LogFilter = z.infer<typeof filterSchema>;

const logRow = z.object({
  seq: z.string(),
  recorded_at: z.date(),
  request_id: z.string(),
  caller_kind: z.string(),
  consumer_agency: z.string().nullable(),
  official: z.string().nullable(),
  citizen_id: z.string().nullable(),
  purpose: z.string().nullable(),
  operation_name: z.string().nullable(),
  operation_hash: z.string(),
  fields: z.array(z.object({ field: z.string(), category: z.string() })),
  record_keys: z.array(z.string()),
  subject_ids: z.array(z.string()),
  used: z.array(z.string()),
  refused: z.array(z.object({ field: z.string(), reason: z.string() })),
  hash: z.string(),
});
type LogRow = z.infer<typeof logRow>;

const logPage = statement(
  'disclosureLogPage',
  `SELECT seq::text AS seq, recorded_at, request_id, caller_kind, consumer_agency, official, citizen_id, purpose, operation_name,
          operation_hash, fields, record_keys, subject_ids, used, refused, hash
     FROM disclosure.log l
    WHERE ($1::text IS NULL OR consumer_agency = $1)
      AND ($2::text IS NULL OR fields @> jsonb_build_array(jsonb_build_object('field', $2::text)))
      AND ($3::text IS NULL OR subject_ids @> ARRAY[$3::text])
      AND ($4::date IS NULL OR recorded_at >= ($4::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
      AND ($5::date IS NULL OR recorded_at < (($5::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'))
      AND ($6::bigint IS NULL OR l.seq < $6::bigint)
    -- l.seq, the number: a bare "seq" would be the text column of the select list (10 before 9).
    ORDER BY l.seq DESC
    LIMIT $7`,
  logRow,
  { plan: 'per-call' },
);

function readPage(db: Database, filter: LogFilter, consumer: string | null, after: string | null, limit: number): Promise<LogRow[]> {
  return db.many(logPage, [consumer, filter.field ?? null, filter.subject ?? null, filter.from ?? null, filter.to ?? null, after, limit]);
}

/**
 * What a page's cursor is scoped to: the log (its agency), the consumer whose records are read, and the
 * filters, as a digest (a subject's personal id is not repeated in it). A cursor of another log or of
 * other filters is refused: taken as a bare number, it would page from the wrong place and silently
 * skip records.
 */
function cursorScope(ownerAgency: string, consumer: string | null, filter: LogFilter): string {
  const scope = JSON.stringify([ownerAgency, consumer, filter.field ?? null, filter.subject ?? null, filter.from ?? null, filter.to ?? null]);
  return createHash('sha256').update(scope).digest('base64url').slice(0, 16);
}

function logCursor(scope: string, seq: string): string {
  return Buffer.from(`log:${scope}:${seq}`).toString('base64url');
}

/** The seq a cursor of `scope` holds; null when it is no cursor of this log and these filters. */
function seqOfCursor(cursor: string, scope: string): string | null {
  const match = /^log:([A-Za-z0-9_-]{16}):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match?.[1] === scope && match[2] !== undefined && BigInt(match[2]) <= MAX_SEQ ? match[2] : null;
}

function refuse(res: ServerResponse, status: number, code: string, vi: string, en: string, parameter?: string): void {
  sendJson(res, status, { errors: [{ message: `${vi} (${en})`, extensions: { code, ...(parameter ? { parameter } : {}) } }] });
}

const CSV_COLUMNS = [
  'seq', 'recorded_at', 'request_id', 'caller_kind', 'consumer_agency', 'official', 'citizen_id', 'purpose', 'operation_name',
  'operation_hash', 'fields', 'record_keys', 'subject_ids', 'used', 'refused', 'hash',
];

function csvRecord(row: LogRow): string[] {
  return [
    row.seq, row.recorded_at.toISOString(), row.request_id, row.caller_kind, row.consumer_agency ?? '', row.official ?? '',
    row.citizen_id ?? '', row.purpose ?? '', row.operation_name ?? '', row.operation_hash,
    row.fields.map((f) => `${f.field}:${f.category}`).join(' '), row.record_keys.join(' '), row.subject_ids.join(' '),
    row.used.join(' '), row.refused.map((r) => `${r.field}:${r.reason}`).join(' '), row.hash,
  ];
}

/**
 * The route, given how the kit authenticates a gateway call (null when it has already answered 401)
 * and the owning agency's code.
 */
export function disclosureLogRoute(db: Database, ownerAgency: string, authenticate: (req: IncomingMessage, res: ServerResponse) => Promise<Caller | null>): Handler {
  return async (req, res) => {
    if (req.method !== 'GET') return sendMethodNotAllowed(res, ['GET']);
    const caller = await authenticate(req, res);
    if (!caller) return;
    // The governance role reads usage figures, never a log, which holds personal data (the callers'
    // personal ids, the subjects): not even its own agency's, which its officials and owners read.
    if (caller.kind !== 'official') {
      return refuse(res, 403, 'FORBIDDEN', 'Chỉ cán bộ cơ quan nhà nước xem được nhật ký cung cấp; công dân dùng myDisclosures.', 'Officials only; citizens use myDisclosures.');
    }
    if (governanceOnly(caller)) {
      return refuse(
        res, 403, 'FORBIDDEN',
        'Cơ quan quản lý xem số liệu khai thác (disclosureUsage), không xem nhật ký của bên cung cấp, vì nhật ký chứa dữ liệu cá nhân.',
        "Governance reads the usage figures (disclosureUsage), not a provider's log, which holds personal data.",
      );
    }
    const search = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const names = [...search.keys()];
    const repeated = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
    if (repeated.length > 0) {
      return refuse(res, 400, 'BAD_USER_INPUT', `Mỗi tham số chỉ một lần: ${repeated.join(', ')}.`, `Give each parameter once: ${repeated.join(', ')}.`, repeated[0]);
    }
    const parsed = filterSchema.safeParse(Object.fromEntries(search));
    if (!parsed.success) {
      const named = (issue: z.core.$ZodIssue): string[] => (issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.join('.')]);
      const said = (issue: z.core.$ZodIssue): string => (issue.code === 'unrecognized_keys' ? 'không có tham số này (no such parameter)' : issue.message);
      const problems = parsed.error.issues.map((issue) => `${named(issue).join(', ')}: ${said(issue)}`).join('; ');
      const parameter = parsed.error.issues.flatMap(named)[0];
      return sendJson(res, 400, {
        errors: [{ message: `Tham số không hợp lệ (invalid parameters): ${problems}`, extensions: { code: 'BAD_USER_INPUT', ...(parameter ? { parameter } : {}) } }],
      });
    }
    const filter = parsed.data;
    // Another agency's official sees its own agency's requests only, whatever it asked for.
    const own = caller.agency === ownerAgency;
    if (!own && filter.consumer && filter.consumer !== caller.agency) {
      return refuse(res, 403, 'FORBIDDEN', 'Chỉ xem được các yêu cầu của cơ quan mình.', "An agency sees only its own agency's requests.");
    }
    const consumer = own ? (filter.consumer ?? null) : caller.agency;
    const scope = cursorScope(ownerAgency, consumer, filter);
    const from = filter.after === undefined ? null : seqOfCursor(filter.after, scope);
    if (filter.after !== undefined && from === null) {
      return refuse(res, 400, 'BAD_USER_INPUT', 'after phải là endCursor của trang trước, với cùng các bộ lọc.', 'after must be the endCursor of the previous page, with the same filters.', 'after');
    }
    // Nothing under a code the directory does not know is a mistyped code, said as such; records under
    // a code since renamed are still found by it.
    if (own && filter.consumer && !filter.after && !agencyDirectory().has(filter.consumer) && (await readPage(db, filter, consumer, null, 1)).length === 0) {
      return refuse(
        res,
        400,
        'BAD_USER_INPUT',
        `Không có cơ quan mã "${filter.consumer}" trong danh bạ.`,
        `Unknown agency "${filter.consumer}": give the code of an agency, e.g. so-y-te.`,
        'consumer',
      );
    }
    if (filter.format === 'csv') {
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="disclosure-log-${ownerAgency}.csv"`,
        'cache-control': 'no-store',
      });
      // A byte-order mark first, so that a spreadsheet opened on the file (Excel, as officials export
      // for an audit) reads it as UTF-8, Vietnamese names and purposes whole.
      res.write(`\uFEFF${stringify([CSV_COLUMNS])}`);
      let after: string | null = from;
      for (;;) {
        const rows = await readPage(db, filter, consumer, after, EXPORT_PAGE);
        // A cell a spreadsheet would run as a formula (= + - @ first) is written with a ' before it:
        // a purpose or an official's id comes from a consumer.
        if (rows.length > 0) res.write(stringify(rows.map(csvRecord), { escape_formulas: true }));
        if (rows.length < EXPORT_PAGE) break;
        after = rows[rows.length - 1]?.seq ?? null;
      }
      res.end();
      return;
    }
    const rows = await readPage(db, filter, consumer, from, filter.first + 1);
    const page = rows.slice(0, filter.first);
    const last = page[page.length - 1];
    sendJson(
      res,
      200,
      {
        records: page.map((row) => ({ ...row, recorded_at: row.recorded_at.toISOString() })),
        pageInfo: { hasNextPage: rows.length > filter.first, endCursor: last ? logCursor(scope, last.seq) : null },
      },
      { 'cache-control': 'no-store' },
    );
  };
}
