import pg from 'pg';
import { z } from 'zod';
import { Database, statement } from './db';
import { testServerUrl, uniquePrefix } from '../../test/support/mesh';

/** A search with optional filters, the shape of every agency's list query. */
const SEARCH = `SELECT id FROM things
   WHERE ($1::text IS NULL OR commune = $1)
     AND ($2::text IS NULL OR line = $2)
   ORDER BY id
   LIMIT $3`;
const idRow = z.object({ id: z.number() });

describe('statements with optional filters', () => {
  const name = `${uniquePrefix()}plans`;
  let admin: pg.Client;
  let db: Database;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(testServerUrl());
    url.pathname = `/${name}`;
    // One connection, so that every call below runs where pg_prepared_statements can see it.
    db = new Database('plans', { connectionString: url.toString(), max: 1, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
    await db.pool.query(`CREATE TABLE things (id int PRIMARY KEY, commune text NOT NULL, line text NOT NULL)`);
    await db.pool.query(`INSERT INTO things SELECT i, 'c' || (i % 500), 'l' || (i % 40) FROM generate_series(1, 20000) AS i`);
    await db.pool.query(`CREATE INDEX things_commune_idx ON things (commune)`);
    await db.pool.query(`ANALYZE things`);
  });

  afterAll(async () => {
    await db?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin?.end();
  });

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
