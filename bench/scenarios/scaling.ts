import { z } from 'zod';
import type { BenchContext } from '../context';
import type { Deployment } from '../deployment';
import { errorCount } from '../load-protocol';
import { measure } from '../measure';
import { summarisePlan } from '../plan';
import { spread, type Spread } from '../stats';
import { fanOutQueries, listQueries } from '../workload';

export const SCALING_SCENARIO = '5. Scaling';

/** The list sizes of scenario 5. */
export const LIST_SIZES = [10, 100, 1000] as const;

export interface ScalingPoint {
  readonly label: string;
  /** What the query fetches, for the report. */
  readonly shape: string;
  /** Rows in a sample response (list sizes) or subgraphs touched (fan-out). */
  readonly size: number;
  readonly depth: number;
  readonly p50: Spread;
  readonly p99: Spread;
  readonly rps: Spread;
  readonly meanResponseKiB: number;
  readonly requests: number;
  readonly errors: number;
}

export interface ScalingResult {
  readonly lists: readonly ScalingPoint[];
  readonly fanOut: readonly ScalingPoint[];
}

/** Rows in every `nodes` list of a response body, summed. */
async function rowsIn(url: string, headers: Readonly<Record<string, string>>, body: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  const json = z.object({ data: z.record(z.string(), z.object({ nodes: z.array(z.unknown()) })).nullish() }).safeParse(await response.json());
  if (!json.success || !json.data.data) return 0;
  return Object.values(json.data.data).reduce((sum, page) => sum + page.nodes.length, 0);
}

async function point(
  ctx: BenchContext,
  deployment: Deployment,
  label: string,
  shape: string,
  size: number,
  query: string,
  bodies: readonly string[],
): Promise<ScalingPoint> {
  const gateway = deployment.gateway('ours');
  const runs = [];
  for (let round = 1; round <= ctx.options.rounds; round++) {
    const run = await measure(ctx, gateway, bodies, 1, ctx.options.latencySeconds);
    ctx.errors.add(SCALING_SCENARIO, run.result);
    runs.push(run.result);
  }
  const p50 = spread(runs.map((r) => r.latency.p50));
  ctx.say(`  ${label}: p50 ${p50.median.toFixed(1)} ms`);
  return {
    label,
    shape,
    size,
    depth: summarisePlan(query).depth,
    p50,
    p99: spread(runs.map((r) => r.latency.p99)),
    rps: spread(runs.map((r) => r.rps)),
    meanResponseKiB: runs.reduce((sum, r) => sum + r.meanResponseBytes, 0) / Math.max(1, runs.length) / 1024,
    requests: runs.reduce((sum, r) => sum + r.responses + r.transportErrors, 0),
    errors: runs.reduce((sum, r) => sum + errorCount(r), 0),
  };
}

/**
 * Scenario 5: latency at concurrency 1 through our gateway against list size (10, 100, 1,000
 * parcels, each with a field from the codes subgraph) and against the number of subgraphs a query
 * touches (1 to 5).
 */
export async function runScaling(ctx: BenchContext, deployment: Deployment): Promise<ScalingResult> {
  const url = deployment.gateway('ours').url;
  const lists: ScalingPoint[] = [];
  for (const list of listQueries(ctx.pools, LIST_SIZES)) {
    const rows = list.bodies[0] ? await rowsIn(url, ctx.headers, list.bodies[0]) : 0;
    lists.push(await point(ctx, deployment, `${list.rows} rows`, list.shape, rows, list.query, list.bodies));
  }
  const fanOut: ScalingPoint[] = [];
  for (const query of fanOutQueries(ctx.pools)) {
    fanOut.push(await point(ctx, deployment, `${query.subgraphs} subgraph${query.subgraphs > 1 ? 's' : ''}`, query.touches, query.subgraphs, query.query, query.bodies));
  }
  return { lists, fanOut };
}
