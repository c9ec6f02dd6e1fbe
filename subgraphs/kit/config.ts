import { z } from 'zod';
import { retentionMonths } from './log-admin';

/**
 * Parses `env` with `schema` once, at boot. On failure it throws one ConfigError listing every
 * missing or bad variable, so an operator fixes them all in one go.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().positive();

/** What every agency subgraph reads from its environment. */
export const subgraphEnvSchema = z.object({
  DATABASE_URL: z.string().url({ message: 'must be a postgres:// URL of this agency\'s own database' }),
  PORT: port.optional(),
  HOST: z.string().default('127.0.0.1'),
  PG_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  PG_STATEMENT_TIMEOUT_MS: positiveMs.default(5000),
  PG_CONNECT_TIMEOUT_MS: positiveMs.default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  SEED_SCALE: z.coerce.number().positive().max(1000).default(1),
  /**
   * Benchmarks only (`npm run bench`, latency floor): milliseconds every GraphQL request waits before
   * it is handled, to stand in for a slow agency system. 0, the default, adds nothing.
   */
  /** The governing department's access ledger, polled for this provider's grants and consents. */
  ACCESS_LEDGER_URL: z.string().url().optional(),
  /** This provider's key for reading the ledger (base64url); in development derived from the dev keys. */
  LEDGER_READER_SECRET: z.string().min(32).optional(),
  SUBGRAPH_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(0),
  /**
   * The schema registry (e.g. http://registry:4010) whose current supergraph a subgraph that depends
   * on the composed graph follows: the access ledger's field catalogue. Read with
   * REGISTRY_READER_SECRET, as the gateway reads it. Other subgraphs ignore it.
   */
  LIENTHONG_REGISTRY_URL: z.string().url().optional(),
  /**
   * The registry-reader key, base64url (`npm run token -- --registry-reader-secret` prints the
   * development one): it lets its holder read what the registry serves, and nothing else. Without it,
   * it is derived from LIENTHONG_GATEWAY_SECRET, which in production only the gateway should hold.
   */
  REGISTRY_READER_SECRET: z.string().min(32).optional(),
  /** Months the disclosure log is kept (Quy chế Phú Yên Art. 16.1.a: at least 3). */
  DISCLOSURE_RETENTION_MONTHS: retentionMonths,
  /**
   * The URL the subgraph serves with, as a role that may only add to and read the disclosure log.
   * Without it, the subgraph creates such a role itself with DATABASE_URL (which must then be allowed
   * to create roles) and serves as it.
   */
  APP_DATABASE_URL: z.string().url().optional(),
});
export type SubgraphEnv = z.infer<typeof subgraphEnvSchema>;
