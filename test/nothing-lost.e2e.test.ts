/**
 * Nothing lost (DESIGN.md §10.11): under a load of data requests, provider subgraphs are killed with
 * SIGKILL at random moments and restarted. Every response a client received with data must have its
 * disclosure record in that provider's log, matched by the request id the gateway returned.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import pino from 'pino';
import { freePort } from '../scripts/embedded-postgres';
import { prepareAgencyDatabase } from '../scripts/mesh';
import { DEV_AUDIENCE, DEV_ISSUER, generateDevKeys, signDevToken } from '../scripts/dev-keys';
import { startGateway, type RunningGateway } from '../gateway/server';
import { OPEN_SUPERGRAPH_PATH, SUPERGRAPH_PATH } from '../schema/compose';
import { listAgencies } from '../subgraphs/kit/agency';
import { loadDefinition } from '../subgraphs/kit/registry';
import { createTokenVerifier } from '../subgraphs/kit/identity';
import { citizenIdentity, parcelIdAt, seedSizes, taxCodeAt } from '../subgraphs/kit/seed-plan';
import { testServerUrl, TEST_SCALE, uniquePrefix } from './support/mesh';

/** The providers that are killed, and a query each that only that provider answers. */
const PROVIDERS = {
  citizens: (i: number) => `{ citizen(id: "${citizenIdentity(i).id}") { fullName } }`,
  enterprises: (i: number) => `{ enterprise(taxCode: "${taxCodeAt(i)}") { name } }`,
  land: (i: number) => `{ landParcel(id: "${parcelIdAt(i)}") { area } }`,
} as const;
type Provider = keyof typeof PROVIDERS;
const NAMES = Object.keys(PROVIDERS) as Provider[];

/** The load runs at least this long, and until at least KILLS providers were killed and came back. */
const LOAD_SECONDS = 20;
const KILLS = 3;
/** A bound on the whole load, for a machine too slow to restart providers KILLS times. */
const LOAD_LIMIT_SECONDS = 90;
const CLIENTS = 6;

interface Running {
  process: ChildProcess;
  port: number;
  /** Where the process's stderr goes: read when it ends without being killed. */
  errors: string;
}

let workDir: string;
let gateway: RunningGateway;
let token: string;
const owners = new Map<Provider, string>();
const running = new Map<Provider, Running>();
const env: NodeJS.ProcessEnv = {};

function startProvider(name: Provider, port: number): Running {
  const errors = join(workDir, `${name}-${port}-${Date.now()}.err`);
  const fd = openSync(errors, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'subgraphs', 'kit', 'run.ts'), name], {
    env: { ...process.env, ...env, DATABASE_URL: owners.get(name), PORT: String(port), LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', fd],
  });
  closeSync(fd);
  return { process: child, port, errors };
}

/** Why a provider the test did not kill has ended: its exit and the end of its stderr. */
function endedOnItsOwn(name: Provider, provider: Running): string {
  const { exitCode, signalCode } = provider.process;
  return `provider ${name} ended without being killed (exit ${exitCode ?? signalCode}): ${readFileSync(provider.errors, 'utf8').slice(-2000)}`;
}

async function ready(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`provider on port ${port} did not come up`);
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'lienthong-nothing-lost-'));
  const keys = await generateDevKeys();
  const jwksFile = join(workDir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(keys.jwks));
  Object.assign(env, { LIENTHONG_JWKS: jwksFile, LIENTHONG_GATEWAY_SECRET: keys.gatewaySecret, LIENTHONG_ISSUER: DEV_ISSUER, LIENTHONG_AUDIENCE: DEV_AUDIENCE });
  const prefix = uniquePrefix();
  for (const agency of listAgencies().filter((a) => (NAMES as readonly string[]).includes(a.subgraph))) {
    owners.set(agency.subgraph as Provider, await prepareAgencyDatabase(loadDefinition(agency), agency, { serverUrl: testServerUrl(), databasePrefix: prefix, seedScale: TEST_SCALE }));
  }
  for (const name of NAMES) running.set(name, startProvider(name, await freePort()));
  await Promise.all([...running.values()].map((r) => ready(r.port)));
  gateway = await startGateway(
    {
      supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
      openSupergraphSdl: readFileSync(OPEN_SUPERGRAPH_PATH, 'utf8'),
      trust: { verifyToken: createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: keys.jwks }), gatewaySecret: keys.gatewaySecret },
      subgraphUrls: Object.fromEntries([...running].map(([name, r]) => [name, `http://127.0.0.1:${r.port}/graphql`])),
      subgraphTimeoutMs: 5000,
      logger: pino({ level: 'silent' }),
    },
    0,
  );
  token = await signDevToken(keys, { kind: 'official', sub: 'load-tester', agency: 'so-y-te', roles: ['official'] });
}, 180_000);

afterAll(async () => {
  await gateway?.stop();
  for (const r of running.values()) r.process.kill('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});

it(
  'under load with random kill -9 of providers, every response received with data has its disclosure record',
  async () => {
    const sizes = seedSizes(TEST_SCALE);
    const received: Array<{ provider: Provider; requestId: string }> = [];
    let failed = 0;
    let sent = 0;
    let kills = 0;
    const started = Date.now();
    let done = false;

    const client = async (clientIndex: number) => {
      for (let i = clientIndex; !done; i += CLIENTS) {
        const provider = NAMES[i % NAMES.length] ?? 'citizens';
        const index = i % Math.min(sizes.citizens, sizes.enterprises, sizes.parcels);
        sent++;
        try {
          // Bounded, so that a request nobody answers counts as failed rather than holding the test.
          const response = await fetch(`${gateway.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: PROVIDERS[provider](index) }),
            signal: AbortSignal.timeout(15_000),
          });
          const body = (await response.json()) as { data?: Record<string, unknown> | null };
          const requestId = response.headers.get('x-request-id');
          const withData = body.data && Object.values(body.data).some((value) => value !== null);
          if (withData && requestId) received.push({ provider, requestId });
          else failed++;
        } catch {
          failed++;
        }
      }
    };

    // Kills a random provider at a random moment, restarts it, and once it is back picks the next;
    // the other providers keep answering meanwhile.
    const killer = async () => {
      for (;;) {
        const elapsed = Date.now() - started;
        if ((kills >= KILLS && elapsed >= LOAD_SECONDS * 1000) || elapsed >= LOAD_LIMIT_SECONDS * 1000) break;
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
        const name = NAMES[Math.floor(Math.random() * NAMES.length)] ?? 'citizens';
        const victim = running.get(name);
        if (!victim) continue;
        // One that ended by itself would never say 'exit' again: the test fails saying why, not hangs.
        if (victim.process.exitCode !== null || victim.process.signalCode !== null) {
          done = true;
          throw new Error(endedOnItsOwn(name, victim));
        }
        const exited = new Promise((resolve) => victim.process.once('exit', resolve));
        victim.process.kill('SIGKILL');
        kills++;
        await exited;
        running.set(name, startProvider(name, victim.port));
        await ready(victim.port);
      }
      // Let the load run a moment against the restarted providers, then stop it.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      done = true;
    };

    await Promise.all([killer(), ...Array.from({ length: CLIENTS }, (_, c) => client(c))]);
    // Every provider now running is one the test started last and has not killed.
    for (const [name, provider] of running) if (provider.process.exitCode !== null || provider.process.signalCode !== null) throw new Error(endedOnItsOwn(name, provider));

    let matched = 0;
    const missing: string[] = [];
    for (const name of NAMES) {
      const ids = received.filter((r) => r.provider === name).map((r) => r.requestId);
      const db = new pg.Client({ connectionString: owners.get(name) });
      await db.connect();
      try {
        const { rows } = await db.query<{ request_id: string }>('SELECT request_id FROM disclosure.log WHERE request_id = ANY($1::text[])', [ids]);
        const logged = new Set(rows.map((row) => row.request_id));
        for (const id of ids) (logged.has(id) ? matched++ : missing.push(`${name}:${id}`));
      } finally {
        await db.end();
      }
    }
    process.stdout.write(
      `nothing lost: ${sent} requests, ${received.length} answered with data, ${failed} failed or empty, ${kills} kill -9, ` +
        `${matched} of ${received.length} data responses matched to a disclosure record\n`,
    );
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(received.length).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  },
  180_000,
);
