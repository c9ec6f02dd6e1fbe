import pino from 'pino';
import { parseConfig, subgraphEnvSchema, ConfigError } from './config';
import { Database } from './db';
import { KIT_MIGRATIONS, migrate } from './migrate';
import { ensureAppRole, maintainLog } from './log-admin';
import { join } from 'node:path';
import { readAgency } from './agency';
import { trustFromEnv } from './trust';
import { GrantCache } from './grants';
import { gatewayProofSecret } from './identity';
import { deliverDisclosures, fetchUsableGrants, ledgerReaderSecret } from '../access/client';
import { registryReaderSecret, servedSupergraphFeed } from '../../schema/registry/gateway-feed';
import type { DisclosureSink } from './outbox';
import { startSubgraph, type StartOptions, type SubgraphContext, type SubgraphDefinition, type SupergraphFeed } from './server';

/**
 * Runs one agency subgraph on its own, as the agency deploys it: reads its env (DATABASE_URL, PORT,
 * …; `environment`, process.env by default), migrates its database, seeds it when SEED=true and it is empty, listens, and stops cleanly on
 * SIGINT/SIGTERM. Bad configuration is reported in one message and exits 1. `benchmarkOnly` is for
 * bench/subgraph-without-log.ts alone: no setting of the environment reaches it.
 */
export async function runStandalone<Context extends SubgraphContext>(
  definition: SubgraphDefinition<Context>,
  environment: NodeJS.ProcessEnv = process.env,
  benchmarkOnly: Pick<StartOptions, 'disclosureLogForBenchmarkOnly'> = {},
): Promise<void> {
  const logger = pino({ name: definition.name });
  try {
    const env = parseConfig(subgraphEnvSchema, environment);
    logger.level = env.LOG_LEVEL;
    const agency = readAgency(definition.name);
    await migrate(env.DATABASE_URL, join(definition.dir, 'migrations'));
    let serveWith = env.DATABASE_URL;
    if (definition.disclosureLog !== false) {
      await migrate(env.DATABASE_URL, KIT_MIGRATIONS.dir, KIT_MIGRATIONS.table);
      const maintain = () => maintainLog(env.DATABASE_URL, new Date(), env.DISCLOSURE_RETENTION_MONTHS);
      await maintain();
      setInterval(() => void maintain().catch((error: unknown) => logger.error({ err: error }, 'log maintenance failed')), 6 * 3600_000).unref();
      serveWith = env.APP_DATABASE_URL ?? (await ensureAppRole(env.DATABASE_URL));
    }
    const seedDb = new Database(agency.name, { connectionString: env.DATABASE_URL, max: 2, statementTimeoutMs: 600_000, connectTimeoutMs: env.PG_CONNECT_TIMEOUT_MS });
    if (env.SEED && definition.seed) await definition.seed(seedDb, env.SEED_SCALE);
    await seedDb.close();
    const db = new Database(agency.name, {
      connectionString: serveWith,
      max: env.PG_POOL_MAX,
      statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: env.PG_CONNECT_TIMEOUT_MS,
    });
    const trust = trustFromEnv(environment);
    const ledger = env.ACCESS_LEDGER_URL ? ledgerClients(env.ACCESS_LEDGER_URL, agency.agencyCode, env.LEDGER_READER_SECRET, trust.gatewaySecret) : undefined;
    const grants = ledger?.grants;
    await grants?.start();
    const following = env.LIENTHONG_REGISTRY_URL && definition.followSupergraph
      ? await definition.followSupergraph(registryFeed(env.LIENTHONG_REGISTRY_URL, env.REGISTRY_READER_SECRET, trust.gatewaySecret), logger)
      : undefined;
    const running = await startSubgraph(definition, {
      ...(ledger ? ledger : {}),
      trust: {
        verifyToken: trust.verifyToken,
        proofSecret: trust.proofSecret(definition.name),
        ...(trust.gatewaySecret ? { serviceSecret: (purpose: string) => gatewayProofSecret(trust.gatewaySecret ?? '', purpose) } : {}),
      },
      db,
      port: env.PORT ?? agency.defaultPort,
      host: env.HOST,
      logger,
      delayMs: env.SUBGRAPH_DELAY_MS,
      ...benchmarkOnly,
    });
    logger.info({ url: `${running.url}/graphql` }, `${agency.name} subgraph listening`);
    const stop = async () => {
      grants?.stop();
      following?.stop();
      await running.stop();
      await db.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  } catch (error) {
    if (error instanceof ConfigError) logger.fatal(error.message);
    else if (isErrnoException(error) && error.code === 'EADDRINUSE') {
      const port = 'port' in error ? String(error.port) : '';
      logger.fatal(`Cổng ${port} đã có tiến trình khác dùng; hãy dừng tiến trình đó hoặc đặt PORT. (Port ${port} is already in use: stop what serves there, or set PORT.)`);
    }
    else logger.fatal({ err: error }, 'subgraph failed to start');
    process.exit(1);
  }
}

/**
 * A service key: the one given (base64url, in `variable`), or, in development, derived from the
 * gateway's master secret; the configuration is refused with neither, naming `variable` and what
 * needs it.
 */
function serviceKey(given: string | undefined, masterSecret: string | null, derive: (master: string) => Uint8Array, variable: string, neededBy: string): Uint8Array {
  if (given) return Buffer.from(given, 'base64url');
  if (masterSecret) return derive(masterSecret);
  throw new ConfigError(`Invalid configuration:\n  - ${variable}: required with ${neededBy}`);
}

/**
 * A provider's links to the access ledger: its grant cache, and where its disclosure outbox goes.
 * Without a reader key the configuration is refused.
 */
function ledgerClients(ledgerUrl: string, agencyCode: string, readerSecret: string | undefined, masterSecret: string | null): { grants: GrantCache; disclosureSink: DisclosureSink } {
  const secret = serviceKey(readerSecret, masterSecret, (master) => ledgerReaderSecret(master, agencyCode), 'LEDGER_READER_SECRET', 'ACCESS_LEDGER_URL');
  return {
    grants: new GrantCache(() => fetchUsableGrants(ledgerUrl, agencyCode, secret)),
    disclosureSink: (records) => deliverDisclosures(ledgerUrl, agencyCode, secret, records),
  };
}

/**
 * The registry's current supergraph, read as the gateway reads it: with the registry-reader key
 * given, or derived from the master secret (development); refused with neither.
 */
export function registryFeed(registryUrl: string, readerSecret: string | undefined, masterSecret: string | null): SupergraphFeed {
  return servedSupergraphFeed(registryUrl, serviceKey(readerSecret, masterSecret, registryReaderSecret, 'REGISTRY_READER_SECRET', 'LIENTHONG_REGISTRY_URL'));
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
