import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { z } from 'zod';
import pino from 'pino';
import { ConfigError, parseConfig } from '../subgraphs/kit/config';
import { EmbeddedPostgresError, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { startMesh } from './mesh';
import { ensureDevKeys } from './dev-keys';
import { removeRunningMesh, writeRunningMesh } from './running-mesh';

/** The agency databases of `npm start` are `lienthong_<subgraph>`. */
const DATABASE_PREFIX = 'lienthong_';

const startEnvSchema = z.object({
  /** An existing PostgreSQL server (admin URL); when absent, embedded PostgreSQL is used. */
  LIENTHONG_DATABASE_URL: z.string().url().optional(),
  LIENTHONG_PG_DATA: z.string().default(join(__dirname, '..', '.data', 'postgres')),
  SEED_SCALE: z.coerce.number().positive().max(1000).default(1),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

/** True when every ancestor of `path` can be traversed by other users (needed by the postgres user). */
function traversableByOthers(path: string): boolean {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      // not created yet: its parent decides
    }
    if (dir === dirname(dir)) return true;
  }
}

/**
 * `npm start`: the whole mesh on one machine. Uses LIENTHONG_DATABASE_URL when set, else embedded
 * PostgreSQL in LIENTHONG_PG_DATA; creates, migrates and seeds each agency database when empty;
 * starts every subgraph and the gateway; prints the URLs; stops everything on Ctrl-C.
 */
async function main(): Promise<void> {
  const env = parseConfig(startEnvSchema);
  const logger = pino({ level: env.LOG_LEVEL });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let embedded: EmbeddedPostgres | undefined;
  let serverUrl = env.LIENTHONG_DATABASE_URL;
  if (!serverUrl) {
    let dataDir = env.LIENTHONG_PG_DATA;
    if (userInfo().uid === 0 && !traversableByOthers(dataDir)) {
      dataDir = join(tmpdir(), 'lienthong-postgres');
      say(`Running as root: PostgreSQL runs as user "postgres", which cannot reach ${env.LIENTHONG_PG_DATA}; using ${dataDir}.`);
    }
    say(`Starting embedded PostgreSQL (data in ${dataDir}) …`);
    embedded = await startEmbeddedPostgres(dataDir);
    serverUrl = embedded.url;
  }
  const started = Date.now();
  const keys = await ensureDevKeys();
  const mesh = await startMesh({
    keys,
    serverUrl,
    databasePrefix: DATABASE_PREFIX,
    seedScale: env.SEED_SCALE,
    ports: 'default',
    gatewayPort: env.PORT,
    registry: true,
    logger,
    onProgress: say,
  });
  const ledger = mesh.subgraphs.get('access');
  writeRunningMesh({
    ownerUrls: Object.fromEntries(mesh.ownerUrls),
    serverUrl,
    databasePrefix: DATABASE_PREFIX,
    seedScale: env.SEED_SCALE,
    ...(ledger ? { accessLedgerUrl: ledger.url } : {}),
    ...(mesh.registryUrl ? { registryUrl: mesh.registryUrl } : {}),
  });
  say('');
  say(`lienthong is up in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  say(`  Start here, in a browser:      ${mesh.gatewayUrl}/             (every entry point, and whom it is for)`);
  say(`  Gateway (GraphQL + GraphiQL):  ${mesh.gatewayUrl}/graphql        (needs a token: npm run token)`);
  say(`  Open data, no account:         ${mesh.gatewayUrl}/open/graphql`);
  say(`  Open data downloads (CSV):     ${mesh.gatewayUrl}/open/download`);
  say(`  Open-data catalogue (DCAT):    ${mesh.gatewayUrl}/open/catalog.jsonld`);
  say(`  Gateway health:                ${mesh.gatewayUrl}/health`);
  say(`  Catalogue:                     ${mesh.gatewayUrl}/catalog`);
  say(`  Schema registry:               ${mesh.registryUrl ?? '(not running)'}     (npm run schema -- check|publish …)`);
  for (const [name, subgraph] of mesh.subgraphs) say(`  ${name.padEnd(13)} subgraph:     ${subgraph.url}/graphql   (${subgraph.agency.name})`);
  say('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('Stopping …');
    removeRunningMesh();
    await mesh.stop();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  const plain = error instanceof ConfigError || error instanceof EmbeddedPostgresError;
  process.stderr.write(`${plain ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
