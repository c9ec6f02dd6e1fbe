/**
 * A provider whose view of the grants has aged (its poll timer held back, say, by a busy event loop):
 * a decision that rests on a grant asks the ledger first, before execution, and no other request
 * waits for it; fail closed, when the ledger does not answer. The view's clock is the test's: no
 * poll timer runs (the cache is never started), and the test moves time instead of waiting.
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
const proofSecret = randomBytes(32);
const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Sở Y tế's grant on `field`, as the ledger serves it, on a clock the test moves; counts the polls. */
function ledgerView(field: string, answer: () => Promise<void> = async () => undefined) {
  const grant = { id: 'g1', consumerAgency: 'so-y-te', fields: [field], validFrom: '2020-01-01', validUntil: null };
  const state = { clock: Date.parse('2026-12-06T03:00:00Z'), polls: 0 };
  const cache = new GrantCache(
    async (): Promise<LedgerSnapshot> => {
      state.polls++;
      await answer();
      return { grants: [grant], consents: [] };
    },
    1000,
    5000,
    () => new Date(state.clock),
  );
  return { cache, state };
}

/** A citizens subgraph of `sdl` with `resolvers`, run as Sở Y tế's official calls it through the gateway. */
async function provider(sdl: string, resolvers: Record<string, unknown>, grants: GrantCache, db: Database, disclosureLog = true): Promise<RunningSubgraph> {
  const dir = mkdtempSync(join(tmpdir(), 'grant-wait-'));
  made.push(dir);
  writeFileSync(join(dir, 'schema.graphql'), sdl);
  const definition = { name: 'citizens', dir, createContext: (base: SubgraphContext) => base, resolvers, disclosureLog } as unknown as SubgraphDefinition<SubgraphContext>;
  return startSubgraph(definition, { db, port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), trust: { verifyToken: async () => official, proofSecret }, grants });
}

/** `query` as the gateway sends it for Sở Y tế's official: its proof, the token, a purpose. */
async function ask(running: RunningSubgraph, query: string): Promise<{ data?: Record<string, unknown>; errors?: Array<{ extensions?: Record<string, unknown> }> }> {
  const body = JSON.stringify({ query });
  const purpose = encodeURIComponent('Khám chữa bệnh');
  const token = 'token-of-so-y-te';
  const proof = await signGatewayProof(proofSecret, 'citizens', `request-${randomBytes(4).toString('hex')}`, token, askedOf(body, purpose));
  const response = await fetch(`${running.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, [GATEWAY_PROOF_HEADER]: proof, 'x-purpose': purpose },
    body,
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: Array<{ extensions?: Record<string, unknown> }> };
}

describe('a provider with no log and no database', () => {
  let reachable = true;
  const { cache, state } = ledgerView('Query.ethnicGroup', async () => {
    if (!reachable) throw new Error('access ledger unreachable');
  });
  let running: RunningSubgraph;
  beforeAll(async () => {
    // No query reaches the database: the pool never connects.
    const db = new Database('test', { connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1, statementTimeoutMs: 1000, connectTimeoutMs: 1000 });
    const sdl = 'type Query { "e" ethnicGroup: String @sharing(category: SPECIAL_REQUEST) "n" name: String @sharing(category: DEFAULT) }';
    running = await provider(sdl, { Query: { ethnicGroup: () => 'Kinh', name: () => 'An' } }, cache, db, false);
  });
  afterAll(async () => {
    await running.stop();
    await running.db.close();
  });

  it('asks the ledger nothing for a request no grant decides: a slow ledger slows only what rests on it', async () => {
    await cache.refresh();
    state.clock += 5001;
    const before = state.polls;
    expect(await ask(running, '{ name }')).toEqual({ data: { name: 'An' } });
    expect(state.polls).toBe(before);
  });

  it('asks the ledger before deciding, rather than refusing because its poll timer is late', async () => {
    await cache.refresh();
    state.clock += 5001;
    expect(cache.grantFor('so-y-te', 'Query.ethnicGroup')).toBe('unavailable');
    const before = state.polls;
    expect(await ask(running, '{ ethnicGroup }')).toEqual({ data: { ethnicGroup: 'Kinh' } });
    expect(state.polls).toBe(before + 1);
  });

  it('still refuses, fail closed, when the ledger cannot be reached', async () => {
    reachable = false;
    state.clock += 5001;
    const answer = await ask(running, '{ ethnicGroup }');
    expect(answer.data).toEqual({ ethnicGroup: null });
    expect(answer.errors?.map((error) => error.extensions?.['reason'])).toEqual(['GRANTS_UNAVAILABLE']);
  });
});

describe('a provider that logs its disclosures', () => {
  const database = `${uniquePrefix()}grant_wait`;
  const selectOne = statement('selectOne', 'SELECT 1 AS one', z.object({ one: z.number() }));
  // The ledger's answers wait at a gate the test opens; each poll is announced.
  let gate: Promise<void> = Promise.resolve();
  let polled: () => void = () => undefined;
  const { cache, state } = ledgerView('Person.ethnicGroup', async () => {
    polled();
    await gate;
  });
  let running: RunningSubgraph;
  beforeAll(async () => {
    await ensureDatabase(testServerUrl(), database);
    await migrate(databaseUrl(testServerUrl(), database), KIT_MIGRATIONS.dir, 'kit_migrations');
    // Each root reads the database: a logged request's first read begins its transaction.
    const read = async (context: SubgraphContext) => (await context.db.many(selectOne, []))[0]?.one;
    const sdl =
      'type Query { "p" person: Person @sharing(category: DEFAULT) "n" name: String @sharing(category: DEFAULT) }\n' +
      '"p" type Person { "e" ethnicGroup: String @sharing(category: SPECIAL_REQUEST) }\n';
    const resolvers = {
      Query: {
        person: async (_parent: unknown, _args: unknown, context: SubgraphContext) => ({ ethnicGroup: `Kinh ${await read(context)}` }),
        name: async (_parent: unknown, _args: unknown, context: SubgraphContext) => `An ${await read(context)}`,
      },
    };
    // As few connections as there will be requests waiting for the ledger.
    const db = new Database('citizens', { connectionString: databaseUrl(testServerUrl(), database), max: 2, statementTimeoutMs: 5000, connectTimeoutMs: 5000 });
    running = await provider(sdl, resolvers, cache, db);
  });
  afterAll(async () => {
    await running.stop();
    await running.db.close();
  });

  it('holds no connection while it waits for the ledger, and answers a request no grant decides meanwhile', async () => {
    await cache.refresh();
    state.clock += 3000; // past half the staleness bound: a decision resting on the view asks the ledger first
    let open: () => void = () => undefined;
    gate = new Promise((resolve) => (open = resolve));
    const asked = new Promise<void>((resolve) => (polled = resolve));
    const granted = [ask(running, '{ person { ethnicGroup } }'), ask(running, '{ person { ethnicGroup } }')];
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
    expect(await ask(running, '{ name }')).toEqual({ data: { name: 'An 1' } });
    open();
    expect(await Promise.all(granted)).toEqual([{ data: { person: { ethnicGroup: 'Kinh 1' } } }, { data: { person: { ethnicGroup: 'Kinh 1' } } }]);
  });
});
