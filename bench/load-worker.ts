/**
 * The load generator: a child process of the harness, pinned to its own core, that runs one
 * autocannon measurement per request received over IPC and replies with the figures. It exits when
 * the harness disconnects.
 */
import autocannon from 'autocannon';
import { workerRequestSchema, type LoadResult, type LoadSpec, type WorkerReply } from './load-protocol';

/** At most this many failing bodies are kept as samples. */
const MAX_ERROR_SAMPLES = 3;
/** Latency samples kept per measurement; later ones (only after hours of load) are dropped. */
const MAX_SAMPLES = 5_000_000;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

async function measure(spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  let graphqlErrors = 0;
  const errorSamples: string[] = [];
  const latencies: number[] = [];
  let responses = 0;
  let non200 = 0;
  let bytes = 0;
  const noteError = (text: string) => {
    const sample = text.slice(0, 400);
    if (errorSamples.length < MAX_ERROR_SAMPLES && !errorSamples.includes(sample)) errorSamples.push(sample);
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        pipelining: 1,
        duration: spec.seconds,
        timeout: 10,
        method: 'POST',
        headers: { ...spec.headers, 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        requests: [
          {
            // A different body each time: variables vary per request, so no gateway profits from
            // deduplicating or caching identical requests.
            setupRequest: (request) => ({ ...request, body: spec.bodies[next++ % spec.bodies.length] }),
            onResponse: (status, body) => {
              if (status === 200 && body.includes('"errors":')) {
                graphqlErrors += 1;
                noteError(body);
              } else if (status !== 200) {
                noteError(`HTTP ${status}: ${body}`);
              }
            },
          },
        ],
      },
      (error: Error | null, finished: autocannon.Result) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, statusCode, resBytes, responseTime) => {
      responses += 1;
      bytes += resBytes;
      if (statusCode !== 200) non200 += 1;
      if (latencies.length < MAX_SAMPLES) latencies.push(responseTime);
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((total, value) => total + value, 0);
  const seconds = result.duration;
  return {
    responses,
    seconds,
    rps: seconds > 0 ? responses / seconds : 0,
    latency: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      mean: latencies.length > 0 ? sum / latencies.length : 0,
      max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? 0) : 0,
    },
    non200,
    graphqlErrors,
    transportErrors: result.errors,
    errorSamples,
    meanResponseBytes: responses > 0 ? bytes / responses : 0,
  };
}

function reply(message: WorkerReply): void {
  process.send?.(message);
}

process.on('message', (raw: unknown) => {
  const parsed = workerRequestSchema.safeParse(raw);
  if (!parsed.success) {
    reply({ id: -1, ok: false, message: `bad request: ${parsed.error.message}` });
    return;
  }
  const { id, spec } = parsed.data;
  measure(spec).then(
    (result) => reply({ id, ok: true, result }),
    (error: unknown) => reply({ id, ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
