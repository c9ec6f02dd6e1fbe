/**
 * The provider's disclosure log (DESIGN.md §7): every request a provider answers is recorded in its
 * own database before the answer leaves, hash-chained, insert-only for the application, partitioned
 * by month with a retention that never goes under 3 months.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import pg from 'pg';
import pino from 'pino';
import { z } from 'zod';
import { citizenIdentity, holderOfParcel, parcelIdAt, seedSizes } from '../subgraphs/kit/seed-plan';
import { vietnamDate } from '../subgraphs/access/calendar';
import { deliverDisclosures, DISCLOSURES_PATH, ledgerReaderSecret } from '../subgraphs/access/client';
import { databaseUrl, ensureDatabase, KIT_MIGRATIONS, migrate } from '../subgraphs/kit/migrate';
import { ensureAppRole, maintainLog, verifyLog, RETENTION_FLOOR_MONTHS, type LedgerCopies } from '../subgraphs/kit/log-admin';
import { openLedgerCopies } from '../subgraphs/access/disclosures';
import { disclosureRecord, DisclosureRecorder, disclosureWrite } from '../subgraphs/kit/disclosure';
import { answerWithRecord } from '../subgraphs/kit/disclosure-answer';
import { Database, RequestTransaction, statement } from '../subgraphs/kit/db';
import { OutboxRelay } from '../subgraphs/kit/outbox';
import { parseConfig, subgraphEnvSchema } from '../subgraphs/kit/config';
import { execute, official, startTestMesh, testServerUrl, TEST_SCALE, uniquePrefix, type GraphQLResponse, type TestMesh } from './support/mesh';
import { capturedLog } from './support/log-lines';

const citizen0 = citizenIdentity(0).id;
const PURPOSE = 'Xác minh hồ sơ bảo hiểm y tế';

let mesh: TestMesh;
let graphql: string;
let citizensOwner: pg.Pool;

/** Every line the mesh logs at info and above, parsed: the gateway's consumer-side records among them. */
const { logger, lines: logLines } = capturedLog();

beforeAll(async () => {
  mesh = await startTestMesh({ logger });
  graphql = `${mesh.gatewayUrl}/graphql`;
  citizensOwner = new pg.Pool({ connectionString: mesh.ownerUrls.get('citizens'), max: 2 });
});
afterAll(async () => {
  await citizensOwner.end();
  await mesh.stop();
});

interface LogRow {
  seq: string;
  request_id: string;
  caller_kind: string;
  consumer_agency: string | null;
  official: string | null;
  purpose: string | null;
  operation_name: string | null;
  operation_hash: string;
  fields: Array<{ field: string; category: string }>;
  record_keys: string[];
  subject_ids: string[];
  subject_fields: Array<{ fields: string[]; subjects: string[] }>;
  used: string[];
  refused: Array<{ field: string; reason: string }>;
}

async function recordsOf(requestId: string): Promise<LogRow[]> {
  const result = await citizensOwner.query<LogRow>(
    `SELECT seq::text, request_id, caller_kind, consumer_agency, official, purpose, operation_name, operation_hash, fields,
            record_keys, subject_ids, subject_fields, used, refused
       FROM disclosure.log WHERE request_id = $1`,
    [requestId],
  );
  return result.rows;
}

async function asAgency(agency: string, query: string) {
  const token = await mesh.token(official(agency));
  const response = await execute<{ citizen: Record<string, unknown> | null }, never>(graphql, query, undefined, {
    authorization: `Bearer ${token}`,
    'x-purpose': encodeURIComponent(PURPOSE),
  });
  const requestId = response.headers.get('x-request-id');
  if (!requestId) throw new Error('the gateway returned no x-request-id');
  return { response, requestId };
}

const sorted = <T>(items: readonly T[], key: (item: T) => string) => [...items].sort((a, b) => key(a).localeCompare(key(b)));

describe('the provider records what it disclosed', () => {
  it('records the consumer, purpose, fields with categories, record keys, subjects and the grant used, under the gateway request id', async () => {
    const { response, requestId } = await asAgency('so-y-te', `query HealthCheck { citizen(id: "${citizen0}") { id fullName ethnicGroup { code } } }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.citizen?.['id']).toBe(citizen0);

    const [record, ...more] = await recordsOf(requestId);
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      request_id: requestId,
      caller_kind: 'official',
      consumer_agency: 'so-y-te',
      official: 'test-so-y-te-official',
      purpose: PURPOSE,
      // The citizen, and the code of the ethnic group disclosed with them.
      record_keys: [`Citizen:${citizen0}`, expect.stringMatching(/^EthnicGroup:\d{2}$/)],
      subject_ids: [citizen0],
      refused: [],
    });
    expect(record?.operation_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(record?.operation_name).toMatch(/HealthCheck/);
    expect(sorted(record?.fields ?? [], (f) => f.field)).toEqual([
      { field: 'Citizen.ethnicGroup', category: 'SPECIAL_REQUEST' },
      { field: 'Citizen.fullName', category: 'DEFAULT' },
      { field: 'Citizen.id', category: 'DEFAULT' },
      { field: 'EthnicGroup.code', category: 'OPEN' },
      { field: 'Query.citizen', category: 'DEFAULT' },
    ]);
    expect(record?.subject_fields).toEqual([{ fields: ['Citizen.ethnicGroup', 'Citizen.fullName', 'Citizen.id', 'Query.citizen'], subjects: [citizen0] }]);
    // The dev seed grants Sở Y tế Citizen.ethnicGroup: the record names that grant.
    expect(record?.used).toEqual([expect.stringMatching(/^grant:/)]);
  });

  it('records the people a lookup or search returned though it selected nothing of them, and refuses governance such lookups', async () => {
    const { response, requestId } = await asAgency('so-y-te', `{ found: citizen(id: "${citizen0}") { __typename } }`);
    expect(response.body.data).toEqual({ found: { __typename: 'Citizen' } });
    const [lookup] = await recordsOf(requestId);
    expect({ subjects: lookup?.subject_ids, groups: lookup?.subject_fields, keys: lookup?.record_keys }).toEqual({
      subjects: [citizen0],
      groups: [{ fields: ['Query.citizen'], subjects: [citizen0] }],
      keys: [`Citizen:${citizen0}`],
    });

    const named = await asAgency('so-y-te', `{ citizen(id: "${citizen0}") { fullName } }`);
    const name = String(named.response.body.data?.citizen?.['fullName']);
    const search = await asAgency('so-y-te', `{ citizens(filter: { name: "${name}" }) { nodes { __typename } } }`);
    const matched = (search.response.body.data as { citizens: { nodes: unknown[] } } | null)?.citizens.nodes.length ?? 0;
    expect(matched).toBeGreaterThan(0);
    const [searched] = await recordsOf(search.requestId);
    expect(searched?.subject_ids).toContain(citizen0);
    expect(searched?.subject_ids).toHaveLength(matched);
    // A page whose rows are not selected still tells, by its cursor, that someone matched: they are recorded too.
    const cursorOnly = await asAgency('so-y-te', `{ citizens(filter: { name: "${name}" }, first: 1) { pageInfo { endCursor } } }`);
    expect((cursorOnly.response.body.data as { citizens: { pageInfo: { endCursor: string | null } } } | null)?.citizens.pageInfo.endCursor).not.toBeNull();
    expect((await recordsOf(cursorOnly.requestId))[0]?.subject_ids).toHaveLength(1);
    // And a page of none, whose hasNextPage alone would say whether anyone matches, is not served.
    const none = await asAgency('so-y-te', `{ citizens(filter: { name: "${name}" }, first: 0) { pageInfo { hasNextPage } } }`);
    expect(none.response.body.errors?.map((e) => [e.extensions?.['code'], e.extensions?.['argument']])).toEqual([['BAD_USER_INPUT', 'first']]);

    // Governance sees no personal data: not even whether someone is in the database, or matches a search.
    const governance = await execute(graphql, `{ a: citizen(id: "${citizen0}") { __typename } b: citizens(filter: { name: "${name}" }) { nodes { __typename } } }`, undefined, {
      authorization: `Bearer ${await mesh.token(official('so-khcn', 'governance'))}`,
    });
    expect(governance.body.data).toEqual({ a: null, b: null });
    expect(governance.body.errors?.map((e) => e.extensions?.['reason'])).toEqual(['GOVERNANCE_NO_PERSONAL_DATA', 'GOVERNANCE_NO_PERSONAL_DATA']);
  });

  it("records OPEN data as disclosed to its reader but about no one, so no download of public data fills a citizen's view of who saw their data", async () => {
    const enterprises = new pg.Pool({ connectionString: mesh.ownerUrls.get('enterprises'), max: 1 });
    try {
      const open = await execute(`${mesh.gatewayUrl}/open/graphql`, '{ enterprises(first: 5) { nodes { taxCode name } } }', undefined);
      expect(open.body.errors).toBeUndefined();
      const requestId = open.headers.get('x-request-id') ?? '';
      const { rows } = await enterprises.query<{ caller_kind: string; record_keys: string[]; subject_ids: string[] }>(
        'SELECT caller_kind, record_keys, subject_ids FROM disclosure.log WHERE request_id = $1',
        [requestId],
      );
      expect(rows).toEqual([{ caller_kind: 'anonymous', record_keys: expect.arrayContaining([expect.stringMatching(/^Enterprise:/)]) as string[], subject_ids: [] }]);
    } finally {
      await enterprises.end();
    }
  });

  it('records a refused request that disclosed nothing of the refused field', async () => {
    const { response, requestId } = await asAgency('so-xay-dung', `{ citizen(id: "${citizen0}") { ethnicGroup { code } } }`);
    expect(response.body.errors?.[0]?.extensions?.['reason']).toBe('NO_GRANT');
    const [record] = await recordsOf(requestId);
    expect(record?.consumer_agency).toBe('so-xay-dung');
    expect(record?.refused).toEqual([{ field: 'Citizen.ethnicGroup', reason: 'NO_GRANT' }]);
    expect(record?.fields.map((f) => f.field)).toEqual(['Query.citizen']);
    // What it did disclose: that the citizen is in the database (the lookup's answer was not null).
    expect(record?.subject_fields).toEqual([{ fields: ['Query.citizen'], subjects: [citizen0] }]);
  });
});

describe('the gateway records the consumer side', () => {
  it('logs every request with its request id, caller, operation and outcome, and returns the id to the client', async () => {
    const { requestId } = await asAgency('so-y-te', `query ConsumerSide { citizen(id: "${citizen0}") { fullName } }`);
    const record = logLines.find((line) => line['record'] === 'consumer' && line['requestId'] === requestId);
    expect(record).toMatchObject({
      requestId,
      caller: { kind: 'official', agency: 'so-y-te', official: 'test-so-y-te-official', roles: ['official'] },
      purpose: PURPOSE,
      operation: 'ConsumerSide',
      outcome: 'OK',
      errors: [],
    });
    const refused = await asAgency('so-xay-dung', `query Refused { citizen(id: "${citizen0}") { ethnicGroup { code } } }`);
    expect(logLines.find((line) => line['requestId'] === refused.requestId)).toMatchObject({ outcome: 'PARTIAL', errors: ['ACCESS_DENIED'] });
    // Refused at the root, it gave nothing: every root null (introspection aside) is REFUSED, though data holds the nulls.
    const nothing = await asAgency('so-y-te', 'query OnlyRefused { kind: __typename myConsents { nodes { id } } }');
    expect(nothing.response.body.data).toEqual({ kind: 'Query', myConsents: null });
    expect(logLines.find((line) => line['requestId'] === nothing.requestId)).toMatchObject({ outcome: 'REFUSED', errors: ['ACCESS_DENIED'] });
  });

  it('mints every request id itself: a client\'s own id is recorded beside it, never used as it', async () => {
    const token = await mesh.token(official('so-y-te'));
    const headers = { authorization: `Bearer ${token}`, 'x-purpose': encodeURIComponent(PURPOSE), 'x-request-id': 'client-chosen-id-0001' };
    const query = `query ClientId { citizen(id: "${citizen0}") { fullName } }`;
    const first = await execute(graphql, query, undefined, headers);
    const second = await execute(graphql, query, undefined, headers);
    const ids = [first.headers.get('x-request-id'), second.headers.get('x-request-id')];

    expect(ids[0]).not.toBe('client-chosen-id-0001');
    expect(ids[1]).not.toBe(ids[0]);
    expect(await recordsOf('client-chosen-id-0001')).toEqual([]);
    for (const id of ids) {
      expect(await recordsOf(id ?? '')).toHaveLength(1);
      expect(logLines.find((line) => line['record'] === 'consumer' && line['requestId'] === id)).toMatchObject({ clientRequestId: 'client-chosen-id-0001' });
    }
  });
});

describe('reading the provider log', () => {
  const log = async (agency: string, query: string, role: 'official' | 'owner' | 'governance' = 'official') =>
    fetch(`${mesh.gatewayUrl}/disclosure-log?${query}`, { headers: { authorization: `Bearer ${await mesh.token(official(agency, role))}` } });

  it('gives the provider its log filtered by consumer, field, subject and day, paginated, and as CSV', async () => {
    const a = await asAgency('so-y-te', `{ citizen(id: "${citizen0}") { fullName } }`);
    const b = await asAgency('so-y-te', `{ citizen(id: "${citizen0}") { gender } }`);
    const today = vietnamDate(new Date());
    const response = await log('cong-an', `subgraph=citizens&consumer=so-y-te&field=Citizen.fullName&subject=${citizen0}&from=${today}&to=${today}&first=100`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { records: Array<{ request_id: string; consumer_agency: string; subject_ids: string[] }>; pageInfo: { hasNextPage: boolean } };
    const ids = body.records.map((r) => r.request_id);
    expect(ids).toContain(a.requestId);
    expect(ids).not.toContain(b.requestId);
    for (const record of body.records) expect(record).toMatchObject({ consumer_agency: 'so-y-te', subject_ids: expect.arrayContaining([citizen0]) });

    const first = (await (await log('cong-an', 'subgraph=citizens&first=1')).json()) as { records: Array<{ seq: string }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
    expect(first.records).toHaveLength(1);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await (await log('cong-an', `subgraph=citizens&first=1&after=${first.pageInfo.endCursor}`)).json()) as { records: Array<{ seq: string }> };
    expect(BigInt(second.records[0]?.seq ?? '0')).toBeLessThan(BigInt(first.records[0]?.seq ?? '0'));
    // A cursor pages only the log and the filters it came from: elsewhere it would skip records unseen.
    for (const elsewhere of [
      `subgraph=land&first=1&after=${first.pageInfo.endCursor}`,
      `subgraph=citizens&consumer=so-y-te&first=1&after=${first.pageInfo.endCursor}`,
      `subgraph=citizens&first=1&after=${first.records[0]?.seq ?? ''}`,
    ]) {
      const refused = await log('cong-an', elsewhere);
      expect({ elsewhere, status: refused.status, body: (await refused.json()) as unknown }).toEqual({
        elsewhere,
        status: 400,
        body: { errors: [{ message: expect.stringContaining('same filters') as string, extensions: { code: 'BAD_USER_INPUT', parameter: 'after' } }] },
      });
    }

    const csv = await log('cong-an', `subgraph=citizens&consumer=so-y-te&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    // UTF-8 with a byte-order mark, which a spreadsheet needs to read Vietnamese text as such.
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('seq,recorded_at,request_id,caller_kind,consumer_agency,official,citizen_id,purpose,operation_name,operation_hash,fields,record_keys,subject_ids,used,refused,hash');
    expect(lines.some((line) => line.includes(a.requestId) && line.includes('Citizen.fullName:DEFAULT'))).toBe(true);
  });

  it("shows another agency only its own agency's requests, and refuses citizens, governance and bad parameters with a code", async () => {
    await asAgency('so-xay-dung', `{ citizen(id: "${citizen0}") { fullName } }`);
    const own = (await (await log('so-y-te', 'subgraph=citizens&first=100')).json()) as { records: Array<{ consumer_agency: string }> };
    expect(own.records.length).toBeGreaterThan(0);
    expect(new Set(own.records.map((r) => r.consumer_agency))).toEqual(new Set(['so-y-te']));
    expect((await log('so-y-te', 'subgraph=citizens&consumer=so-xay-dung')).status).toBe(403);
    // A consumer's code mistyped is said, not answered as an empty log (JSON or CSV alike).
    for (const format of ['', '&format=csv']) {
      const mistyped = await log('cong-an', `subgraph=citizens&consumer=so-y-tee${format}`);
      expect({ status: mistyped.status, body: await mistyped.json() }).toEqual({
        status: 400,
        body: { errors: [{ message: expect.stringContaining('so-y-tee'), extensions: { code: 'BAD_USER_INPUT', parameter: 'consumer' } }] },
      });
    }
    // Each refusal says what the caller may read instead.
    const messageOf = async (response: Response) => ({ status: response.status, message: ((await response.json()) as { errors: Array<{ message: string }> }).errors[0]?.message });
    expect(await messageOf(await log('so-khcn', 'subgraph=citizens', 'governance'))).toEqual({ status: 403, message: expect.stringContaining('disclosureUsage') });
    // Not even the log of a subgraph its own agency runs (the shared code tables), which holds the personal ids of citizens who called.
    expect(await messageOf(await log('so-khcn', 'subgraph=codes', 'governance'))).toEqual({ status: 403, message: expect.stringContaining('disclosureUsage') });
    expect((await log('so-khcn', 'subgraph=codes', 'owner')).status).toBe(200);
    const citizen = await fetch(`${mesh.gatewayUrl}/disclosure-log?subgraph=citizens`, {
      headers: { authorization: `Bearer ${await mesh.token({ kind: 'citizen', sub: citizen0 })}` },
    });
    expect(await messageOf(citizen)).toEqual({ status: 403, message: expect.stringContaining('myDisclosures') });
    // Two subgraphs named: refused, not the first taken.
    expect(await messageOf(await log('cong-an', 'subgraph=citizens&subgraph=land'))).toEqual({ status: 400, message: expect.stringContaining('Give subgraph once') });
    const bad = await log('cong-an', 'subgraph=citizens&subject=123&first=1000');
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: Array<{ message: string; extensions: { code: string; parameter?: string } }> };
    expect(problem.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', parameter: 'subject' });
    expect(problem.errors[0]?.message).toMatch(/subject: phải là số định danh 12 chữ số \(must be a 12-digit personal id\); first: .*\(a whole number from 1 to 100\)/);
    // A parameter the log does not take (a misspelt filter) is refused: ignored, it would widen the export.
    const misspelt = await log('cong-an', 'subgraph=citizens&subjct=054204000000');
    expect(misspelt.status).toBe(400);
    const unknown = (await misspelt.json()) as { errors: Array<{ message: string; extensions: { code: string; parameter?: string } }> };
    expect(unknown.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', parameter: 'subjct' });
    expect(unknown.errors[0]?.message).toMatch(/subjct: không có tham số này \(no such parameter\)/);
    expect((await log('cong-an', 'subgraph=nowhere')).status).toBe(400);
    // The access ledger keeps no such log: said as such, not as a route the gateway could not find.
    const ledger = await log('so-khcn', 'subgraph=access', 'owner');
    expect({ status: ledger.status, body: await ledger.json() }).toEqual({
      status: 404,
      body: { errors: [{ message: expect.stringContaining('(access keeps no disclosure log.)') as string, extensions: { code: 'NO_DISCLOSURE_LOG', subgraph: 'access', agency: expect.any(String) as string } }] },
    });
    expect((await fetch(`${mesh.gatewayUrl}/disclosure-log?subgraph=citizens`)).status).toBe(401);
  });
});

describe('reading the provider log, page after page', () => {
  const log = async (query: string, init: RequestInit = {}) =>
    fetch(`${mesh.gatewayUrl}/disclosure-log?subgraph=citizens&${query}`, { ...init, headers: { authorization: `Bearer ${await mesh.token(official('cong-an', 'owner'))}` } });

  it('pages through every record, newest first by number, across a change in the number of digits', async () => {
    // Enough records that some seqs have one digit more than others (9 and 10, 99 and 100):
    // ordered as text, "9" came before "10" and whole runs of the newest never showed.
    const { rows: before } = await citizensOwner.query<{ n: string }>('SELECT count(*)::text AS n FROM disclosure.log');
    for (let i = Number(before[0]?.n ?? 0); i < 12; i++) await asAgency('so-y-te', `{ citizen(id: "${citizen0}") { id } }`);
    const { rows } = await citizensOwner.query<{ seq: string }>('SELECT l.seq::text AS seq FROM disclosure.log l ORDER BY l.seq DESC');
    expect(rows.length).toBeGreaterThanOrEqual(12);
    const seen: string[] = [];
    let after = '';
    for (;;) {
      const page = (await (await log(`first=5${after}`)).json()) as { records: Array<{ seq: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      seen.push(...page.records.map((record) => record.seq));
      if (!page.pageInfo.hasNextPage) break;
      after = `&after=${page.pageInfo.endCursor ?? ''}`;
    }
    expect(seen).toEqual(rows.map((row) => row.seq));
  });

  it('refuses impossible days, cursors and page sizes, and a parameter given twice, with a 400 and a code, and any method but GET with a 405', async () => {
    for (const query of ['from=2026-02-31', 'to=2026-13-45', 'from=0000-01-01', 'after=9999999999999999999', 'first=1e2', 'first=0x10', 'format=csv&from=2026-02-31', 'first=1&first=2']) {
      const response = await log(query);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    }
    const twice = (await (await log('first=1&first=2')).json()) as { errors: Array<{ extensions: unknown }> };
    expect(twice.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', parameter: 'first' });
    const posted = await log('first=1', { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET');
  });
});

describe('no data leaves unlogged', () => {
  it('writes the record in the transaction that read the data, and answers only once it has committed', async () => {
    // Hold every chain's lock, as long commits would: the record's insert then waits inside its
    // transaction, and PostgreSQL shows what that transaction has read by the locks it holds.
    const holder = await citizensOwner.connect();
    let answered = false;
    let pending: ReturnType<typeof asAgency> | undefined;
    try {
      await holder.query('SELECT pg_advisory_lock(470120, chain) FROM generate_series(0, 7) AS chain');
      pending = asAgency('so-y-te', `{ citizen(id: "${citizen0}") { id fullName } }`);
      void pending.then(() => (answered = true), () => (answered = true));
      let waiting: { statement: string; read: string[] } | undefined;
      for (let attempt = 0; attempt < 200 && !waiting; attempt++) {
        const { rows } = await citizensOwner.query<{ statement: string; read: string[] }>(
          `SELECT a.query AS statement,
                  ARRAY(SELECT l.relation::regclass::text FROM pg_locks l
                         WHERE l.pid = a.pid AND l.locktype = 'relation' AND l.mode = 'AccessShareLock' AND l.granted
                         ORDER BY 1) AS read
             FROM pg_stat_activity a
            WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.wait_event = 'advisory'`,
        );
        waiting = rows[0];
        if (!waiting) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // The record's insert waits in the transaction that read the citizen: it still holds its lock
      // on the citizens table.
      expect(waiting?.statement).toMatch(/writeDisclosures/);
      expect(waiting?.read).toContain('citizens');
      expect(answered).toBe(false);
    } finally {
      await holder.query('SELECT pg_advisory_unlock(470120, chain) FROM generate_series(0, 7) AS chain');
      holder.release();
    }
    const { response, requestId } = await (pending ?? Promise.reject(new Error('no request sent')));
    expect(response.body.data?.citizen).toEqual({ id: citizen0, fullName: expect.any(String) });
    expect(await recordsOf(requestId)).toHaveLength(1);
  });

  it('withholds the data when the application role may not INSERT into the log, and serves again once it may', async () => {
    const { rows } = await citizensOwner.query<{ role: string }>(`SELECT current_database() || '_app' AS role`);
    const role = rows[0]?.role ?? '';
    const query = `{ citizen(id: "${citizen0}") { fullName } }`;
    await citizensOwner.query(`REVOKE INSERT ON disclosure.log FROM ${pg.Client.prototype.escapeIdentifier(role)}`);
    try {
      const { response, requestId } = await asAgency('so-y-te', query);
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ citizen: null });
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining('disclosure log'),
          extensions: expect.objectContaining({ code: 'DISCLOSURE_LOG_UNAVAILABLE', agency: expect.stringContaining('Công an tỉnh') }),
        }),
      ]);
      expect(JSON.stringify(response.body)).not.toMatch(/permission denied|disclosure\.log|INSERT/);
      expect(await recordsOf(requestId)).toEqual([]);
    } finally {
      await citizensOwner.query(`GRANT INSERT ON disclosure.log TO ${pg.Client.prototype.escapeIdentifier(role)}`);
    }
    const again = await asAgency('so-y-te', query);
    expect(again.response.body.data?.citizen).toEqual({ fullName: expect.any(String) });
    expect(await recordsOf(again.requestId)).toHaveLength(1);
  });

  it('gives the application role INSERT and SELECT on the log, and refuses its UPDATE, DELETE and TRUNCATE', async () => {
    await asAgency('so-y-te', `{ citizen(id: "${citizen0}") { id } }`);
    const app = mesh.subgraphs.get('citizens')?.db.pool;
    if (!app) throw new Error('no citizens subgraph');
    const who = await app.query<{ user: string }>('SELECT current_user AS user');
    expect(who.rows[0]?.user).toMatch(/_app$/);
    expect((await app.query('SELECT count(*) FROM disclosure.log')).rows[0]).toBeDefined();
    for (const statement of ['UPDATE disclosure.log SET purpose = $1', 'DELETE FROM disclosure.log WHERE purpose = $1', 'TRUNCATE disclosure.log']) {
      const params = statement.includes('$1') ? ['x'] : [];
      await expect(app.query(statement, params)).rejects.toMatchObject({ code: '42501' });
    }
    await expect(app.query('SELECT count(*) FROM disclosure.log_default')).rejects.toMatchObject({ code: '42501' });
  });
});

/** How soon a disclosure must show in the citizen's view: the relay's debounce (0.1 s) plus generous margin. */
const VIEW_BOUND_MS = 5000;

/** Polls until `check` returns a value; returns it and the milliseconds it took, or throws after the bound. */
async function within<T>(boundMs: number, check: () => Promise<T | null>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== null) return { value, ms: Date.now() - started };
    if (Date.now() - started > boundMs) throw new Error(`not within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Disclosure {
  requestId: string;
  provider: string;
  providerName: string;
  consumer: string | null;
  purpose: string | null;
  fields: string[];
  basis: string[];
}

async function myDisclosures(personalId: string) {
  const token = await mesh.token({ kind: 'citizen', sub: personalId });
  const response = await execute<{ myDisclosures: { nodes: Disclosure[] } }, never>(
    graphql,
    '{ myDisclosures(first: 100) { nodes { requestId at provider providerName consumer official purpose fields basis } } }',
    undefined,
    { authorization: `Bearer ${token}` },
  );
  if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
  return response.body.data?.myDisclosures.nodes ?? [];
}

/**
 * A record as cong-an's outbox delivers it to the ledger: an official of Sở Y tế read one citizen's
 * full name. Written here, not by a provider, to give the ledger records a test needs.
 */
function deliveredRecord(seq: number, requestId: string, subject: string, overrides: Record<string, unknown> = {}) {
  return {
    seq,
    recordedAt: new Date().toISOString(),
    requestId,
    callerKind: 'official',
    consumerAgency: 'so-y-te',
    official: 'test-so-y-te-official',
    roles: ['official'],
    citizenId: null,
    purpose: PURPOSE,
    operationName: null,
    fields: [{ field: 'Citizen.fullName', category: 'DEFAULT' }],
    subjects: [{ fields: ['Citizen.fullName'], subjects: [subject] }] as unknown,
    used: [],
    refused: [],
    ...overrides,
  };
}

/**
 * A provider whose relay is from before chains (its records carry none), as every agency's was: one
 * with no subgraph in this mesh, so that no relay of the mesh has sent the ledger a chain in its name
 * (the ledger refuses chainless records from a provider that has: CHAIN_REQUIRED).
 */
const UNCHAINED_PROVIDER = 'so-noi-vu';

/** Delivers `records` to the ledger as UNCHAINED_PROVIDER's outbox does. */
async function deliverUnchained(records: readonly object[], maxBytes?: number): Promise<void> {
  const ledger = mesh.subgraphs.get('access')?.url ?? '';
  await deliverDisclosures(ledger, UNCHAINED_PROVIDER, ledgerReaderSecret(mesh.keys.gatewaySecret, UNCHAINED_PROVIDER), records, 5000, maxBytes);
}

describe('who saw my data', () => {
  it('shows a citizen, in one query, the disclosures of their data by three agencies, within the stated delay', async () => {
    const sizes = seedSizes(TEST_SCALE);
    let parcel = 0;
    while (holderOfParcel(parcel, sizes).kind !== 'CITIZEN') parcel++;
    const subject = citizenIdentity(holderOfParcel(parcel, sizes).index).id;

    const people = await asAgency('so-y-te', `{ citizen(id: "${subject}") { fullName enterprises { name } } }`);
    const land = await asAgency('so-y-te', `{ landParcel(id: "${parcelIdAt(parcel)}") { certificate { holder { ... on Citizen { id } } } } }`);
    expect(people.response.body.errors).toBeUndefined();
    expect(land.response.body.errors).toBeUndefined();

    const expected = [
      { requestId: people.requestId, provider: 'cong-an', fields: ['Citizen.fullName'] },
      { requestId: people.requestId, provider: 'so-tai-chinh', fields: ['Citizen.enterprises'] },
      { requestId: land.requestId, provider: 'so-nn-mt', fields: ['LandUseCertificate.holder'] },
    ];
    const { value: seen, ms } = await within(VIEW_BOUND_MS, async () => {
      const nodes = await myDisclosures(subject);
      const found = expected.map((e) => nodes.find((n) => n.requestId === e.requestId && n.provider === e.provider));
      return found.every((n) => n !== undefined) ? (found as Disclosure[]) : null;
    });
    process.stdout.write(`disclosures reached the citizen's view after ${ms} ms (bound ${VIEW_BOUND_MS} ms)\n`);
    for (const [i, node] of seen.entries()) {
      expect(node).toMatchObject({ consumer: 'so-y-te', purpose: PURPOSE, providerName: expect.stringMatching(/^(Công an|Sở)/) });
      expect(node.fields).toEqual(expect.arrayContaining(expected[i]?.fields ?? []));
    }
    // The land-use certificate holder is special-request data: the view names the grant it was given under.
    expect(seen[2]?.basis).toEqual([expect.stringMatching(/^grant:/)]);
  });

  it('relays a record whatever its operation name and purpose: a 3,000-character name, a NUL in the purpose', async () => {
    const name = `Q${'a'.repeat(3000)}`;
    const token = await mesh.token(official('so-y-te'));
    const response = await execute<{ citizen: { fullName: string } | null }, never>(graphql, `query ${name} { citizen(id: "${citizen0}") { fullName } }`, undefined, {
      authorization: `Bearer ${token}`,
      'x-purpose': encodeURIComponent('khám\u0000bệnh\nngoại trú'),
    });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.citizen?.fullName).toEqual(expect.any(String));
    const requestId = response.headers.get('x-request-id') ?? '';
    const [record] = await recordsOf(requestId);
    // The provider's log keeps the name whole (as the gateway names its fetch), and the purpose as one line.
    expect(record).toMatchObject({ operation_name: `${name}__citizens__0`, purpose: 'khám bệnh ngoại trú' });
    // The ledger takes it (the start of the name), and the records after it still flow.
    const later = await asAgency('so-y-te', `{ citizen(id: "${citizen0}") { gender } }`);
    const { value: seen } = await within(VIEW_BOUND_MS, async () => {
      const nodes = await myDisclosures(citizen0);
      return nodes.some((n) => n.requestId === requestId) && nodes.some((n) => n.requestId === later.requestId) ? nodes : null;
    });
    expect(seen.find((n) => n.requestId === requestId)).toMatchObject({ purpose: 'khám bệnh ngoại trú' });
  });

  it("refuses an agency's official a citizen's view as SUBJECT_ONLY, with no request for access to suggest", async () => {
    const token = await mesh.token(official('so-y-te'));
    const response = await execute(graphql, '{ myDisclosures { nodes { at } } }', undefined, {
      authorization: `Bearer ${token}`,
      'x-purpose': encodeURIComponent(PURPOSE),
    });
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'ACCESS_DENIED', reason: 'SUBJECT_ONLY', field: 'Query.myDisclosures', requestAccess: null });
  });

  it('gives a citizen asking for another person nothing, logs the attempt, and shows the other person no disclosure', async () => {
    const asker = citizenIdentity(1).id;
    const other = citizenIdentity(2).id;
    const token = await mesh.token({ kind: 'citizen', sub: asker });
    const response = await execute<{ citizen: { fullName: string } | null }, never>(graphql, `{ citizen(id: "${other}") { fullName } }`, undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(response.body.data).toEqual({ citizen: null });
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'ACCESS_DENIED', reason: 'NOT_THE_DATA_SUBJECT' });
    const [record] = await recordsOf(response.headers.get('x-request-id') ?? '');
    expect(record).toMatchObject({ caller_kind: 'citizen', consumer_agency: null, subject_ids: [], refused: [{ field: 'Query.citizen', reason: 'NOT_THE_DATA_SUBJECT' }] });
    const { rows } = await citizensOwner.query<{ citizen_id: string }>('SELECT citizen_id FROM disclosure.log WHERE request_id = $1', [record?.request_id]);
    expect(rows).toEqual([{ citizen_id: asker }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await myDisclosures(other)).filter((n) => n.requestId === record?.request_id)).toEqual([]);
  });

  it('gives governance usage figures by day, provider, consumer and field, with no personal data', async () => {
    const { requestId } = await asAgency('so-y-te', `{ citizen(id: "${citizen0}") { fullName } }`);
    const token = await mesh.token(official('so-khcn', 'governance'));
    const today = vietnamDate(new Date());
    const usage = async () => {
      const response = await execute<{ disclosureUsage: { nodes: Array<{ day: string; provider: { code: string }; consumer: string; field: string; category: string; requests: number }> } }, never>(
        graphql,
        `{ disclosureUsage(from: "${today}", to: "${today}", provider: "cong-an", consumer: "so-y-te", first: 100) { nodes { day provider { code } consumer field category requests } } }`,
        undefined,
        { authorization: `Bearer ${token}` },
      );
      if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
      return response;
    };
    await within(VIEW_BOUND_MS, async () => {
      // Still in the outbox: after the relay's cursor.
      const { rows } = await citizensOwner.query('SELECT 1 FROM disclosure.log l WHERE l.request_id = $1 AND l.seq > (SELECT c.through_seq FROM disclosure.relay_cursor c WHERE c.chain = l.chain)', [requestId]);
      return rows.length === 0 ? true : null;
    });
    const response = await usage();
    const nodes = response.body.data?.disclosureUsage.nodes ?? [];
    expect(nodes).toEqual(
      expect.arrayContaining([{ day: today, provider: { code: 'cong-an' }, consumer: 'so-y-te', field: 'Citizen.fullName', category: 'DEFAULT', requests: expect.any(Number) }]),
    );
    expect(JSON.stringify(response.body)).not.toMatch(/\d{12}/);

    // A provider named by its subgraph's name, or a consumer mistyped: said, not answered as if it had no figures.
    for (const [filter, argument] of [['provider: "citizens"', 'provider'], ['consumer: "so-y-tee"', 'consumer']] as const) {
      const unknown = await execute(graphql, `{ disclosureUsage(from: "${today}", to: "${today}", ${filter}) { nodes { field } } }`, undefined, { authorization: `Bearer ${token}` });
      expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }

    const refused = await execute(graphql, `{ disclosureUsage(from: "${today}", to: "${today}") { nodes { field } } }`, undefined, {
      authorization: `Bearer ${await mesh.token(official('so-y-te'))}`,
    });
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('pages the usage figures by group: a group that appears meanwhile repeats none, and a cursor that does not fit is refused', async () => {
    // A consumer no other test has, on a past day, so that the figures hold only these records.
    const consumer = `test-${randomBytes(4).toString('hex')}`;
    const day = '2026-03-14';
    const at = '2026-03-14T03:00:00.000Z'; // 10:00 in Vietnam
    const prefix = `usage-${uniquePrefix()}`;
    const uses = (i: number, field: string) =>
      deliveredRecord(900_000_400 + i, `${prefix}-${i}`, citizen0, { recordedAt: at, consumerAgency: consumer, fields: [{ field, category: 'DEFAULT' }] });
    await deliverUnchained([uses(0, 'Citizen.addressLine'), uses(1, 'Citizen.fullName'), uses(2, 'Citizen.fullName'), uses(3, 'Citizen.gender')]);
    const token = await mesh.token(official('so-khcn', 'governance'));
    type Usage = { disclosureUsage: { nodes: Array<{ field: string; requests: number }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const page = async (after: string | null) =>
      execute<Usage, { after: string | null }>(
        graphql,
        `query Usage($after: String) { disclosureUsage(from: "${day}", to: "${day}", consumer: "${consumer}", first: 2, after: $after) {
           nodes { field requests } pageInfo { hasNextPage endCursor } } }`,
        { after },
        { authorization: `Bearer ${token}` },
      );
    const first = (await page(null)).body.data?.disclosureUsage;
    expect(first?.nodes).toEqual([{ field: 'Citizen.addressLine', requests: 1 }, { field: 'Citizen.fullName', requests: 2 }]);
    // A field used for the first time that day, sorting before the cursor, reaches the ledger between the pages.
    await deliverUnchained([uses(4, 'Citizen.dateOfBirth')]);
    const second = (await page(first?.pageInfo.endCursor ?? null)).body.data?.disclosureUsage;
    expect(second).toEqual({ nodes: [{ field: 'Citizen.gender', requests: 1 }], pageInfo: { hasNextPage: false, endCursor: expect.any(String) } });
    expect((await page(null)).body.data?.disclosureUsage.nodes.map((n) => n.field)).toEqual(['Citizen.addressLine', 'Citizen.dateOfBirth']);

    const cursor = (position: unknown, list = 'Query.disclosureUsage') => Buffer.from(`k:${list}:${JSON.stringify(position)}`).toString('base64url');
    expect((await page(cursor([day, UNCHAINED_PROVIDER, consumer, 'Citizen.addressLine', 'DEFAULT']))).body.data?.disclosureUsage.nodes[0]).toEqual({ field: 'Citizen.dateOfBirth', requests: 1 });
    for (const after of [
      Buffer.from('o:Query.disclosureUsage:1').toString('base64url'), // an offset cursor, as this list gave before
      cursor([day, UNCHAINED_PROVIDER, consumer, 'Citizen.fullName', 'DEFAULT'], 'Query.myDisclosures'), // another list's
      cursor([day, UNCHAINED_PROVIDER, consumer, 'Citizen.fullName']), // a part short
      cursor(['2026-02-30', UNCHAINED_PROVIDER, consumer, 'Citizen.fullName', 'DEFAULT']), // no such day
      cursor(['0000-03-14', UNCHAINED_PROVIDER, consumer, 'Citizen.fullName', 'DEFAULT']), // year 0, which PostgreSQL has not
      cursor([day, UNCHAINED_PROVIDER, consumer, 'Citizen.fullName', '']), // an empty part
    ]) {
      const refused = await page(after);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    }
  });

  it('groups the subjects of a list by the fields disclosed: one group for a page of citizens', async () => {
    const { response, requestId } = await asAgency('so-y-te', '{ enterprises(first: 8) { nodes { legalRepresentative { fullName dateOfBirth } } } }');
    expect(response.body.errors).toBeUndefined();
    const [record] = (await recordsOf(requestId)).filter((r) => r.subject_ids.length > 0);
    // The citizens subgraph's _entities fetch of the representatives: several subjects, one group.
    expect(record?.subject_ids.length).toBeGreaterThan(1);
    expect(record?.subject_fields).toEqual([{ fields: ['Citizen.dateOfBirth', 'Citizen.fullName'], subjects: record?.subject_ids }]);
  });

  it('shows a citizen the records a provider wrote before it grouped subjects (delivered in the older form)', async () => {
    const subject = citizenIdentity(6).id;
    const requestId = `older-form-${uniquePrefix()}`;
    // The older form: the subjects as one map of personal id to fields.
    await deliverUnchained([deliveredRecord(900_000_001, requestId, subject, { subjects: { [subject]: ['Citizen.fullName'] } })]);
    const seen = (await myDisclosures(subject)).find((n) => n.requestId === requestId);
    expect(seen).toMatchObject({ provider: UNCHAINED_PROVIDER, consumer: 'so-y-te', fields: ['Citizen.fullName'] });
  });

  it('delivers a batch larger than one body in as many bodies as it needs, every record taken', async () => {
    const subject = citizenIdentity(8).id;
    const prefix = `split-${uniquePrefix()}`;
    // Five records of about 1 KB each, against a 2.5 KB body: three bodies.
    const records = Array.from({ length: 5 }, (_, i) => deliveredRecord(900_000_100 + i, `${prefix}-${i}`, subject, { purpose: 'x'.repeat(800) }));
    await deliverUnchained(records, 2500);
    const seen = (await myDisclosures(subject)).filter((n) => n.requestId.startsWith(prefix)).map((n) => n.requestId);
    expect(seen.sort()).toEqual(records.map((r) => r.requestId).sort());
    // One record larger than a whole body is named, not sent.
    await expect(deliverUnchained(records.slice(0, 1), 500)).rejects.toThrow(/exceeds the ledger's 500-byte delivery limit/);
  });

  it('pages a citizen\'s disclosures by position: one arriving meanwhile pushes nothing onto the next page twice', async () => {
    // A person no other test discloses, so that the list holds only these records.
    const subject = `0799${String(Date.now() % 100_000_000).padStart(8, '0')}`;
    const prefix = `paged-${uniquePrefix()}`;
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const record = (i: number, recordedAt: string) => deliveredRecord(900_000_200 + i, `${prefix}-${i}`, subject, { recordedAt });
    // Two of the four at the same moment: their record numbers order them.
    const twoMinutesAgo = minutesAgo(2);
    await deliverUnchained([record(0, minutesAgo(4)), record(1, minutesAgo(3)), record(2, twoMinutesAgo), record(3, twoMinutesAgo)]);
    const token = await mesh.token({ kind: 'citizen', sub: subject });
    type Listing = { myDisclosures: { nodes: Array<{ requestId: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const page = async (after: string | null) => {
      const response = await execute<Listing, { after: string | null }>(
        graphql,
        'query Mine($after: String) { myDisclosures(first: 2, after: $after) { nodes { requestId } pageInfo { hasNextPage endCursor } } }',
        { after },
        { authorization: `Bearer ${token}` },
      );
      if (!response.body.data) throw new Error(JSON.stringify(response.body.errors));
      return response.body.data.myDisclosures;
    };
    const first = await page(null);
    expect(first.nodes.map((n) => n.requestId)).toEqual([`${prefix}-3`, `${prefix}-2`]);
    // A disclosure recorded now reaches the ledger before the citizen asks for the next page.
    await deliverUnchained([record(4, new Date().toISOString())]);
    const second = await page(first.pageInfo.endCursor);
    expect(second).toEqual({ nodes: [{ requestId: `${prefix}-1` }, { requestId: `${prefix}-0` }], pageInfo: { hasNextPage: false, endCursor: expect.any(String) } });
    // No cursor carries the personal id it was listed for.
    for (const cursor of [first.pageInfo.endCursor, second.pageInfo.endCursor]) expect(Buffer.from(cursor ?? '', 'base64url').toString('utf8')).not.toContain(subject);
    expect((await page(null)).nodes.map((n) => n.requestId)).toEqual([`${prefix}-4`, `${prefix}-3`]);
  });

  it('takes outbox deliveries only from the provider itself', async () => {
    const ledger = mesh.subgraphs.get('access')?.url ?? '';
    const response = await fetch(`${ledger}${DISCLOSURES_PATH}?provider=cong-an`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: [] }),
    });
    expect(response.status).toBe(401);
  });
});

/** A fresh database holding only the kit's disclosure log. */
async function logDatabase(): Promise<string> {
  const name = `${uniquePrefix()}log`;
  await ensureDatabase(testServerUrl(), name);
  const url = databaseUrl(testServerUrl(), name);
  await migrate(url, KIT_MIGRATIONS.dir, KIT_MIGRATIONS.table);
  return url;
}

async function writeRecords(url: string, count: number): Promise<void> {
  // Two pools over one database, as two replicas of a subgraph, each record in its own request's
  // transaction: the chain must come out whole however the transactions interleave.
  const replicas = [0, 1].map(() => new Database('test', { connectionString: url, max: 4, statementTimeoutMs: 5000, connectTimeoutMs: 3000 }));
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const recorder = new DisclosureRecorder();
        const fullName = { coordinate: 'Citizen.fullName', category: 'DEFAULT' as const, typeName: 'Citizen', key: (row: object) => (row as { id: string }).id, subject: undefined };
        recorder.sawField(fullName, { id: `05420400000${i % 10}` }, { kind: 'anonymous' });
        const caller = { kind: 'official' as const, officialId: `official-${i}`, agency: 'so-y-te', roles: ['official' as const] };
        const record = disclosureRecord({ requestId: `request-${i}`, caller, purpose: 'kiểm tra', operationName: null, query: '{ x }' }, recorder);
        const replica = replicas[i % 2];
        if (!replica) throw new Error('no replica');
        await new RequestTransaction(replica).commit(disclosureWrite([record]));
      }),
    );
  } finally {
    await Promise.all(replicas.map((replica) => replica.close()));
  }
}

describe('durable answers', () => {
  it("holds a provider's answer until its record's commit has waited for the disk, even where the database's default does not", async () => {
    const url = await logDatabase();
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    const db = new Database('test', { connectionString: url, max: 2, statementTimeoutMs: 5000, connectTimeoutMs: 3000 });
    try {
      // New connections of this database default to commits that do not wait for the disk.
      await owner.query(`ALTER DATABASE ${owner.escapeIdentifier(new URL(url).pathname.slice(1))} SET synchronous_commit = off`);
      // A test fixture, not the product: notes the setting each record's transaction inserts under.
      await owner.query('CREATE TABLE seen (setting text NOT NULL)');
      await owner.query(`CREATE FUNCTION note_setting() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO seen VALUES (current_setting('synchronous_commit')); RETURN NEW; END $$`);
      await owner.query('CREATE TRIGGER note_setting AFTER INSERT ON disclosure.log FOR EACH ROW EXECUTE FUNCTION note_setting()');
      const recorder = new DisclosureRecorder();
      recorder.refuse('Citizen.ethnicGroup', 'NO_GRANT');
      const verified = { caller: { kind: 'anonymous' as const }, requestId: 'durable-answer', decisions: new Map(), disclosure: recorder, transaction: new RequestTransaction(db) };
      const around = answerWithRecord({ agencyName: 'test', logger, verified: () => verified, purpose: () => null, written: () => undefined });
      const answer: HTTPGraphQLResponse = { status: 200, headers: new HeaderMap(), body: { kind: 'complete', string: '{"data":{"citizen":null}}' } };
      const answered = await around(new IncomingMessage(new Socket()), { query: '{ citizen(id: "x") { ethnicGroup { code } } }' }, async () => answer);
      expect(answered).toBe(answer);
      expect((await owner.query<{ setting: string }>('SELECT setting FROM seen')).rows).toEqual([{ setting: 'on' }]);
    } finally {
      await db.close();
      await owner.end();
    }
  });
});

describe('upgrading a provider whose outbox still held records', () => {
  it('starts the relay cursor before the first undelivered record, so none is skipped', async () => {
    const name = `${uniquePrefix()}log`;
    await ensureDatabase(testServerUrl(), name);
    const url = databaseUrl(testServerUrl(), name);
    // The log as it was before migration 002: only the first migration applied.
    const before = mkdtempSync(join(tmpdir(), 'kit-migrations-'));
    copyFileSync(join(KIT_MIGRATIONS.dir, '001_disclosure_log.sql'), join(before, '001_disclosure_log.sql'));
    await migrate(url, before, KIT_MIGRATIONS.table);
    rmSync(before, { recursive: true });
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      const { rows } = await owner.query<{ seq: string; recorded_at: Date }>(
        `INSERT INTO disclosure.log (request_id, caller_kind, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused)
         SELECT 'r' || i, 'anonymous', 'h', '[]', '{}', '{}', '{}', '{}', '[]' FROM generate_series(1, 5) AS i
         RETURNING seq::text, recorded_at`,
      );
      // The first two were delivered (their outbox rows deleted); the last three were not.
      for (const row of rows.slice(2)) await owner.query('INSERT INTO disclosure.outbox (log_seq, recorded_at) VALUES ($1, $2)', [row.seq, row.recorded_at]);
      await migrate(url, KIT_MIGRATIONS.dir, KIT_MIGRATIONS.table);
      // Every chain's cursor (migration 006) starts there: the records before it are all chain 0.
      const cursor = await owner.query<{ through_seq: string; chains: number }>('SELECT through_seq::text, count(*)::int AS chains FROM disclosure.relay_cursor GROUP BY 1');
      expect(cursor.rows).toEqual([{ through_seq: rows[1]?.seq, chains: 8 }]);
    } finally {
      await owner.end();
    }
  });
});

describe('tamper evidence', () => {
  it('verify passes an untouched chain and names the exact record a superuser edited or deleted', async () => {
    const url = await logDatabase();
    // 24 records over 8 chains: at least one chain holds three, so one has records before and after it.
    await writeRecords(url, 24);
    expect(await verifyLog(url, 5)).toEqual({ records: 24, firstBroken: null });

    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      const { rows } = await owner.query<{ seq: string; chain: number }>('SELECT l.seq::text AS seq, l.chain FROM disclosure.log l ORDER BY l.seq');
      const seventh = rows[6]?.seq ?? '';
      await owner.query(`UPDATE disclosure.log SET purpose = 'sửa lén' WHERE seq = $1`, [seventh]);
      expect(await verifyLog(url, 5)).toEqual({ records: 7, firstBroken: { seq: seventh, reason: 'CONTENT_ALTERED' } });
      // The operator's command says the same, and fails.
      const cli = spawnSync('npx', ['tsx', 'scripts/disclosure.ts', 'verify', '--database-url', url], { encoding: 'utf8', timeout: 60_000 });
      expect({ status: cli.status, out: cli.stdout.trim() }).toEqual({
        status: 1,
        out: `HỎNG tại bản ghi seq ${seventh}: nội dung không còn khớp mã băm (đã bị sửa sau khi ghi). (BROKEN at record seq ${seventh}: its content no longer matches its hash (edited after it was written).)`,
      });

      await owner.query(`UPDATE disclosure.log SET purpose = 'kiểm tra' WHERE seq = $1`, [seventh]);
      expect(await verifyLog(url, 5)).toEqual({ records: 24, firstBroken: null });

      // A record with records before and after it in its chain: the next one in that chain breaks.
      const middle = rows.findIndex((row, i) => rows.slice(0, i).some((before) => before.chain === row.chain) && rows.slice(i + 1).some((after) => after.chain === row.chain));
      const removed = rows[middle];
      const next = rows.findIndex((row, i) => i > middle && row.chain === removed?.chain);
      expect(middle).toBeGreaterThanOrEqual(0);
      await owner.query('DELETE FROM disclosure.log WHERE seq = $1', [removed?.seq]);
      expect(await verifyLog(url, 5)).toEqual({ records: next, firstBroken: { seq: rows[next]?.seq, reason: 'CHAIN_BROKEN' } });
    } finally {
      await owner.end();
    }
  });

  it("verify names a chain's newest record removed, or rewritten and sealed again, though no record follows it", async () => {
    const url = await logDatabase();
    await writeRecords(url, 12);
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      const { rows } = await owner.query<{ seq: string }>('SELECT l.seq::text AS seq FROM disclosure.log l ORDER BY l.seq DESC LIMIT 1');
      const newest = rows[0]?.seq ?? '';
      // Rewritten and sealed again: its content matches its hash, and its hash the record before it.
      await owner.query(`SET timezone = 'UTC'`);
      await owner.query(`UPDATE disclosure.log SET purpose = 'sửa lén' WHERE seq = $1`, [newest]);
      await owner.query(`UPDATE disclosure.log l SET hash = disclosure.seal(l.prev_hash, to_jsonb(l) - 'hash' - 'prev_hash' - 'chain') WHERE l.seq = $1`, [newest]);
      expect(await verifyLog(url, 5)).toEqual({ records: 12, firstBroken: { seq: newest, reason: 'HEAD_DIFFERS' } });

      await owner.query('DELETE FROM disclosure.log WHERE seq = $1', [newest]);
      expect(await verifyLog(url, 5)).toEqual({ records: 11, firstBroken: { seq: newest, reason: 'HEAD_MISSING' } });
      const cli = spawnSync('npx', ['tsx', 'scripts/disclosure.ts', 'verify', '--database-url', url], { encoding: 'utf8', timeout: 60_000 });
      expect({ status: cli.status, out: cli.stdout.trim() }).toEqual({
        status: 1,
        out: `HỎNG tại bản ghi seq ${newest}: đó là bản ghi mới nhất của chuỗi và nhật ký không còn nó (bản ghi đã bị xóa). (BROKEN at record seq ${newest}: it was its chain's newest record, and the log no longer has it (records were removed).)`,
      });
    } finally {
      await owner.end();
    }
  });
});

describe('tampering the first walk let pass (an audit)', () => {
  /** A record forged by a superuser past the trigger, sealed like a real one on `prev` in `chain`. */
  const forge = (owner: pg.Client, seq: string, chain: number, prev: string) =>
    owner.query(
      `SET session_replication_role = replica;
       SET timezone = 'UTC';
       INSERT INTO disclosure.log (seq, request_id, caller_kind, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused, prev_hash, hash, chain)
       VALUES (${Number(seq)}, 'forged', 'anonymous', 'h', '[]', '{}', '{}', '[]', '{}', '[]', '${prev}', '', ${chain});
       UPDATE disclosure.log l SET hash = disclosure.seal(l.prev_hash, to_jsonb(l) - 'hash' - 'prev_hash' - 'chain') WHERE l.request_id = 'forged';
       SET session_replication_role = origin;`,
    );

  it('names the first record kept when the oldest were deleted by hand, and passes the same cut made by retention', async () => {
    /** A log with 16 records four months back and 16 of this month, as retention will find it. */
    const agedLog = async (): Promise<string> => {
      const url = await logDatabase();
      const now = new Date();
      await maintainLog(url, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 4, 15)), 12);
      const owner = new pg.Client({ connectionString: url });
      await owner.connect();
      try {
        for (let i = 0; i < 16; i++) {
          await owner.query(
            `INSERT INTO disclosure.log (recorded_at, request_id, caller_kind, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused)
             VALUES (date_trunc('month', now()) - interval '4 months' + make_interval(mins => $1), 'old-' || $1, 'anonymous', 'h', '[]', '{}', '{}', '[]', '{}', '[]')`,
            [i],
          );
        }
      } finally {
        await owner.end();
      }
      await writeRecords(url, 16);
      expect(await verifyLog(url, 5)).toEqual({ records: 32, firstBroken: null });
      return url;
    };

    // By hand, no partition dropped: a chain's first record kept no longer follows anything the log knows.
    const byHand = await agedLog();
    const owner = new pg.Client({ connectionString: byHand });
    await owner.connect();
    try {
      await owner.query(`DELETE FROM disclosure.log WHERE request_id LIKE 'old-%'`);
    } finally {
      await owner.end();
    }
    expect((await verifyLog(byHand, 5)).firstBroken?.reason).toBe('CHAIN_BROKEN');

    // By retention (a floor of 3 months, the old records four months back): the chains go on from where it cut them.
    const byRetention = await agedLog();
    const { dropped } = await maintainLog(byRetention, new Date(), 3);
    expect(dropped.length).toBeGreaterThan(0);
    expect(await verifyLog(byRetention, 5)).toEqual({ records: 16, firstBroken: null });
  });

  it('names a forged chain start, a record after its chain\'s head, a copied seq, and a log emptied by dropping its partitions', async () => {
    const url = await logDatabase();
    await writeRecords(url, 4);
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      const { rows: heads } = await owner.query<{ chain: number; seq: string | null; hash: string }>('SELECT chain, seq::text AS seq, hash FROM disclosure.chain_head ORDER BY chain');
      const unused = heads.find((head) => head.seq === null);
      const used = heads.find((head) => head.seq !== null);
      if (!unused || !used?.seq) throw new Error('expected used and unused chains after 4 records');
      const next = String(BigInt((await owner.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM disclosure.log')).rows[0]?.seq ?? '0') + 1n);

      // A chain of its own, started from zeros on a chain that has none.
      await forge(owner, next, unused.chain, '0'.repeat(64));
      expect(await verifyLog(url, 2)).toEqual({ records: 5, firstBroken: { seq: next, reason: 'AFTER_HEAD' } });
      await owner.query(`DELETE FROM disclosure.log WHERE request_id = 'forged'`);

      // Chained on a real head, as the trigger would have, but without moving the head.
      await forge(owner, next, used.chain, used.hash);
      expect(await verifyLog(url, 2)).toEqual({ records: 5, firstBroken: { seq: next, reason: 'AFTER_HEAD' } });
      await owner.query(`DELETE FROM disclosure.log WHERE request_id = 'forged'`);

      // A copy of a record under its own seq, on a page boundary (pages of 2), past the trigger.
      const second = (await owner.query<{ seq: string }>('SELECT seq::text AS seq FROM disclosure.log ORDER BY seq OFFSET 1 LIMIT 1')).rows[0]?.seq ?? '';
      await owner.query('SET session_replication_role = replica');
      await owner.query(
        `INSERT INTO disclosure.log (seq, recorded_at, request_id, caller_kind, consumer_agency, official, roles, citizen_id, purpose, operation_name, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused, prev_hash, hash, chain)
         SELECT seq, recorded_at + interval '1 second', request_id, caller_kind, consumer_agency, official, roles, citizen_id, purpose, operation_name, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused, prev_hash, hash, chain
           FROM disclosure.log WHERE seq = $1`,
        [second],
      );
      await owner.query('SET session_replication_role = origin');
      expect((await verifyLog(url, 2)).firstBroken).toEqual({ seq: second, reason: 'DUPLICATE' });
      await owner.query(`DELETE FROM disclosure.log WHERE seq = $1 AND recorded_at = (SELECT max(recorded_at) FROM disclosure.log WHERE seq = $1)`, [second]);
      expect(await verifyLog(url, 2)).toEqual({ records: 4, firstBroken: null });

      // Every partition holding records dropped by hand: the chains' heads are missing.
      const { rows: holding } = await owner.query<{ name: string }>('SELECT DISTINCT tableoid::regclass::text AS name FROM disclosure.log');
      for (const { name } of holding) await owner.query(`DROP TABLE ${name}`);
      expect((await verifyLog(url, 2)).firstBroken?.reason).toBe('HEAD_MISSING');
    } finally {
      await owner.end();
    }
  });
});

describe('the chain heads', () => {
  it('sealing a record reads no partition of the log, however many months it keeps', async () => {
    const url = await logDatabase();
    // Thirteen months of partitions, as the default retention of 12 keeps, each with records.
    const now = new Date();
    for (let back = 12; back >= 0; back--) await maintainLog(url, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 15)), 12);
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      const partitions = async () =>
        (await owner.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'disclosure.log'::regclass ORDER BY 1`)).rows.map((row) => row.name);
      expect((await partitions()).length).toBeGreaterThanOrEqual(16);
      for (let back = 12; back >= 0; back--) {
        // A record in that month's partition, chained like any other.
        await owner.query(
          `INSERT INTO disclosure.log (recorded_at, request_id, caller_kind, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused)
           VALUES (date_trunc('month', now()) - make_interval(months => $1) + interval '3 days', 'month-' || $1, 'anonymous', 'h', '[]', '{}', '{}', '{}', '{}', '[]')`,
          [back],
        );
      }
      await writeRecords(url, 8);
      expect(await verifyLog(url, 5)).toEqual({ records: 21, firstBroken: null });

      // A provider's record, in a transaction of its own: the only partition it locks is the one it lands in.
      await owner.query('BEGIN');
      await owner.query(
        `INSERT INTO disclosure.log (request_id, caller_kind, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused)
         VALUES ('locks', 'anonymous', 'h', '[]', '{}', '{}', '{}', '{}', '[]')`,
      );
      const locked = await owner.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
          WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
            AND c.oid IN (SELECT i.inhrelid FROM pg_inherits i WHERE i.inhparent = 'disclosure.log'::regclass)`,
      );
      const landed = await owner.query<{ name: string }>(`SELECT l.tableoid::regclass::text AS name FROM disclosure.log l WHERE l.request_id = 'locks'`);
      await owner.query('ROLLBACK');
      expect(locked.rows.map((row) => row.name)).toEqual([landed.rows[0]?.name.replace('disclosure.', '')]);
    } finally {
      await owner.end();
    }
  });

  it('continues the chains of a log written before the heads were kept', async () => {
    const name = `${uniquePrefix()}log`;
    await ensureDatabase(testServerUrl(), name);
    const url = databaseUrl(testServerUrl(), name);
    // The log as it was before migration 008, with records on its chains.
    const before = mkdtempSync(join(tmpdir(), 'kit-migrations-'));
    for (const file of readdirSync(KIT_MIGRATIONS.dir).filter((file) => file < '008')) copyFileSync(join(KIT_MIGRATIONS.dir, file), join(before, file));
    await migrate(url, before, KIT_MIGRATIONS.table);
    rmSync(before, { recursive: true });
    await writeRecords(url, 16);
    await migrate(url, KIT_MIGRATIONS.dir, KIT_MIGRATIONS.table);
    await writeRecords(url, 16);
    expect(await verifyLog(url, 5)).toEqual({ records: 32, firstBroken: null });
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      // Each chain's records from before go on: no chain starts again from the zero hash.
      const restarted = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM disclosure.log WHERE prev_hash = repeat('0', 64)`);
      const chains = await owner.query<{ n: number }>('SELECT count(DISTINCT chain)::int AS n FROM disclosure.log');
      expect(restarted.rows[0]?.n).toBe(chains.rows[0]?.n);
    } finally {
      await owner.end();
    }
  });
});

describe('the chains', () => {
  it('a record takes a free chain while others are held, and waits only when all eight are', async () => {
    const url = await logDatabase();
    const db = new Database('test', { connectionString: url, max: 2, statementTimeoutMs: 10_000, connectTimeoutMs: 3000 });
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    const write = (requestId: string) => {
      const recorder = new DisclosureRecorder();
      recorder.sawField({ coordinate: 'Citizen.fullName', category: 'DEFAULT', typeName: 'Citizen', key: undefined, subject: undefined }, {}, { kind: 'anonymous' });
      const record = disclosureRecord({ requestId, caller: { kind: 'anonymous' }, purpose: null, operationName: null, query: '{ x }' }, recorder);
      return new RequestTransaction(db).commit(disclosureWrite([record]));
    };
    const chainOf = async (requestId: string) => (await holder.query<{ chain: number }>('SELECT chain FROM disclosure.log WHERE request_id = $1', [requestId])).rows[0]?.chain;
    try {
      // Seven chains busy, as seven long commits would hold them: the record goes to the eighth at once.
      await holder.query('SELECT pg_advisory_lock(470120, chain) FROM generate_series(0, 6) AS chain');
      await write('free-chain');
      expect(await chainOf('free-chain')).toBe(7);

      // All eight busy: it waits on a chain's lock until that chain is free.
      await holder.query('SELECT pg_advisory_lock(470120, 7)');
      let done = false;
      const waiting = write('all-busy').then(() => (done = true));
      let waits = 0;
      for (let attempt = 0; attempt < 200 && waits === 0; attempt++) {
        const { rows } = await holder.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query ~ 'writeDisclosures'`,
        );
        waits = rows[0]?.n ?? 0;
        if (waits === 0) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect({ waits, done }).toEqual({ waits: 1, done: false });
      await holder.query('SELECT pg_advisory_unlock_all()');
      await waiting;
      expect(await chainOf('all-busy')).toEqual(expect.any(Number));
      expect(await verifyLog(url)).toEqual({ records: 2, firstBroken: null });
    } finally {
      await holder.end();
      await db.close();
    }
  });
});

describe('the relay over the chains', () => {
  it('delivers a record that commits after a later record of another chain: each chain has its own cursor', async () => {
    const url = await logDatabase();
    const db = new Database('test', { connectionString: url, max: 2, statementTimeoutMs: 10_000, connectTimeoutMs: 3000 });
    const delivered: string[] = [];
    const relay = new OutboxRelay(db, async (records) => void delivered.push(...records.map((record) => (record as { requestId: string }).requestId)), pino({ level: 'silent' }));
    const slow = new pg.Client({ connectionString: url });
    await slow.connect();
    const insert = `INSERT INTO disclosure.log (request_id, caller_kind, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused)
                    VALUES ($1, 'anonymous', 'h', '[]', '{}', '{}', '[]', '{}', '[]') RETURNING seq::text, chain`;
    try {
      // The slow transaction takes a seq and a chain, and has not committed yet.
      await slow.query('BEGIN');
      const early = (await slow.query<{ seq: string; chain: number }>(insert, ['early'])).rows[0];
      // A later record, on another chain (the slow one's is held), commits first and is relayed.
      const late = (await db.many(statement('lateRecord', insert, z.object({ seq: z.string(), chain: z.number() })), ['late']))[0];
      expect(BigInt(late?.seq ?? 0)).toBeGreaterThan(BigInt(early?.seq ?? 0));
      expect(late?.chain).not.toBe(early?.chain);
      expect(await relay.drain()).toBe(1);
      expect(delivered).toEqual(['late']);
      // The earlier seq commits now: still after its own chain's cursor, so it is delivered.
      await slow.query('COMMIT');
      expect(await relay.drain()).toBe(1);
      expect(delivered).toEqual(['late', 'early']);
      expect(await relay.drain()).toBe(0);
    } finally {
      await slow.end();
      await db.close();
    }
  });
});

describe('the log against the ledger', () => {
  it("verify finds the newest records removed, or a record rewritten, against the ledger's copy, even with the chains' heads set back to match", async () => {
    const citizens = mesh.ownerUrls.get('citizens') ?? '';
    const ledger = mesh.ownerUrls.get('access') ?? '';
    // A record before the one removed below, whichever tests ran first: the log keeps something older.
    await asAgency('so-y-te', `query Before { citizen(id: "${citizen0}") { fullName } }`);
    const { requestId } = await asAgency('so-y-te', `query Anchored { citizen(id: "${citizen0}") { fullName } }`);
    const [record] = await recordsOf(requestId);
    const seq = String(record?.seq);
    const waiting = await openLedgerCopies(ledger, 'cong-an');
    try {
      // The relay delivers about a second after the answer; the ledger keeps each record's hash.
      const copied = async () => (await waiting.copies('-1', 1_000_000)).some((copy) => copy.seq === seq);
      for (let waited = 0; !(await copied()) && waited < 10_000; waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await copied()).toBe(true);
    } finally {
      await waiting.close();
    }
    // Opened once the record is in the ledger, as verify opens it before reading the log.
    const ledgerCopies = await openLedgerCopies(ledger, 'cong-an');
    try {
      expect(await verifyLog(citizens, 5000, ledgerCopies.copies)).toMatchObject({ firstBroken: null });
      // Pages of 1 walk the log and the ledger's copies side by side, page after page.
      expect(await verifyLog(citizens, 1, ledgerCopies.copies)).toMatchObject({ firstBroken: null });
      const rewritten: LedgerCopies = async (after, limit) =>
        (await ledgerCopies.copies(after, limit)).map((copy) => (copy.seq === seq ? { seq, hash: '0'.repeat(64) } : copy));
      expect(await verifyLog(citizens, 5000, rewritten)).toMatchObject({ firstBroken: { seq, reason: 'DIFFERS_FROM_LEDGER' } });

      // A superuser removes the newest records, and sets each chain's head back to the record that is
      // left: the chains are then whole and their heads match, so only the ledger shows it.
      const owner = new pg.Client({ connectionString: citizens });
      await owner.connect();
      try {
        await owner.query('DELETE FROM disclosure.log WHERE seq >= $1', [seq]);
        await owner.query(
          `UPDATE disclosure.chain_head h SET seq = l.seq, recorded_at = l.recorded_at, hash = l.hash, prev_hash = l.prev_hash
             FROM (SELECT DISTINCT ON (chain) chain, seq, recorded_at, hash, prev_hash FROM disclosure.log ORDER BY chain, seq DESC) l
            WHERE h.chain = l.chain`,
        );
        // A chain left with no record at all is set back to its start.
        await owner.query(
          `UPDATE disclosure.chain_head h SET seq = NULL, recorded_at = NULL, hash = repeat('0', 64), prev_hash = NULL
            WHERE NOT EXISTS (SELECT 1 FROM disclosure.log l WHERE l.chain = h.chain)`,
        );
      } finally {
        await owner.end();
      }
      expect(await verifyLog(citizens)).toMatchObject({ firstBroken: null });
      expect(await verifyLog(citizens, 5000, ledgerCopies.copies)).toMatchObject({ firstBroken: { seq, reason: 'MISSING' } });
      // Records written since, chained to what was left and copied to the ledger too, do not hide it.
      const later = await asAgency('so-y-te', `query AfterRemoval { citizen(id: "${citizen0}") { fullName } }`);
      const [next] = await recordsOf(later.requestId);
      for (let waited = 0; !(await ledgerCopies.copies(seq, 1_000_000)).some((copy) => copy.seq === String(next?.seq)) && waited < 10_000; waited += 200) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await verifyLog(citizens)).toMatchObject({ firstBroken: null });
      expect(await verifyLog(citizens, 5000, ledgerCopies.copies)).toMatchObject({ firstBroken: { seq, reason: 'MISSING' } });
    } finally {
      await ledgerCopies.close();
    }
    const cli = spawnSync('npx', ['tsx', 'scripts/disclosure.ts', 'verify', '--database-url', citizens, '--ledger-database-url', ledger, '--agency', 'cong-an'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: cli.status, out: cli.stdout.trim() }).toEqual({
      status: 1,
      out: `HỎNG tại bản ghi seq ${seq}: sổ cái đã nhận bản ghi này và nhật ký không còn nó (bản ghi đã bị xóa). (BROKEN at record seq ${seq}: the ledger received this record, and the log no longer has it (records were removed).)`,
    });
    // A mistaken --agency is said as one (exit 2, nothing compared), not as a rewritten log nor as every
    // relayed record skipped: another database's log compared with this agency's records, and this log
    // under a code the ledger holds nothing of (an agency that provides no data).
    const other = await logDatabase();
    await writeRecords(other, 4);
    for (const [database, agency] of [[other, 'cong-an'], [citizens, 'so-y-te']] as const) {
      const mistaken = spawnSync('npx', ['tsx', 'scripts/disclosure.ts', 'verify', '--database-url', database, '--ledger-database-url', ledger, '--agency', agency], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ agency, status: mistaken.status, out: mistaken.stdout, err: mistaken.stderr.trim() }).toEqual({
        agency,
        status: 2,
        out: '',
        err: expect.stringContaining(`The ledger holds none of this log's records under agency ${agency}`),
      });
    }
  });
});

interface Gap {
  provider: { code: string };
  chain: number;
  afterSeq: string | null;
  afterRecordedAt: string | null;
  beforeSeq: string;
  beforeRecordedAt: string;
  kind: string;
}

/**
 * The gaps governance sees in `provider`'s relayed chains: asked with the provider filter, or among
 * all the gaps (a code no directory agency has, with no gap, is refused as a mistyped code).
 */
async function gapsOf(provider: string, { filtered = true } = {}): Promise<Gap[]> {
  const token = await mesh.token(official('so-khcn', 'governance'));
  const response = await execute<{ disclosureGaps: { nodes: Gap[] } }, never>(
    graphql,
    `{ disclosureGaps(${filtered ? `provider: "${provider}", ` : ''}first: 100) { nodes { provider { code } chain afterSeq afterRecordedAt beforeSeq beforeRecordedAt kind } } }`,
    undefined,
    { authorization: `Bearer ${token}` },
  );
  if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
  return (response.body.data?.disclosureGaps.nodes ?? []).filter((gap) => gap.provider.code === provider);
}

/**
 * A provider of the test's own: a log database of its own, delivering to the mesh's ledger under a
 * fresh agency code. Its records are written one at a time on one connection, so they take one chain.
 * `relay(sink)` relays its log through `sink` (by default `deliver`, as a provider's relay does).
 */
async function ownProvider() {
  const url = await logDatabase();
  const code = `gap-${randomBytes(4).toString('hex')}`;
  const secret = ledgerReaderSecret(mesh.keys.gatewaySecret, code);
  const ledgerUrl = mesh.subgraphs.get('access')?.url ?? '';
  const db = new Database('test', { connectionString: url, max: 2, statementTimeoutMs: 10_000, connectTimeoutMs: 3000 });
  const writer = new pg.Client({ connectionString: url });
  await writer.connect();
  const deliver = (records: readonly unknown[]) => deliverDisclosures(ledgerUrl, code, secret, records, 5000);
  return {
    url,
    code,
    writer,
    deliver,
    relay: (sink: (records: readonly unknown[]) => Promise<void> = deliver) => new OutboxRelay(db, sink, pino({ level: 'silent' })),
    /** The ledger's copies of this provider's records, as `verify` takes them; open it before verify reads the log. */
    copies: () => openLedgerCopies(mesh.ownerUrls.get('access') ?? '', code),
    write: async (requestId: string) => {
      const row = (
        await writer.query<{ seq: string; chain: number; recorded_at: Date }>(
          `INSERT INTO disclosure.log (request_id, caller_kind, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused)
           VALUES ($1, 'anonymous', 'h', '[]', '{}', '{}', '[]', '{}', '[]') RETURNING seq::text, chain, recorded_at`,
          [requestId],
        )
      ).rows[0];
      if (!row) throw new Error('no record written');
      return row;
    },
    close: async () => {
      await writer.end();
      await db.close();
    },
  };
}

describe('the ledger checks each chain as it arrives', () => {
  it('shows governance the records a relay skipped, and a chain set back, each between the two records around it', async () => {
    const own = await ownProvider();
    const { url, code: provider, writer, write } = own;
    const relay = own.relay();
    const afterward: Array<() => Promise<void>> = [];
    try {
      const first = await write('first');
      const second = await write('second');
      expect(await relay.drain()).toBe(2);
      expect(await gapsOf(provider, { filtered: false })).toEqual([]);
      const copies = await own.copies();
      afterward.push(() => copies.close());
      expect(await verifyLog(url, 5000, copies.copies)).toMatchObject({ firstBroken: null });

      // A compromised application moves the relay's cursor past a record before it is delivered:
      // the record never reaches the ledger, and the next one delivered does not follow the last received.
      const skipped = await write('skipped');
      await writer.query('SELECT * FROM disclosure.relay_delivered($1::smallint[], $2::bigint[])', [[skipped.chain], [skipped.seq]]);
      const after = await write('after-skip');
      expect(await relay.drain()).toBe(1);
      expect(await gapsOf(provider)).toEqual([
        {
          provider: { code: provider },
          chain: after.chain,
          afterSeq: second.seq,
          afterRecordedAt: second.recorded_at.toISOString(),
          beforeSeq: after.seq,
          beforeRecordedAt: after.recorded_at.toISOString(),
          kind: 'SKIPPED',
        },
      ]);
      // The provider's own verify, given the ledger's copies, names the record skipped.
      expect(await verifyLog(url, 5000, copies.copies)).toMatchObject({ firstBroken: { seq: skipped.seq, reason: 'NOT_RELAYED' } });

      // A superuser removes the two newest records and sets the chain's head back to the first: the
      // next record follows a record older than the last the ledger received.
      await writer.query('DELETE FROM disclosure.log WHERE seq > $1', [first.seq]);
      await writer.query(
        `UPDATE disclosure.chain_head h SET seq = l.seq, recorded_at = l.recorded_at, hash = l.hash, prev_hash = l.prev_hash
           FROM disclosure.log l WHERE l.seq = $1 AND h.chain = l.chain`,
        [first.seq],
      );
      const resumed = await write('resumed');
      expect(await relay.drain()).toBe(1);
      const gaps = await gapsOf(provider);
      expect(gaps[0]).toMatchObject({ chain: resumed.chain, afterSeq: after.seq, beforeSeq: resumed.seq, kind: 'SET_BACK' });
      expect(gaps).toHaveLength(2);
      expect(await gapsOf(provider, { filtered: false })).toEqual(gaps);

      // A citizen's view of who saw their data says which periods it may lack, whoever's data they were,
      // when asked (the list alone does not read the gaps).
      const token = await mesh.token({ kind: 'citizen', sub: citizen0 });
      const view = await execute<{ myDisclosures: { gaps: Array<{ provider: string; providerName: string; from: string | null; until: string }> } }, never>(
        graphql,
        '{ myDisclosures(first: 1) { gaps { provider providerName from until } } }',
        undefined,
        { authorization: `Bearer ${token}` },
      );
      expect(view.body.errors).toBeUndefined();
      const stated = (view.body.data?.myDisclosures.gaps ?? []).filter((gap) => gap.provider === provider);
      // The records skipped are missing from the ledger; those a set-back removed from the log are not.
      expect(stated).toEqual([{ provider, providerName: provider, from: second.recorded_at.toISOString(), until: after.recorded_at.toISOString() }]);

    } finally {
      for (const close of afterward) await close();
      await own.close();
    }
  });

  it('leaves a relay that skips a record and misstates the next one\'s previous hash to verify, which names the skipped record', async () => {
    const own = await ownProvider();
    type Payload = { requestId: string; hash: string; prevHash: string };
    let lastHash = '';
    // A relay that drops the record 'hidden' and says the one after it follows the last it delivered.
    const lying = own.relay(async (records) => {
      const sent = (records as Payload[]).filter((record) => record.requestId !== 'hidden').map((record) => ({ ...record, prevHash: lastHash || record.prevHash }));
      await own.deliver(sent);
      lastHash = sent[sent.length - 1]?.hash ?? lastHash;
    });
    const copies = await own.copies();
    const { url, code: provider } = own;
    const write = async (requestId: string) => (await own.write(requestId)).seq;
    try {
      await write('before');
      await lying.drain();
      const hidden = await write('hidden');
      const next = await write('next');
      await lying.drain();
      // The ledger sees a chain that holds together, so it can find no gap ...
      expect(await gapsOf(provider, { filtered: false })).toEqual([]);
      // ... but the relay's cursor passed a record the ledger never received.
      expect(await verifyLog(url, 5000, copies.copies)).toMatchObject({ firstBroken: { seq: hidden, reason: 'NOT_RELAYED' } });
      // Were the skipped record gone from the log too (retention), the misstated previous hash shows at the next.
      const held: LedgerCopies = async (after, limit) => {
        const real = await copies.copies(after, limit);
        return BigInt(after) < BigInt(hidden) ? [...real, { seq: hidden, hash: null }].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)) : real;
      };
      expect(await verifyLog(url, 5000, held)).toMatchObject({ firstBroken: { seq: next, reason: 'DIFFERS_FROM_LEDGER' } });
    } finally {
      await copies.close();
      await own.close();
    }
  });

  it('refuses a record without its chain once the provider has sent chains, which waits in the outbox for an upgraded relay; names a record sent again changed as REWRITTEN', async () => {
    const own = await ownProvider();
    const { code: provider, write } = own;
    type Payload = { seq: number; hash: string; chain?: number; prevHash?: string };
    const sent: Payload[] = [];
    let older = false;
    // One relay, as two versions of it would deliver during a rolling upgrade: the older sends no chain.
    const relay = own.relay(async (records) => {
      const payloads = (records as Payload[]).map(({ chain, prevHash, ...rest }) => (older ? rest : { ...rest, chain, prevHash }));
      await own.deliver(payloads);
      sent.push(...payloads);
    });
    try {
      await write('r1');
      await write('r2');
      await relay.drain();
      // A relay from before chains, left running beside the upgraded one: the ledger takes nothing
      // from it that it cannot check, and the record stays in the outbox.
      older = true;
      await write('r3');
      await expect(relay.drain()).rejects.toThrow(/answered 409: .*CHAIN_REQUIRED|Records must carry their chain/);
      expect(sent).toHaveLength(2);
      older = false;
      expect(await relay.drain()).toBe(1);
      await write('r4');
      await relay.drain();
      expect(sent.map((payload) => payload.chain ?? null)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)]);
      expect(await gapsOf(provider, { filtered: false })).toEqual([]);

      // r2 sent again, its hash changed: the ledger keeps the first copy and names the second.
      const second = sent[1];
      if (!second) throw new Error('r2 was not sent');
      await own.deliver([{ ...second, hash: 'f'.repeat(64) }]);
      expect(await gapsOf(provider)).toEqual([expect.objectContaining({ chain: second.chain, afterSeq: null, beforeSeq: String(second.seq), kind: 'REWRITTEN' })]);
      const copies = await own.copies();
      try {
        expect((await copies.copies('-1', 10)).find((copy) => copy.seq === String(second.seq))?.hash).toBe(second.hash);
      } finally {
        await copies.close();
      }

      // One delivery holding a record twice, with two hashes, out of its chain: two gaps at one seq,
      // both listed, page after page of one.
      const forged = { ...second, seq: 1_000_000, prevHash: 'e'.repeat(64) };
      await own.deliver([{ ...forged, hash: 'a'.repeat(64) }, { ...forged, hash: 'b'.repeat(64) }]);
      const token = await mesh.token(official('so-khcn', 'governance'));
      const kinds: string[] = [];
      let after: string | null = null;
      do {
        const response: GraphQLResponse<{ disclosureGaps: { nodes: Gap[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } }> = await execute(
          graphql,
          'query Gaps($provider: String, $after: String) { disclosureGaps(provider: $provider, first: 1, after: $after) { nodes { provider { code } chain afterSeq afterRecordedAt beforeSeq beforeRecordedAt kind } pageInfo { endCursor hasNextPage } } }',
          { provider, after },
          { authorization: `Bearer ${token}` },
        );
        const page = response.body.data?.disclosureGaps;
        if (!page) throw new Error(JSON.stringify(response.body.errors));
        kinds.push(...page.nodes.map((gap) => `${gap.beforeSeq}:${gap.kind}`));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(kinds.sort()).toEqual(['1000000:REWRITTEN', '1000000:SKIPPED', `${second.seq}:REWRITTEN`]);
    } finally {
      await own.close();
    }
  });

  it('verify, with the mesh answering as it runs, does not take a record relayed after it read the log for one removed', async () => {
    const own = await ownProvider();
    const { url, write } = own;
    const relay = own.relay();
    const copies = await own.copies();
    try {
      await write('before');
      await relay.drain();
      // verify reads the ledger's copies only once its snapshot of the log is taken: a record written
      // and relayed at that moment is in the ledger and not in the snapshot.
      let raced = false;
      const racing: LedgerCopies = async (after, limit) => {
        if (!raced) {
          raced = true;
          await write('during');
          expect(await relay.drain()).toBe(1);
        }
        return copies.copies(after, limit);
      };
      expect(await verifyLog(url, 5000, racing)).toMatchObject({ firstBroken: null });
      expect(raced).toBe(true);
    } finally {
      await copies.close();
      await own.close();
    }
  });

  it("finds no gap in the providers' own chains, relayed as the mesh runs them", async () => {
    // Records on several chains, written by many requests at once and relayed by each provider's outbox.
    await Promise.all(Array.from({ length: 12 }, (_, i) => asAgency('so-y-te', `query Busy${i} { citizen(id: "${citizen0}") { fullName enterprises { name } } }`)));
    const { requestId } = await asAgency('so-y-te', `{ citizen(id: "${citizen0}") { fullName enterprises { name } } }`);
    const ledger = new pg.Client({ connectionString: mesh.ownerUrls.get('access') });
    await ledger.connect();
    try {
      await within(VIEW_BOUND_MS, async () => {
        const { rows } = await ledger.query("SELECT 1 FROM disclosures WHERE provider_agency = 'so-tai-chinh' AND request_id = $1", [requestId]);
        return rows.length > 0 ? true : null;
      });
    } finally {
      await ledger.end();
    }
    // cong-an's chains are set back by the test of the log against the ledger; so-tai-chinh's are untouched.
    expect(await gapsOf('so-tai-chinh')).toEqual([]);
  });

  it('refuses the gaps to an agency official, and an unknown provider code with a code', async () => {
    const token = await mesh.token(official('so-y-te'));
    const refused = await execute<unknown, never>(graphql, '{ disclosureGaps { nodes { beforeSeq } } }', undefined, { authorization: `Bearer ${token}` });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const governance = await mesh.token(official('so-khcn', 'governance'));
    const unknown = await execute<unknown, never>(graphql, '{ disclosureGaps(provider: "citizens") { nodes { beforeSeq } } }', undefined, { authorization: `Bearer ${governance}` });
    expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'provider' });
  });
});

describe('what the application role may not set', () => {
  it('may not choose a record\'s time, write a chain out of month order, or move the relay\'s cursors itself', async () => {
    const url = await logDatabase();
    const appUrl = await ensureAppRole(url);
    const app = new pg.Client({ connectionString: appUrl });
    const owner = new pg.Client({ connectionString: url });
    await app.connect();
    await owner.connect();
    const insert = (recordedAt: string | null) =>
      app.query(
        `INSERT INTO disclosure.log (recorded_at, request_id, caller_kind, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused)
         VALUES (coalesce($1::timestamptz, now()), 'guard', 'anonymous', 'h', '[]', '{}', '{}', '[]', '{}', '[]')`,
        [recordedAt],
      );
    try {
      // A time in a month retention drops next, or in no month's partition: refused.
      for (const time of ['1999-01-01T00:00:00Z', new Date(Date.now() - 200 * 86_400_000).toISOString()]) {
        await expect(insert(time)).rejects.toMatchObject({ code: '42501' });
      }
      await insert(null);
      expect(await verifyLog(url)).toEqual({ records: 1, firstBroken: null });

      // Every chain's newest record in next month (as one that began later would be, committed
      // first): a record of this month would follow it in its chain, and is refused as out of order.
      await owner.query(`UPDATE disclosure.chain_head SET recorded_at = date_trunc('month', now()) + interval '1 month'`);
      await expect(insert(null)).rejects.toMatchObject({ code: '40001' });

      await expect(app.query('UPDATE disclosure.relay_cursor SET through_seq = 9000000000000000000')).rejects.toMatchObject({ code: '42501' });
      // Through the owner's function, forward only and never past a chain's newest record.
      const { rows: heads } = await owner.query<{ chain: number; seq: string }>('SELECT chain, seq::text AS seq FROM disclosure.chain_head WHERE seq IS NOT NULL');
      const head = heads[0];
      if (!head) throw new Error('no chain has a record');
      await app.query('SELECT * FROM disclosure.relay_delivered($1::smallint[], $2::bigint[])', [[head.chain], ['9000000000000000000']]);
      await app.query('SELECT * FROM disclosure.relay_delivered($1::smallint[], $2::bigint[])', [[head.chain], ['0']]);
      const cursor = await owner.query<{ through_seq: string }>('SELECT through_seq::text FROM disclosure.relay_cursor WHERE chain = $1', [head.chain]);
      expect(cursor.rows[0]?.through_seq).toBe(head.seq);
    } finally {
      await app.end();
      await owner.end();
    }
  });
});

describe('the chain and time zones', () => {
  it('seals a record the same whatever the time zone of the session that writes it', async () => {
    const url = await logDatabase();
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    try {
      // The trigger seals under its own UTC setting, and verify renders the time in a UTC session.
      // Times with trailing zeros in their fraction (which the rendering trims), with a full fraction,
      // and on a whole second, written from zones a whole hour and a half hour off UTC.
      for (const zone of ['UTC', 'Asia/Ho_Chi_Minh', 'America/St_Johns']) {
        await writer.query(`SET timezone = '${zone}'`);
        for (const time of ['2026-12-02T07:41:02.120Z', '2026-12-02T23:59:59.123456Z', '2026-12-02T00:00:00Z']) {
          await writer.query(
            `INSERT INTO disclosure.log (recorded_at, request_id, caller_kind, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused)
             VALUES ($1, $2, 'anonymous', 'h', '[]', '{}', '{}', '[]', '{}', '[]')`,
            [time, `zone-${zone}-${time}`],
          );
        }
      }
    } finally {
      await writer.end();
    }
    expect(await verifyLog(url)).toEqual({ records: 9, firstBroken: null });
  });
});

describe('retention', () => {
  it(`never drops a partition younger than the floor, month after month on a shifted clock, and drops the older ones`, async () => {
    const url = await logDatabase();
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    const partitions = async () =>
      (await owner.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'disclosure' AND tablename ~ '^log_\\d{4}_\\d{2}$'`)).rows
        .map((row) => row.name)
        .sort();
    /** The first instant after the month a partition holds. */
    const endOf = (name: string) => {
      const [, year, month] = /^log_(\d{4})_(\d{2})$/.exec(name) ?? [];
      return Date.UTC(Number(year), Number(month), 1);
    };
    try {
      const months = RETENTION_FLOOR_MONTHS;
      const droppedEver: string[] = [];
      for (let step = 0; step < 18; step++) {
        const now = new Date(Date.UTC(2025, step, 17, 12));
        const floor = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1);
        const before = await partitions();
        const { dropped } = await maintainLog(url, now, months);
        droppedEver.push(...dropped);
        const after = new Set(await partitions());
        for (const name of before) {
          // A partition holding any day younger than the floor survives; one wholly older is gone.
          expect({ name, kept: after.has(name) }).toEqual({ name, kept: endOf(name) > floor });
        }
        for (const name of dropped) expect(endOf(name)).toBeLessThanOrEqual(floor);
      }
      // After 18 months at a 3-month retention, the first year's partitions are gone and the last months kept.
      expect(droppedEver).toContain('log_2025_01');
      expect(await partitions()).toEqual(['log_2026_03', 'log_2026_04', 'log_2026_05', 'log_2026_06', 'log_2026_07', 'log_2026_08']);
    } finally {
      await owner.end();
    }
  });

  it('reads partition bounds the same whatever the database\'s DateStyle, so no young month is dropped', async () => {
    const url = await logDatabase();
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      // Day before month: read as ISO by JavaScript, 1 June became 6 January, and young months went.
      await owner.query(`ALTER DATABASE ${owner.escapeIdentifier(new URL(url).pathname.slice(1))} SET datestyle = 'SQL, DMY'`);
      for (let month = 4; month <= 12; month++) await maintainLog(url, new Date(Date.UTC(2026, month, 10)), 12);
      const { dropped } = await maintainLog(url, new Date(Date.UTC(2027, 1, 2)), 12);
      expect(dropped).toEqual([]);
    } finally {
      await owner.end();
    }
  });

  it('lets replicas starting together maintain the log at once: one after the other, each finding the other\'s work done', async () => {
    const url = await logDatabase();
    const results = await Promise.all(Array.from({ length: 4 }, () => maintainLog(url, new Date(Date.UTC(2026, 6, 10)), 3)));
    // Whichever ran first created the months; the others found them, and none failed on them.
    expect(results.flatMap((result) => result.created).sort()).toEqual(['log_2026_07', 'log_2026_08', 'log_2026_09']);
  });

  it('refuses a retention under 3 months, in maintenance and in a subgraph configuration', async () => {
    const url = await logDatabase();
    await expect(maintainLog(url, new Date(), 2)).rejects.toThrow(/must be whole months, at least 3/);
    expect(() => parseConfig(subgraphEnvSchema, { DATABASE_URL: 'postgres://x@127.0.0.1/db', DISCLOSURE_RETENTION_MONTHS: '2' })).toThrow(
      /DISCLOSURE_RETENTION_MONTHS: phải là số tháng nguyên, ít nhất 3 .*\(must be whole months, at least 3\)/,
    );
  });

  it('exits 2, bad usage, on an unknown command: exit 1 means a broken log', () => {
    const run = spawnSync('npx', ['tsx', 'scripts/disclosure.ts', 'verfy', '--subgraph', 'citizens'], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 2, stderr: expect.stringContaining("unknown command 'verfy'") });
  });

  it('names the known subgraphs, and no file path, when a command is given one that does not exist', () => {
    for (const [command, status] of [[['scripts/disclosure.ts', 'verify', '--subgraph', 'nope'], 2], [['subgraphs/kit/run.ts', 'nope'], 1]] as const) {
      const run = spawnSync('npx', ['tsx', ...command], { encoding: 'utf8', timeout: 60_000 });
      expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({
        status,
        stderr: expect.stringMatching(/^no agency subgraph "nope": subgraphs\/<name>\/agency\.json is missing \(known: .*citizens.*tourism.*\)$/),
      });
    }
  });

  it('says that the access ledger keeps no disclosure log, and that a database without one has none, without a PostgreSQL message', () => {
    const ledger = spawnSync('npx', ['tsx', 'scripts/disclosure.ts', 'verify', '--subgraph', 'access'], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: ledger.status, stderr: ledger.stderr.trim() }).toEqual({
      status: 2,
      stderr: 'access không giữ nhật ký cung cấp: yêu cầu, quyền khai thác và sự đồng ý của nó chính là hồ sơ. (access keeps no disclosure log: its requests, grants and consents are themselves the record.)',
    });
    const none = spawnSync('npx', ['tsx', 'scripts/disclosure.ts', 'verify', '--database-url', mesh.ownerUrls.get('access') ?? ''], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: none.status, stderr: none.stderr.trim() }).toEqual({ status: 2, stderr: expect.stringContaining("(This database has no disclosure log: is it a provider's?)") });
    const notUrl = spawnSync('npx', ['tsx', 'scripts/disclosure.ts', 'verify', '--database-url', 'not-a-url'], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: notUrl.status, stderr: notUrl.stderr.trim() }).toEqual({ status: 2, stderr: expect.stringContaining('(A database URL is postgres://user@host:port/name.)') });
  });

  it('a subgraph configured with a retention under 3 months refuses to start, saying why', () => {
    const run = spawnSync('npx', ['tsx', 'subgraphs/kit/run.ts', 'citizens'], {
      env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DISCLOSURE_RETENTION_MONTHS: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toMatch(/DISCLOSURE_RETENTION_MONTHS: phải là số tháng nguyên, ít nhất 3 .*\(must be whole months, at least 3\)/);
  });
});
