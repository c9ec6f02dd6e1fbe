import type { BenchContext } from '../context';
import type { Deployment } from '../deployment';
import { errorCount } from '../load-protocol';
import { measure, type Measurement } from '../measure';
import { spread, type Spread } from '../stats';
import { mixedBodies } from '../workload';

export const LOG_COST_SCENARIO = '6. Disclosure log in the mesh';

export interface LogCostAtConcurrency {
  readonly concurrency: number;
  /** Requests/s through our gateway with every provider writing its log, and with none. */
  readonly on: Spread;
  readonly off: Spread;
  readonly p50On: Spread;
  readonly p50Off: Spread;
  /** Requests/s with the logs ÷ without, per round. */
  readonly ratio: Spread;
  readonly requests: number;
  readonly errors: number;
}

export interface LogCostResult {
  readonly seconds: number;
  readonly rounds: number;
  readonly byConcurrency: readonly LogCostAtConcurrency[];
}

/**
 * The disclosure logs' cost to the mesh: the cross-domain workload through our gateway over two
 * deployments of the same subgraphs and databases, one whose providers write their logs as deployed
 * and one whose providers do not. Rounds alternate which goes first, and each ratio is one round's.
 */
export async function runLogCost(ctx: BenchContext, withLog: Deployment, withoutLog: Deployment): Promise<LogCostResult> {
  const { options } = ctx;
  const bodies = mixedBodies(ctx.pools);
  const logged = { logs: true, gateway: withLog.gateway('ours') };
  const unlogged = { logs: false, gateway: withoutLog.gateway('ours') };
  for (const side of [logged, unlogged]) await measure(ctx, side.gateway, bodies, 10, options.warmupSeconds);
  const byConcurrency: LogCostAtConcurrency[] = [];
  for (const concurrency of options.concurrencies) {
    const on: Measurement[] = [];
    const off: Measurement[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const side of round % 2 === 1 ? [logged, unlogged] : [unlogged, logged]) {
        const run = await measure(ctx, side.gateway, bodies, concurrency, options.throughputSeconds);
        ctx.errors.add(LOG_COST_SCENARIO, run.result);
        (side.logs ? on : off).push(run);
        ctx.say(`  c=${concurrency} round ${round} logs ${side.logs ? 'on ' : 'off'}: ${run.result.rps.toFixed(0)} req/s, p50 ${run.result.latency.p50.toFixed(1)} ms, errors ${errorCount(run.result)}`);
      }
    }
    const all = [...on, ...off];
    byConcurrency.push({
      concurrency,
      on: spread(on.map((run) => run.result.rps)),
      off: spread(off.map((run) => run.result.rps)),
      p50On: spread(on.map((run) => run.result.latency.p50)),
      p50Off: spread(off.map((run) => run.result.latency.p50)),
      ratio: spread(on.map((run, i) => run.result.rps / (off[i]?.result.rps ?? Number.NaN))),
      requests: all.reduce((sum, run) => sum + run.result.responses + run.result.transportErrors, 0),
      errors: all.reduce((sum, run) => sum + errorCount(run.result), 0),
    });
  }
  return { seconds: options.throughputSeconds, rounds: options.rounds, byConcurrency };
}
