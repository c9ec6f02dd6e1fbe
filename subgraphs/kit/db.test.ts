import pg from 'pg';
import { z } from 'zod';
import { Database, RequestTransaction, statement } from './db';
import { DatabaseUnavailableError } from './errors';
import { testServerUrl, uniquePrefix } from '../../test/support/mesh';

/** A search with optional filters, the shape of every agency's list query. */
const SEARCH = `SELECT id FROM things
   WHERE ($1::text IS NULL OR commune = $1)
     AND ($2::text IS NULL OR line = $2)
   ORDER BY id
   LIMIT $3`;
const idRow = z.object({ id: z.number() });

/** A database of its own on the test server, with a pool of `max` connections, and how to drop it. */
async function scratchDatabase(suffix: string, max: number): Promise<{ db: Database; name: string; url: string; drop(): Promise<void> }> {
  const name = `${uniquePrefix()}${suffix}`;
  const admin = new pg.Client({ connectionString: testServerUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  const db = new Database(suffix, { connectionString: url.toString(), max, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
  return {
    db,
    name,
    url: url.toString(),
    async drop() {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

describe('statements with optional filters', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  let db: Database;

  beforeAll(async () => {
    // One connection, so that every call below runs where pg_prepared_statements can see it.
    scratch = await scratchDatabase('plans', 1);
    db = scratch.db;
    await db.pool.query(`CREATE TABLE things (id int PRIMARY KEY, commune text NOT NULL, line text NOT NULL)`);
    await db.pool.query(`INSERT INTO things SELECT i, 'c' || (i % 500), 'l' || (i % 40) FROM generate_series(1, 20000) AS i`);
    await db.pool.query(`CREATE INDEX things_commune_idx ON things (commune)`);
    await db.pool.query(`ANALYZE things`);
  });

  afterAll(async () => scratch?.drop());

  async function plansOf(preparedName: string): Promise<{ generic: number; custom: number } | null> {
    const { rows } = await db.pool.query<{ generic_plans: string; custom_plans: string }>(
      'SELECT generic_plans::text, custom_plans::text FROM pg_prepared_statements WHERE name = $1',
      [preparedName],
    );
    const row = rows[0];
    return row ? { generic: Number(row.generic_plans), custom: Number(row.custom_plans) } : null;
  }

  it('must say how they are planned', () => {
    expect(() => statement('undeclaredSearch', SEARCH, idRow)).toThrow(/undeclaredSearch has optional filters/);
    expect(() => statement('lookup', 'SELECT id FROM things WHERE id = $1', idRow)).not.toThrow();
  });

  it('are planned for each call when declared per-call, and never kept as a prepared statement', async () => {
    const prepared = statement('searchPrepared', SEARCH, idRow, { plan: 'prepared' });
    const perCall = statement('searchPerCall', SEARCH, idRow, { plan: 'per-call' });
    expect(perCall.prepared).toBeUndefined();
    // Commune c7 and line l7: every 1,000th id from 7 (500 communes and 40 lines repeat together every 1,000).
    const expected = Array.from({ length: 10 }, (_, i) => ({ id: 7 + 1000 * i }));
    for (let call = 0; call < 10; call++) {
      expect(await db.many(prepared, ['c7', 'l7', 10])).toEqual(expected);
      expect(await db.many(perCall, ['c7', 'l7', 10])).toEqual(expected);
    }
    // The prepared twin is kept, and PostgreSQL may choose one generic plan for all its calls from the
    // sixth on (it did for the enterprise search on the bench's 20,000 enterprises: 33 ms against 0.4 ms).
    const twin = await plansOf(prepared.prepared ?? '');
    expect(twin && twin.generic + twin.custom).toBe(10);
    // The per-call statement is never kept: every call was planned for its own values.
    const kept = await db.pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
    expect(kept.rows.map((row) => row.name)).toEqual([prepared.prepared]);
  });
});

describe("a request's transaction", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  let db: Database;
  const xid = statement('currentXid', 'SELECT txid_current()::text AS xid', z.object({ xid: z.string() }));
  const backend = statement('backend', 'SELECT pg_backend_pid() AS pid', z.object({ pid: z.number() }));
  const note = statement('addNote', 'INSERT INTO notes (note) VALUES ($1) RETURNING note', z.object({ note: z.string() }));
  const failing = statement('failing', 'SELECT 1 / 0 AS never', z.object({ never: z.number() }));
  const written = async (text: string) => (await db.pool.query<{ xmin: string }>('SELECT xmin::text FROM notes WHERE note = $1', [text])).rows.map((row) => row.xmin);
  const addNote = (text: string) => ({ text: 'INSERT INTO notes (note) VALUES ($1)', values: [text] });

  beforeAll(async () => {
    scratch = await scratchDatabase('requests', 3);
    db = scratch.db;
    await db.pool.query('CREATE TABLE notes (note text PRIMARY KEY)');
  });

  afterAll(async () => scratch?.drop());

  it('runs every statement of the request, and its last write, in one transaction on one connection', async () => {
    const request = new RequestTransaction(db);
    // Statements a request's loaders send at once share the connection, one after another.
    const [first, second, [current]] = await Promise.all([request.many(backend), request.many(backend), request.many(xid)]);
    expect(first).toEqual(second);
    await request.commit(addNote('same transaction'));
    // The last write was made by the very transaction the statements ran in.
    expect(await written('same transaction')).toEqual([current?.xid]);
    expect(db.pool.idleCount).toBe(db.pool.totalCount);
  });

  it('with `durable`, commits waiting for the disk even where the server does not by default, and only that transaction', async () => {
    // New connections of this database default to commits that do not wait for the disk.
    await db.pool.query(`ALTER DATABASE ${scratch?.name ?? ''} SET synchronous_commit = off`);
    const fresh = new Database('requests', { connectionString: scratch?.url ?? '', max: 1, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
    try {
      // The last write notes the setting its COMMIT runs under.
      const noteSetting = (text: string) => ({ text: `INSERT INTO notes (note) VALUES ($1 || ':' || current_setting('synchronous_commit'))`, values: [text] });
      const durable = new RequestTransaction(fresh);
      await durable.many(backend);
      await durable.commit(noteSetting('durable'), { durable: true });
      const plain = new RequestTransaction(fresh);
      await plain.many(backend);
      await plain.commit(noteSetting('plain'));
      const notes = await fresh.pool.query<{ note: string }>(`SELECT note FROM notes WHERE note LIKE 'durable:%' OR note LIKE 'plain:%' ORDER BY note`);
      expect(notes.rows.map((row) => row.note)).toEqual(['durable:on', 'plain:off']);
      // The connection goes back to the pool with the database's default.
      expect((await fresh.pool.query<{ setting: string }>(`SELECT current_setting('synchronous_commit') AS setting`)).rows[0]?.setting).toBe('off');
    } finally {
      await fresh.close();
    }
  });

  it('writes a last write refused as out of order (40001) once more in a new transaction, and gives up after that', async () => {
    // Refuses the first call and passes the next: a sequence counts across rolled-back transactions.
    await db.pool.query(`CREATE SEQUENCE attempts`);
    await db.pool.query(`CREATE FUNCTION add_note_once_refused(note text, refusals int) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('attempts') <= refusals THEN RAISE EXCEPTION 'out of order' USING ERRCODE = 'serialization_failure'; END IF;
        INSERT INTO notes (note) VALUES (note);
      END $$`);
    const refusedOnce = new RequestTransaction(db);
    await refusedOnce.many(note, ['read before the refusal']);
    await refusedOnce.commit({ text: 'SELECT add_note_once_refused($1, 1)', values: ['written on the second try'] });
    expect(await written('written on the second try')).toHaveLength(1);
    // The refused transaction kept nothing of what it did.
    expect(await written('read before the refusal')).toEqual([]);
    await db.pool.query(`SELECT setval('attempts', 1, false)`);
    await expect(new RequestTransaction(db).commit({ text: 'SELECT add_note_once_refused($1, 2)', values: ['refused twice'] })).rejects.toMatchObject({ code: '40001' });
    expect(await written('refused twice')).toEqual([]);
    expect(db.pool.idleCount).toBe(db.pool.totalCount);
  });

  it('commits nothing of the request when its last write fails', async () => {
    const request = new RequestTransaction(db);
    await request.many(note, ['written while reading']);
    await expect(request.commit(addNote('written while reading'))).rejects.toThrow(/duplicate key/);
    expect(await written('written while reading')).toEqual([]);
    expect(db.pool.idleCount).toBe(db.pool.totalCount);
  });

  it('after a statement fails, answers the others and writes the last write in a transaction of its own', async () => {
    const request = new RequestTransaction(db);
    await request.many(note, ['before the failure']);
    await expect(request.many(failing)).rejects.toThrow(/division by zero/);
    expect(await request.many(backend)).toHaveLength(1);
    await request.commit(addNote('after the failure'));
    expect(await written('after the failure')).toHaveLength(1);
    // The aborted transaction kept nothing.
    expect(await written('before the failure')).toEqual([]);
    expect(db.pool.idleCount).toBe(db.pool.totalCount);
  });

  it('fails a request whose connection the server drops between its statements, without ending the process', async () => {
    const request = new RequestTransaction(db);
    const [row] = await request.many(backend);
    // As a restart or the idle-in-transaction timeout would: the server ends the request's connection.
    await db.pool.query('SELECT pg_terminate_backend($1)', [row?.pid]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(request.many(backend)).rejects.toThrow(DatabaseUnavailableError);
    await expect(request.commit(addNote('after the drop'))).resolves.toBeUndefined();
    await request.end();
    expect(await written('after the drop')).toHaveLength(1);
  });

  it('rolls back a request that ends without a last write, takes no connection for one that ran no statement, and ends once', async () => {
    const idle = new RequestTransaction(db);
    const connections = db.pool.totalCount;
    await idle.end();
    expect(db.pool.totalCount).toBe(connections);
    const request = new RequestTransaction(db);
    await request.many(note, ['never committed']);
    await request.end();
    await request.end();
    expect(await written('never committed')).toEqual([]);
    await expect(request.many(backend)).rejects.toThrow(/has ended/);
    expect(db.pool.idleCount).toBe(db.pool.totalCount);
  });
});
