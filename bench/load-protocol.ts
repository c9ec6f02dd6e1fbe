import { z } from 'zod';

/** One load measurement, as the harness asks the load-generator process for it. */
export const loadSpecSchema = z.object({
  /** The GraphQL endpoint. */
  url: z.string().url(),
  /** JSON request bodies, sent in turn (round robin over all connections), so variables vary per request. */
  bodies: z.array(z.string()).min(1),
  /** Headers of every request, besides content-type (e.g. authorization). */
  headers: z.record(z.string(), z.string()),
  connections: z.number().int().positive().max(1000),
  seconds: z.number().positive().max(3600),
});
export type LoadSpec = z.infer<typeof loadSpecSchema>;

/** What one measurement gives back. Latencies are in milliseconds, over every response. */
export const loadResultSchema = z.object({
  responses: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
  rps: z.number().nonnegative(),
  latency: z.object({ p50: z.number(), p90: z.number(), p99: z.number(), mean: z.number(), max: z.number() }),
  /** Responses that were not HTTP 200. */
  non200: z.number().int().nonnegative(),
  /** HTTP 200 responses whose body held GraphQL `errors`. */
  graphqlErrors: z.number().int().nonnegative(),
  /** Connection errors and timeouts (no response at all). */
  transportErrors: z.number().int().nonnegative(),
  /** A few distinct failing bodies (truncated), to say what went wrong. */
  errorSamples: z.array(z.string()),
  meanResponseBytes: z.number().nonnegative(),
});
export type LoadResult = z.infer<typeof loadResultSchema>;

export const workerRequestSchema = z.object({ id: z.number().int(), spec: loadSpecSchema });
export type WorkerRequest = z.infer<typeof workerRequestSchema>;

export const workerReplySchema = z.discriminatedUnion('ok', [
  z.object({ id: z.number().int(), ok: z.literal(true), result: loadResultSchema }),
  z.object({ id: z.number().int(), ok: z.literal(false), message: z.string() }),
]);
export type WorkerReply = z.infer<typeof workerReplySchema>;

/** All failures of a measurement, over all responses and attempts. */
export function errorCount(result: LoadResult): number {
  return result.non200 + result.graphqlErrors + result.transportErrors;
}
