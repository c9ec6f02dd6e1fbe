import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../../subgraphs/kit/config';
import { Database } from '../../subgraphs/kit/db';
import type { Caller } from '../../subgraphs/kit/identity';
import { migrate } from '../../subgraphs/kit/migrate';
import { trustFromEnv } from '../../subgraphs/kit/trust';
import { startRegistry, type Registry } from './server';
import { seedRegistry } from './service';
import { registryReaderSecret } from './gateway-feed';
import { fetchFieldConsumers, fieldConsumersSecret, type LedgerConsumers } from '../../subgraphs/access/client';

/** The registry's own migrations. */
export const REGISTRY_MIGRATIONS = join(__dirname, 'migrations');

export interface RunRegistryOptions {
  /** The registry's own database (migrated here). */
  readonly databaseUrl: string;
  readonly verifyToken: (token: string) => Promise<Caller>;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** When given and the registry is empty, these local subgraphs are published as version 1. */
  readonly seedUrls?: Readonly<Record<string, string>>;
  readonly onError?: (error: unknown) => void;
  /** The key of the gateway's reads (registryReaderSecret of its master secret). */
  readonly gatewayReaderSecret?: Uint8Array;
  /** Asks the access ledger whom a change could break, to name them in checks (`ledgerFieldConsumers`). */
  readonly ledgerConsumers?: () => Promise<LedgerConsumers>;
}

/** The access ledger at `ledgerUrl` (its base URL), asked whom a change could break, with the key derived from the gateway's master secret. */
export function ledgerFieldConsumers(ledgerUrl: string, masterSecret: string): () => Promise<LedgerConsumers> {
  const secret = fieldConsumersSecret(masterSecret);
  return () => fetchFieldConsumers(ledgerUrl, secret);
}

/**
 * Migrates the registry's database, starts the registry, and seeds it with `seedUrls` when it is
 * empty. `stop()` closes the server, then the database pool.
 */
export async function runRegistry(options: RunRegistryOptions): Promise<Registry> {
  await migrate(options.databaseUrl, REGISTRY_MIGRATIONS);
  const db = new Database('registry', { connectionString: options.databaseUrl, max: 4, statementTimeoutMs: 10_000, connectTimeoutMs: 3000 });
  try {
    if (options.seedUrls) await seedRegistry(db, options.seedUrls);
    const registry = await startRegistry({
      db,
      verifyToken: options.verifyToken,
      port: options.port,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.gatewayReaderSecret ? { gatewayReaderSecret: options.gatewayReaderSecret } : {}),
      ...(options.ledgerConsumers ? { ledgerConsumers: options.ledgerConsumers } : {}),
    });
    return {
      ...registry,
      stop: async () => {
        await registry.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

const envSchema = z.object({
  DATABASE_URL: z.string().min(1),
  PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  HOST: z.string().default('127.0.0.1'),
  /** JSON `{ "land": "http://…/graphql", … }`: seed an empty registry with these local subgraphs. */
  SEED_SUBGRAPH_URLS: z.string().optional(),
  /** The access ledger's base URL: checks then name the grant holders and recent readers a change breaks (needs LIENTHONG_GATEWAY_SECRET). */
  ACCESS_LEDGER_URL: z.string().url().optional(),
});

const seedUrlsSchema = z.record(z.string(), z.string().url());

/** Parses SEED_SUBGRAPH_URLS; a ConfigError names the variable when it is not `{"<subgraph>": "<url>"}`. */
function seedUrls(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = null;
  }
  const parsed = seedUrlsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError('Invalid configuration:\n  - SEED_SUBGRAPH_URLS: must be JSON {"<subgraph>": "<url>"}');
  return parsed.data;
}

/** `npx tsx schema/registry/index.ts`: the registry alone, configured from the environment. */
async function main(): Promise<void> {
  const env = parseConfig(envSchema, process.env);
  const seed = seedUrls(env.SEED_SUBGRAPH_URLS);
  const trust = trustFromEnv();
  if (env.ACCESS_LEDGER_URL && !trust.gatewaySecret) {
    throw new ConfigError('Invalid configuration:\n  - ACCESS_LEDGER_URL: needs LIENTHONG_GATEWAY_SECRET, from which the key the ledger is asked with is derived');
  }
  const registry = await runRegistry({
    databaseUrl: env.DATABASE_URL,
    verifyToken: trust.verifyToken,
    // The gateway reads what to serve with a key derived from its master secret.
    ...(trust.gatewaySecret ? { gatewayReaderSecret: registryReaderSecret(trust.gatewaySecret) } : {}),
    // …and asks the ledger whom a change breaks with another.
    ...(trust.gatewaySecret && env.ACCESS_LEDGER_URL ? { ledgerConsumers: ledgerFieldConsumers(env.ACCESS_LEDGER_URL, trust.gatewaySecret) } : {}),
    port: env.PORT,
    host: env.HOST,
    ...(seed ? { seedUrls: seed } : {}),
  });
  process.stdout.write(`Sổ đăng ký lược đồ (schema registry) at ${registry.url}\n`);
  const stop = () => void registry.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
