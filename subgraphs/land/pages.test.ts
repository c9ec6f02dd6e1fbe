/**
 * Paging through a long register: `landParcels` pages by key (the id after the previous page's last
 * row), not by offset. Executed in-process (no gateway, no sharing rules) on a real PostgreSQL
 * database of this file's own, so that rows can be added and removed between two pages.
 */
import { join } from 'node:path';
import { execute, parse } from 'graphql';
import pg from 'pg';
import { testServerUrl, uniquePrefix } from '../../test/support/mesh';
import { Database } from '../kit/db';
import { NO_GRANTS } from '../kit/grants';
import { databaseUrl, dropDatabase, ensureDatabase, migrate } from '../kit/migrate';
import { parcelIdAt } from '../kit/seed-plan';
import { buildSchema } from '../kit/server';
import { land } from './server';

const schema = buildSchema(land);
const name = `${uniquePrefix()}land_pages`;
let db: Database;
let owner: pg.Client;

interface Page {
  readonly ids: string[];
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

interface Refusal {
  readonly code: unknown;
  readonly argument: unknown;
}

async function page(first: number, after: string | null): Promise<Page | Refusal> {
  const result = await execute({
    schema,
    document: parse('query($first: Int, $after: String) { landParcels(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }'),
    variableValues: { first, after },
    contextValue: land.createContext({ requestId: 'test', db, caller: { kind: 'anonymous' }, purpose: null, lang: 'vi', grants: NO_GRANTS, decisions: new Map() }),
  });
  const error = result.errors?.[0];
  if (error) return { code: error.extensions['code'], argument: error.extensions['argument'] };
  const data = result.data as { landParcels: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  return { ids: data.landParcels.nodes.map((node) => node.id), ...data.landParcels.pageInfo };
}

async function okPage(first: number, after: string | null): Promise<Page> {
  const result = await page(first, after);
  if (!('ids' in result)) throw new Error(`landParcels was refused: ${JSON.stringify(result)}`);
  return result;
}

async function addParcels(...numbers: number[]): Promise<void> {
  for (const n of numbers) {
    await owner.query(
      `INSERT INTO land_parcels (id, map_sheet, parcel_number, area, land_use_code, address_line, commune_code, commune_edition)
       VALUES ($1, 1, $2, 100, 'ONT', 'Thôn 1', '00001', 'TWO_LEVEL')`,
      [parcelIdAt(n), n],
    );
  }
}

beforeAll(async () => {
  await ensureDatabase(testServerUrl(), name);
  const url = databaseUrl(testServerUrl(), name);
  await migrate(url, join(__dirname, 'migrations'));
  owner = new pg.Client({ connectionString: url });
  await owner.connect();
  db = new Database('land', { connectionString: url, max: 2, statementTimeoutMs: 5000, connectTimeoutMs: 3000 });
});

afterAll(async () => {
  await db?.close();
  await owner?.end();
  await dropDatabase(testServerUrl(), name);
});

beforeEach(async () => {
  await owner.query('TRUNCATE land_use_certificates, land_parcels');
});

it('walks the whole list once, in id order, and says when it has ended', async () => {
  await addParcels(50, 10, 40, 20, 30);
  const seen: string[] = [];
  let after: string | null = null;
  for (let pages = 1; pages <= 10; pages++) {
    const next = await okPage(2, after);
    seen.push(...next.ids);
    if (!next.hasNextPage) break;
    after = next.endCursor;
  }
  expect(seen).toEqual(['TD00000010', 'TD00000020', 'TD00000030', 'TD00000040', 'TD00000050']);
});

it('continues after the last row it showed, whatever was added or removed before it', async () => {
  await addParcels(10, 20, 30, 40, 50);
  const first = await okPage(2, null);
  expect(first.ids).toEqual(['TD00000010', 'TD00000020']);
  // A parcel registered before the cursor would shift an offset by one and show TD00000020 again.
  await addParcels(5, 25);
  expect((await okPage(2, first.endCursor)).ids).toEqual(['TD00000025', 'TD00000030']);
  // The row the cursor names may itself go: the next page is still the rows after its key.
  await owner.query(`DELETE FROM land_parcels WHERE id IN ('TD00000010', 'TD00000020')`);
  expect((await okPage(2, first.endCursor)).ids).toEqual(['TD00000025', 'TD00000030']);
});

it('refuses a cursor it did not give, another list\'s among them, with the argument named', async () => {
  await addParcels(10, 20);
  const cursor = (text: string) => Buffer.from(text).toString('base64url');
  expect((await okPage(2, cursor('k:Query.landParcels:TD00000010'))).ids).toEqual(['TD00000020']);
  for (const after of [
    cursor('o:Query.landParcels:1'), // an offset
    'not-a-cursor',
    cursor('k:'),
    cursor('k:TD00000010'), // no list named
    cursor('k:Query.enterprises:TD00000010'), // another list's
    cursor('k:Query.landParcels:'),
  ]) {
    expect(await page(2, after)).toEqual({ code: 'BAD_USER_INPUT', argument: 'after' });
  }
});
