import type { BenchContext } from '../context';
import { GATEWAYS, type Deployment, type GatewayKind } from '../deployment';
import { errorCount } from '../load-protocol';
import { measure } from '../measure';
import { summarisePlan } from '../plan';
import { spread, type Spread } from '../stats';
import { EXAMPLE_OPERATIONS, exampleBodies, mixedBodies, operationText, type ExampleOperation } from '../workload';

export const LATENCY_FLOOR_SCENARIO = '3. Latency floor';

export interface FloorFigures {
  readonly gateway: GatewayKind;
  readonly p50: Spread;
  /** p50 / (depth × delay), per round. */
  readonly ratio: Spread;
  /** p50 of the same query through the same gateway with no delay (see runNoDelayBaseline). */
  readonly withoutDelay: Spread | undefined;
  /** (median p50 − median p50 without delay) / floor: the part of the latency the delay added, against the floor. */
  readonly delayShare: number | undefined;
  readonly errors: number;
}

/** p50 of each example query at concurrency 1 through each gateway, with no injected delay. */
export type NoDelayBaseline = ReadonlyMap<ExampleOperation, ReadonlyMap<GatewayKind, Spread>>;

/**
 * The same per-query measurements as the latency floor, on subgraphs without delay: what the work
 * itself takes, so that the report can tell the delay's share of the delayed p50 from the work's.
 */
export async function runNoDelayBaseline(ctx: BenchContext, deployment: Deployment, only: readonly GatewayKind[]): Promise<NoDelayBaseline> {
  const kinds = GATEWAYS.filter((kind) => deployment.gateways.has(kind) && only.includes(kind));
  const baseline = new Map<ExampleOperation, Map<GatewayKind, Spread>>();
  for (const operation of EXAMPLE_OPERATIONS) {
    const bodies = exampleBodies(operation, ctx.pools);
    const p50s = new Map<GatewayKind, number[]>(kinds.map((kind) => [kind, []]));
    for (let round = 1; round <= ctx.options.rounds; round++) {
      for (const kind of kinds) {
        const run = await measure(ctx, deployment.gateway(kind), bodies, 1, ctx.options.latencySeconds);
        ctx.errors.add(LATENCY_FLOOR_SCENARIO, run.result);
        p50s.get(kind)?.push(run.result.latency.p50);
      }
    }
    baseline.set(operation, new Map(kinds.map((kind) => [kind, spread(p50s.get(kind) ?? [])])));
    ctx.say(`  ${operation} without delay: ours p50 ${baseline.get(operation)?.get('ours')?.median.toFixed(1) ?? '?'} ms`);
  }
  return baseline;
}

export interface FloorResult {
  readonly operation: ExampleOperation;
  /** Fetches on the plan's longest dependent chain. */
  readonly depth: number;
  /** depth × injected delay, in ms. */
  readonly floorMs: number;
  readonly gateways: readonly FloorFigures[];
}

/**
 * Scenario 3: with every subgraph delaying each request by the same fixed time, p50 at
 * concurrency 1 of each example query, against the plan depth times that delay: the least any
 * gateway can take, since each dependent fetch waits for the one before.
 */
export async function runLatencyFloor(ctx: BenchContext, deployment: Deployment, baseline: NoDelayBaseline): Promise<FloorResult[]> {
  const { options } = ctx;
  const kinds = GATEWAYS.filter((kind) => deployment.gateways.has(kind));
  const warmup = mixedBodies(ctx.pools);
  for (const kind of kinds) await measure(ctx, deployment.gateway(kind), warmup, 10, options.warmupSeconds);
  const results: FloorResult[] = [];
  for (const operation of EXAMPLE_OPERATIONS) {
    const { depth } = summarisePlan(operationText(operation));
    const floorMs = depth * options.delayMs;
    const bodies = exampleBodies(operation, ctx.pools);
    const p50s = new Map<GatewayKind, number[]>(kinds.map((kind) => [kind, []]));
    const errors = new Map<GatewayKind, number>();
    for (let round = 1; round <= options.rounds; round++) {
      for (const kind of kinds) {
        const run = await measure(ctx, deployment.gateway(kind), bodies, 1, options.latencySeconds);
        ctx.errors.add(LATENCY_FLOOR_SCENARIO, run.result);
        p50s.get(kind)?.push(run.result.latency.p50);
        errors.set(kind, (errors.get(kind) ?? 0) + errorCount(run.result));
      }
    }
    results.push({
      operation,
      depth,
      floorMs,
      gateways: kinds.map((kind) => {
        const p50 = spread(p50s.get(kind) ?? []);
        const withoutDelay = baseline.get(operation)?.get(kind);
        return {
          gateway: kind,
          p50,
          ratio: spread((p50s.get(kind) ?? []).map((value) => value / floorMs)),
          withoutDelay,
          delayShare: withoutDelay ? (p50.median - withoutDelay.median) / floorMs : undefined,
          errors: errors.get(kind) ?? 0,
        };
      }),
    });
    ctx.say(`  ${operation}: depth ${depth}, floor ${floorMs} ms, ours p50 ${spread(p50s.get('ours') ?? []).median.toFixed(1)} ms`);
  }
  return results;
}
