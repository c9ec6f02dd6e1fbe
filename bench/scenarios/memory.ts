import type { BenchContext } from '../context';
import type { Deployment, GatewayKind } from '../deployment';
import { errorCount } from '../load-protocol';
import { measure } from '../measure';
import { rssBytes } from '../processes';
import { mixedBodies } from '../workload';

export const MEMORY_SCENARIO = '4. Memory';

export interface MemoryResult {
  readonly gateway: GatewayKind;
  readonly concurrency: number;
  readonly seconds: number;
  /** RSS before the load started, bytes. */
  readonly idle: number | undefined;
  /** RSS at each mark (seconds into the load), bytes. */
  readonly marks: ReadonlyArray<{ readonly second: number; readonly rss: number | undefined }>;
  readonly peak: number | undefined;
  readonly rps: number;
  readonly errors: number;
  readonly requests: number;
}

/**
 * Scenario 4: gateway RSS under the cross-domain workload at concurrency 10, sampled every second
 * from /proc and reported at each mark (30 s and 90 s in a full run), with the peak. One continuous
 * run: memory is a time series, not a per-round figure.
 */
export async function runMemory(ctx: BenchContext, deployment: Deployment, kind: GatewayKind = 'ours'): Promise<MemoryResult> {
  const gateway = deployment.gateway(kind);
  const marks = ctx.options.memoryMarks;
  const seconds = (marks[marks.length - 1] ?? 1) + 1;
  const concurrency = 10;
  const idle = rssBytes(gateway.child.pid);
  const samples: Array<{ at: number; rss: number }> = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    const rss = rssBytes(gateway.child.pid);
    if (rss !== undefined) samples.push({ at: (Date.now() - started) / 1000, rss });
  }, 1000);
  let run;
  try {
    run = await measure(ctx, gateway, mixedBodies(ctx.pools), concurrency, seconds);
  } finally {
    clearInterval(sampler);
  }
  ctx.errors.add(MEMORY_SCENARIO, run.result);
  const nearest = (second: number) =>
    samples.reduce<{ at: number; rss: number } | undefined>(
      (best, sample) => (best === undefined || Math.abs(sample.at - second) < Math.abs(best.at - second) ? sample : best),
      undefined,
    )?.rss;
  const peak = samples.reduce<number | undefined>((max, s) => (max === undefined || s.rss > max ? s.rss : max), undefined);
  const mb = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 1024 ** 2).toFixed(0)} MB`);
  ctx.say(`  ${kind}: idle ${mb(idle)}, ${marks.map((second) => `${second} s ${mb(nearest(second))}`).join(', ')}, peak ${mb(peak)}`);
  return {
    gateway: kind,
    concurrency,
    seconds,
    idle,
    marks: marks.map((second) => ({ second, rss: nearest(second) })),
    peak,
    rps: run.result.rps,
    errors: errorCount(run.result),
    requests: run.result.responses + run.result.transportErrors,
  };
}
