import type { BenchContext } from '../context';
import { GATEWAYS, type Deployment, type GatewayKind } from '../deployment';
import { errorCount } from '../load-protocol';
import { measure } from '../measure';
import { spread, type Spread } from '../stats';
import { mixedBodies } from '../workload';

export const THROUGHPUT_SCENARIO = '1. Cross-domain workload';

export interface GatewayFigures {
  readonly gateway: GatewayKind;
  readonly rps: Spread;
  readonly p50: Spread;
  readonly p99: Spread;
  /** Cores' worth of CPU the gateway used (1.0 = its core was busy all the time). */
  readonly cpu: Spread;
  /** Gateway CPU ms per request. */
  readonly cpuMs: Spread;
  /** Cores' worth of CPU used on the gateway's core by anything else (see Measurement). */
  readonly otherCpu: Spread;
  readonly requests: number;
  readonly errors: number;
}

export interface Ratio {
  readonly versus: GatewayKind;
  /** ours/other RPS, per round: above 1 means ours served more. */
  readonly rps: Spread;
  /** ours/other p50, per round: below 1 means ours answered faster. */
  readonly p50: Spread;
  /** ours/other gateway CPU per request, per round: below 1 means a request costs ours less CPU. */
  readonly cpuMs: Spread;
}

export interface ThroughputAtConcurrency {
  readonly concurrency: number;
  readonly gateways: readonly GatewayFigures[];
  readonly ratios: readonly Ratio[];
}

export interface ThroughputResult {
  readonly seconds: number;
  readonly rounds: number;
  readonly bodies: number;
  readonly byConcurrency: readonly ThroughputAtConcurrency[];
}

/**
 * Scenario 1: the four example queries mixed, at each concurrency, through each gateway. Rounds
 * interleave the gateways (ours, hive, hive-router-runtime, ours, …) so that drift in the machine
 * hits all of them alike, and every ratio is taken within one round.
 */
export async function runThroughput(ctx: BenchContext, deployment: Deployment): Promise<ThroughputResult> {
  const { options } = ctx;
  const bodies = mixedBodies(ctx.pools);
  const kinds = GATEWAYS.filter((kind) => deployment.gateways.has(kind));
  for (const kind of kinds) {
    ctx.say(`  warming up ${kind} (${options.warmupSeconds} s)`);
    await measure(ctx, deployment.gateway(kind), bodies, 10, options.warmupSeconds);
  }
  const byConcurrency: ThroughputAtConcurrency[] = [];
  for (const concurrency of options.concurrencies) {
    const runs = new Map<GatewayKind, Array<Awaited<ReturnType<typeof measure>>>>(kinds.map((kind) => [kind, []]));
    for (let round = 1; round <= options.rounds; round++) {
      for (const kind of kinds) {
        const run = await measure(ctx, deployment.gateway(kind), bodies, concurrency, options.throughputSeconds);
        ctx.errors.add(THROUGHPUT_SCENARIO, run.result);
        runs.get(kind)?.push(run);
        ctx.say(
          `  c=${concurrency} round ${round} ${kind}: ${run.result.rps.toFixed(0)} req/s, p50 ${run.result.latency.p50.toFixed(1)} ms, ` +
            `gateway ${run.gatewayCpu?.toFixed(2) ?? '?'} cores, ${run.cpuMsPerRequest?.toFixed(2) ?? '?'} CPU ms/request, ` +
            `other on its core ${run.otherCpuOnGatewayCore?.toFixed(2) ?? '?'}, errors ${errorCount(run.result)}`,
        );
      }
    }
    const gateways = kinds.map((kind): GatewayFigures => {
      const list = runs.get(kind) ?? [];
      return {
        gateway: kind,
        rps: spread(list.map((r) => r.result.rps)),
        p50: spread(list.map((r) => r.result.latency.p50)),
        p99: spread(list.map((r) => r.result.latency.p99)),
        cpu: spread(list.flatMap((r) => (r.gatewayCpu === undefined ? [] : [r.gatewayCpu]))),
        cpuMs: spread(list.flatMap((r) => (r.cpuMsPerRequest === undefined ? [] : [r.cpuMsPerRequest]))),
        otherCpu: spread(list.flatMap((r) => (r.otherCpuOnGatewayCore === undefined ? [] : [r.otherCpuOnGatewayCore]))),
        requests: list.reduce((sum, r) => sum + r.result.responses + r.result.transportErrors, 0),
        errors: list.reduce((sum, r) => sum + errorCount(r.result), 0),
      };
    });
    const ours = runs.get('ours') ?? [];
    const ratios = kinds
      .filter((kind) => kind !== 'ours')
      .map((kind): Ratio => {
        const other = runs.get(kind) ?? [];
        const pairs = ours.map((mine, i) => [mine, other[i]] as const).filter((pair) => pair[1] !== undefined);
        return {
          versus: kind,
          rps: spread(pairs.map(([mine, theirs]) => mine.result.rps / (theirs?.result.rps ?? Number.NaN))),
          p50: spread(pairs.map(([mine, theirs]) => mine.result.latency.p50 / (theirs?.result.latency.p50 ?? Number.NaN))),
          cpuMs: spread(
            pairs.flatMap(([mine, theirs]) =>
              mine.cpuMsPerRequest !== undefined && theirs?.cpuMsPerRequest !== undefined ? [mine.cpuMsPerRequest / theirs.cpuMsPerRequest] : [],
            ),
          ),
        };
      });
    byConcurrency.push({ concurrency, gateways, ratios });
  }
  return { seconds: options.throughputSeconds, rounds: options.rounds, bodies: bodies.length, byConcurrency };
}
