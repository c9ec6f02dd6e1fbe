import { z } from 'zod';
import { OPEN_WRITES_PER_HOUR } from './open-writes';
import { join } from 'node:path';

/** What the gateway reads from its environment, parsed once at boot. */
export const gatewayEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  SUPERGRAPH_PATH: z.string().default(join(__dirname, '..', 'schema', 'supergraph.graphql')),
  OPEN_SUPERGRAPH_PATH: z.string().default(join(__dirname, '..', 'schema', 'supergraph.open.graphql')),
  /** JSON object `{ "<subgraph>": "<url>" }` overriding the URLs composed into the supergraph. */
  SUBGRAPH_URLS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return z.record(z.string(), z.string().url()).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of subgraph name to URL' });
        return z.NEVER;
      }
    }),
  /**
   * The schema registry to follow (e.g. http://registry:4010): the gateway serves what it publishes,
   * swapping versions in live; SUPERGRAPH_PATH is then only the start until the first read.
   */
  LIENTHONG_REGISTRY_URL: z.string().url().optional(),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  SUBGRAPH_CONNECTIONS: z.coerce.number().int().positive().default(64),
  /** Megabytes of open data kept as subgraphs allow (gateway/open-data-cache.ts); 0 keeps none. */
  OPEN_DATA_CACHE_MB: z.coerce.number().min(0).max(1024).default(16),
  /** The address the gateway is reached at from outside, for the open-data catalogue's links. */
  PUBLIC_URL: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  /** The licence open data is offered under, as a URL (named in the open-data catalogue). */
  OPEN_DATA_LICENSE: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  /** Anonymous writes (feedback on open data) one client address may send per hour. */
  OPEN_WRITES_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(OPEN_WRITES_PER_HOUR),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;
