/**
 * A provider that logs its disclosures, whose grant view has aged, waiting for the ledger: the wait
 * comes before execution, so no request holds a database connection (and its open transaction)
 * while the ledger is slow, and a request no grant decides is answered meanwhile.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { z } from 'zod';
import { startSubgraph, type RunningSubgraph, type SubgraphContext, type SubgraphDefinition } from './server';
import { Database, statement } from './db';
import { GrantCache, type LedgerSnapshot } from './grants';
import { askedOf, GATEWAY_PROOF_HEADER, signGatewayProof, type Caller } from './identity';
import { databaseUrl, ensureDatabase, KIT_MIGRATIONS, migrate } from './migrate';
import { testServerUrl, uniquePrefix } from '../../test/support/mesh';

const official: Caller = { kind: 'official', officialId: 'so-y-te.official', agency: 'so-y-te', roles: ['official'] };
const grant = { id: 'g1', consumerAgency: 'so-y-te', fields: ['Person.ethnicGroup'], validFrom: '2020-01-01', validUntil: null };
const proofSecret = randomBytes(32);
const selectOne = statement('selectOne', 'SELECT 1 AS one', z.object({ one: z.number() }));
const database = `${uniquePrefix()}grant_wait`;
const dir = mkdtempSync(join(tmpdir(), 'grant-wait-'));

/** The ledger's answers wait at a gate the test opens; each poll is announced. */
let clock = Date.parse('2026-12-06T03:00:00Z');
let gate: Promise<void> = Promise.resolve();
let polled: () => void = () => undefined;
const grants = new GrantCache(
  async (): Promise<LedgerSnapshot> => {
    polled();
    await gate;
    return { grants: [grant], consents: [] };
  },
  1000,
  5000,
  () => new Date(clock),
);
let running: RunningSubgraph;

beforeAll(async () => {
  await ensureDatabase(testServerUrl(), database);
  await migrate(databaseUrl(testServerUrl(), database), KIT_MIGRATIONS.dir, 'kit_migrations');
  writeFileSync(
    join(dir, 'schema.graphql'),
    'type Query { "p" person: Person @sharing(category: DEFAULT) "n" name: String @sharing(category: DEFAULT) }\n' +
      '"p" type Person { "e" ethnicGroup: String @sharing(category: SPECIAL_REQUEST) }\n',
  );
  // Each root reads the database: a logged request's first read begins its transaction.
  const read = async (context: SubgraphContext) => (await context.db.many(selectOne, []))[0]?.one;
  const definition = {
    name: 'citizens',
    dir,
    createContext: (base: SubgraphContext) => base,
    resolvers: {
      Query: {
        person: async (_parent: unknown, _args: unknown, context: SubgraphContext) => ({ ethnicGroup: `Kinh ${await read(context)}` }),
        name: async (_parent: unknown, _args: unknown, context: SubgraphContext) => `An ${await read(context)}`,
      },
    },
  } as unknown as SubgraphDefinition<SubgraphContext>;
  // As few connections as there will be requests waiting for the ledger.
  const db = new Database('citizens', { connectionString: databaseUrl(testServerUrl(), database), max: 2, statementTimeoutMs: 5000, connectTimeoutMs: 5000 });
  running = await startSubgraph(definition, { db, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), trust: { verifyToken: async () => official, proofSecret }, grants });
});
afterAll(async () => {
  await running.stop();
  await running.db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(query: string): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const body = JSON.stringify({ query });
  const purpose = encodeURIComponent('Khám chữa bệnh');
  const token = 'token-of-so-y-te';
  const proof = await signGatewayProof(proofSecret, 'citizens', `request-${randomBytes(4).toString('hex')}`, token, askedOf(body, purpose));
  const response = await fetch(`${running.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, [GATEWAY_PROOF_HEADER]: proof, 'x-purpose': purpose },
    body,
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

it('holds no connection while it waits for the ledger, and answers a request no grant decides meanwhile', async () => {
  await grants.refresh();
  clock += 3000; // past half the staleness bound: a decision resting on the view asks the ledger first
  let open: () => void = () => undefined;
  gate = new Promise((resolve) => (open = resolve));
  const asked = new Promise<void>((resolve) => (polled = resolve));
  const granted = [ask('{ person { ethnicGroup } }'), ask('{ person { ethnicGroup } }')];
  await asked;
  const watcher = new pg.Client({ connectionString: testServerUrl() });
  await watcher.connect();
  try {
    const { rows } = await watcher.query<{ state: string | null }>('SELECT state FROM pg_stat_activity WHERE datname = $1 AND backend_type = $2', [database, 'client backend']);
    expect(rows.filter((row) => row.state === 'idle in transaction')).toEqual([]);
  } finally {
    await watcher.end();
  }
  // Both of the pool's connections are free: the read that no grant decides goes through now.
  expect(await ask('{ name }')).toEqual({ data: { name: 'An 1' } });
  open();
  expect(await Promise.all(granted)).toEqual([{ data: { person: { ethnicGroup: 'Kinh 1' } } }, { data: { person: { ethnicGroup: 'Kinh 1' } } }]);
});
