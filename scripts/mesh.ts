import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { readFileSync } from 'node:fs';
import { listAgencies, type Agency } from '../subgraphs/kit/agency';
import { loadDefinition } from '../subgraphs/kit/registry';
import { Database } from '../subgraphs/kit/db';
import { databaseUrl, ensureDatabase, KIT_MIGRATIONS, migrate, recreateDatabase } from '../subgraphs/kit/migrate';
import { ledgerFieldConsumers, runRegistry } from '../schema/registry/index';
import { registryReaderSecret, servedSupergraphFeed } from '../schema/registry/gateway-feed';

/** The registry's port in `npm start` (the subgraphs take 4101–4106, the gateway 4000). */
const REGISTRY_PORT = 4010;
import { DEFAULT_RETENTION_MONTHS, ensureAppRole, maintainLog } from '../subgraphs/kit/log-admin';
import { startSubgraph, type RunningSubgraph, type SubgraphContext, type SubgraphDefinition } from '../subgraphs/kit/server';
import { startGateway, type RunningGateway } from '../gateway/server';
import { OPEN_SUPERGRAPH_PATH, SUPERGRAPH_PATH } from '../schema/compose';
import { createTokenVerifier, gatewayProofSecret } from '../subgraphs/kit/identity';
import { DEV_AUDIENCE, DEV_ISSUER, type DevKeys } from './dev-keys';
import { GrantCache } from '../subgraphs/kit/grants';
import { deliverDisclosures, fetchUsableGrants, ledgerReaderSecret } from '../subgraphs/access/client';
import type { DisclosureSink } from '../subgraphs/kit/outbox';

export interface MeshOptions {
  /** Admin URL of the PostgreSQL server that holds one database per agency. */
  readonly serverUrl: string;
  /** Agency databases are named `<prefix><subgraph>`. */
  readonly databasePrefix: string;
  readonly seedScale: number;
  /** 'default' uses each agency's defaultPort and 4000 for the gateway; 'random' lets the OS pick. */
  readonly ports: 'default' | 'random';
  readonly gatewayPort?: number;
  readonly logger?: Logger;
  readonly onProgress?: (message: string) => void;
  readonly subgraphTimeoutMs?: number;
  /** The identity provider's keys and the gateway's master secret (development keys, or a test's own). */
  readonly keys: DevKeys;
  /** How often providers re-read grants from the access ledger (ms); suspensions take effect within it. */
  readonly grantRefreshMs?: number;
  /** Tests only: the URL a subgraph's pool connects to, e.g. through a fault-injecting proxy. */
  readonly connectThrough?: (subgraph: string, databaseUrl: string) => string;
  /** Months each provider keeps its disclosure log (at least 3; 12 by default). */
  readonly retentionMonths?: number;
  /**
   * Runs the schema registry too, on a fresh database `<prefix>registry` seeded with the local
   * subgraphs at their running URLs, and the gateway and the access ledger's field catalogue
   * follow it: what the registry publishes is served, and its fields may be requested, within a
   * second, without a restart.
   */
  readonly registry?: boolean;
  /** Bytes of open data the gateway keeps (GatewayOptions.openDataCacheBytes); 0 keeps none. */
  readonly openDataCacheBytes?: number;
  /** Anonymous writes one address may send per hour (GatewayOptions.openWritesPerHour). */
  readonly openWritesPerHour?: number;
}

export interface Mesh {
  readonly gatewayUrl: string;
  readonly gateway: RunningGateway;
  readonly subgraphs: ReadonlyMap<string, RunningSubgraph>;
  /** Each agency database's owner URL (migrations, log maintenance, verification), by subgraph. */
  readonly ownerUrls: ReadonlyMap<string, string>;
  /** The schema registry's URL, when it runs (MeshOptions.registry). */
  readonly registryUrl?: string;
  stop(): Promise<void>;
}

/** How often the mesh re-runs log maintenance (partitions ahead, retention). */
const LOG_MAINTENANCE_MS = 6 * 3600_000;

/**
 * Creates, migrates and (when empty) seeds one agency's database, with the disclosure log and its
 * partitions for a provider; returns its owner URL.
 */
export async function prepareAgencyDatabase(
  definition: SubgraphDefinition<SubgraphContext>,
  agency: Agency,
  options: Pick<MeshOptions, 'serverUrl' | 'databasePrefix' | 'seedScale' | 'retentionMonths'>,
): Promise<string> {
  const name = `${options.databasePrefix}${agency.subgraph.replace(/-/g, '_')}`;
  await ensureDatabase(options.serverUrl, name);
  const url = databaseUrl(options.serverUrl, name);
  await migrate(url, join(definition.dir, 'migrations'));
  if (definition.disclosureLog !== false) {
    await migrate(url, KIT_MIGRATIONS.dir, KIT_MIGRATIONS.table);
    await maintainLog(url, new Date(), options.retentionMonths ?? DEFAULT_RETENTION_MONTHS);
  }
  if (definition.seed) {
    const db = new Database(agency.name, { connectionString: url, max: 2, statementTimeoutMs: 600_000, connectTimeoutMs: 10_000 });
    try {
      await definition.seed(db, options.seedScale);
    } finally {
      await db.close();
    }
  }
  return url;
}

/**
 * Runs the whole provincial mesh in this process: one database per agency on one server, each
 * migrated and seeded when empty, every agency subgraph, and the gateway over the committed
 * supergraph with the subgraphs' actual URLs.
 */
export async function startMesh(options: MeshOptions): Promise<Mesh> {
  const logger = options.logger ?? pino({ level: 'warn' });
  const progress = options.onProgress ?? (() => undefined);
  const subgraphs = new Map<string, RunningSubgraph>();
  const agencies = listAgencies();
  const verifyToken = createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: options.keys.jwks });
  const prepared = await Promise.all(
    agencies.map(async (agency) => {
      const definition = loadDefinition(agency);
      progress(`${agency.subgraph}: preparing its database (migrations; seed data when it is empty)`);
      const url = await prepareAgencyDatabase(definition, agency, options);
      progress(`${agency.subgraph}: database ready`);
      return { agency, definition, url };
    }),
  );
  // The access ledger starts first: every provider reads its grants and consents from it.
  prepared.sort((a, b) => Number(b.agency.subgraph === 'access') - Number(a.agency.subgraph === 'access'));
  const caches: GrantCache[] = [];
  let ledgerUrl: string | undefined;
  for (const { agency, definition, url } of prepared) {
    let grants: GrantCache | undefined;
    let disclosureSink: DisclosureSink | undefined;
    if (ledgerUrl && agency.subgraph !== 'access') {
      const secret = ledgerReaderSecret(options.keys.gatewaySecret, agency.agencyCode);
      const ledger = ledgerUrl;
      grants = new GrantCache(() => fetchUsableGrants(ledger, agency.agencyCode, secret), options.grantRefreshMs ?? 1000);
      await grants.start();
      caches.push(grants);
      disclosureSink = (records) => deliverDisclosures(ledger, agency.agencyCode, secret, records);
    }
    // A provider runs as its own role, which may only add to and read its disclosure log.
    const appUrl = definition.disclosureLog === false ? url : await ensureAppRole(url);
    const connectionString = options.connectThrough?.(agency.subgraph, appUrl) ?? appUrl;
    const db = new Database(agency.name, { connectionString, max: 10, statementTimeoutMs: 5000, connectTimeoutMs: 3000 });
    const running = await startSubgraph(definition, {
      db,
      trust: {
        verifyToken,
        proofSecret: gatewayProofSecret(options.keys.gatewaySecret, agency.subgraph),
        serviceSecret: (purpose) => gatewayProofSecret(options.keys.gatewaySecret, purpose),
      },
      ...(grants ? { grants } : {}),
      ...(disclosureSink ? { disclosureSink } : {}),
      port: options.ports === 'default' ? agency.defaultPort : 0,
      logger: logger.child({ subgraph: agency.subgraph }),
    });
    subgraphs.set(agency.subgraph, running);
    if (agency.subgraph === 'access') ledgerUrl = running.url;
  }
  let registry: Awaited<ReturnType<typeof runRegistry>> | undefined;
  const readerSecret = registryReaderSecret(options.keys.gatewaySecret);
  if (options.registry) {
    const name = `${options.databasePrefix}registry`;
    await recreateDatabase(options.serverUrl, name);
    registry = await runRegistry({
      databaseUrl: databaseUrl(options.serverUrl, name),
      verifyToken,
      port: options.ports === 'default' ? REGISTRY_PORT : 0,
      seedUrls: Object.fromEntries([...subgraphs].map(([subgraph, running]) => [subgraph, `${running.url}/graphql`])),
      gatewayReaderSecret: readerSecret,
      ...(ledgerUrl ? { ledgerConsumers: ledgerFieldConsumers(ledgerUrl, options.keys.gatewaySecret) } : {}),
      onError: (error) => logger.error({ err: error }, 'registry error'),
    });
  }
  // The ledger started before the registry (the registry is seeded with the running URLs); it
  // follows from now on, reading the registry as the gateway does.
  const followers: { stop(): void }[] = [];
  const feed = registry ? servedSupergraphFeed(registry.url, readerSecret) : undefined;
  if (feed) {
    for (const { agency, definition } of prepared) {
      if (definition.followSupergraph) followers.push(await definition.followSupergraph(feed, logger.child({ subgraph: agency.subgraph })));
    }
  }
  const gateway = await startGateway(
    {
      ...(feed ? { follow: { source: feed } } : {}),
      supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
      openSupergraphSdl: readFileSync(OPEN_SUPERGRAPH_PATH, 'utf8'),
      trust: { verifyToken, gatewaySecret: options.keys.gatewaySecret },
      subgraphUrls: Object.fromEntries([...subgraphs].map(([name, s]) => [name, `${s.url}/graphql`])),
      subgraphTimeoutMs: options.subgraphTimeoutMs ?? 10_000,
      ...(options.openDataCacheBytes !== undefined ? { openDataCacheBytes: options.openDataCacheBytes } : {}),
      ...(options.openWritesPerHour !== undefined ? { openWritesPerHour: options.openWritesPerHour } : {}),
      logger: logger.child({ component: 'gateway' }),
    },
    options.gatewayPort ?? (options.ports === 'default' ? 4000 : 0),
  );
  const ownerUrls = new Map(prepared.map(({ agency, url }) => [agency.subgraph, url]));
  const providers = prepared.filter(({ definition }) => definition.disclosureLog !== false);
  const maintenance = setInterval(() => {
    for (const { url } of providers) {
      maintainLog(url, new Date(), options.retentionMonths ?? DEFAULT_RETENTION_MONTHS).catch((error: unknown) => logger.error({ err: error }, 'log maintenance failed'));
    }
  }, LOG_MAINTENANCE_MS);
  maintenance.unref();
  return {
    gatewayUrl: gateway.url,
    gateway,
    subgraphs,
    ownerUrls,
    ...(registry ? { registryUrl: registry.url } : {}),
    async stop() {
      clearInterval(maintenance);
      for (const cache of caches) cache.stop();
      for (const follower of followers) follower.stop();
      await gateway.stop();
      await registry?.stop();
      // Providers first: their outbox relays deliver to the ledger until they stop.
      const order = [...subgraphs.values()].sort((a, b) => Number(a.name === 'access') - Number(b.name === 'access'));
      for (const running of order) {
        await running.stop();
        await running.db.close();
      }
    },
  };
}
