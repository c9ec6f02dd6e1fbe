import type { BenchContext } from '../context';
import { LEDGER_SUBGRAPH, type Deployment } from '../deployment';
import { errorCount } from '../load-protocol';
import { measure, type Measurement } from '../measure';
import { cpuSeconds, treeCpuSeconds } from '../processes';
import { spread, type Spread } from '../stats';
import { mixedBodies } from '../workload';

export const LOG_COST_SCENARIO = '6. Disclosure log in the mesh';

/** CPU milliseconds per gateway request that each part of the mesh used during one measurement. */
export interface CpuPerRequest {
  /** The gateway's process. */
  readonly gateway: number | undefined;
  /** The providers' processes together (every subgraph but the access ledger). */
  readonly providers: number | undefined;
  /** The access ledger's process (it takes the relayed records). */
  readonly ledger: number | undefined;
  /** PostgreSQL: the postmaster and every backend and worker (undefined on an external server). */
  readonly database: number | undefined;
}

/** The parts' CPU per request, median (min–max) over the rounds. */
export type CpuSpread = { readonly [Part in keyof CpuPerRequest]: Spread | undefined };

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
  /** Where the CPU went, per gateway request, with the logs and without. */
  readonly cpuOn: CpuSpread;
  readonly cpuOff: CpuSpread;
}

export interface LogCostResult {
  readonly seconds: number;
  readonly rounds: number;
  readonly byConcurrency: readonly LogCostAtConcurrency[];
}

/** CPU seconds used so far by each part of `deployment` (see CpuPerRequest). */
function cpuNow(deployment: Deployment, databasePid: number | undefined): { [Part in keyof CpuPerRequest]: number | undefined } {
  let providers: number | undefined = 0;
  for (const [name, child] of deployment.subgraphs) {
    if (name === LEDGER_SUBGRAPH) continue;
    const used = cpuSeconds(child.pid);
    providers = used === undefined || providers === undefined ? undefined : providers + used;
  }
  const ledger = deployment.subgraphs.get(LEDGER_SUBGRAPH);
  return {
    gateway: cpuSeconds(deployment.gateway('ours').child.pid),
    providers,
    ledger: ledger ? cpuSeconds(ledger.pid) : undefined,
    database: databasePid === undefined ? undefined : treeCpuSeconds(databasePid),
  };
}

const PARTS: readonly (keyof CpuPerRequest)[] = ['gateway', 'providers', 'ledger', 'database'];

function perRequest(before: ReturnType<typeof cpuNow>, after: ReturnType<typeof cpuNow>, responses: number): CpuPerRequest {
  const part = (key: keyof CpuPerRequest) => {
    const [from, to] = [before[key], after[key]];
    return from === undefined || to === undefined || responses === 0 ? undefined : ((to - from) * 1000) / responses;
  };
  return { gateway: part('gateway'), providers: part('providers'), ledger: part('ledger'), database: part('database') };
}

function cpuSpread(runs: readonly CpuPerRequest[]): CpuSpread {
  const result: Partial<Record<keyof CpuPerRequest, Spread | undefined>> = {};
  for (const key of PARTS) {
    const values = runs.map((run) => run[key]);
    result[key] = values.every((value): value is number => value !== undefined) && values.length > 0 ? spread(values) : undefined;
  }
  return result as CpuSpread;
}

/**
 * The disclosure logs' cost to the mesh: the cross-domain workload through our gateway over two
 * deployments of the same subgraphs and databases, one whose providers write their logs as deployed
 * and one whose providers do not. Rounds alternate which goes first, and each ratio is one round's.
 */
export async function runLogCost(ctx: BenchContext, withLog: Deployment, withoutLog: Deployment): Promise<LogCostResult> {
  const { options } = ctx;
  const bodies = mixedBodies(ctx.pools);
  const logged = { logs: true, gateway: withLog.gateway('ours'), deployment: withLog };
  const unlogged = { logs: false, gateway: withoutLog.gateway('ours'), deployment: withoutLog };
  for (const side of [logged, unlogged]) await measure(ctx, side.gateway, bodies, 10, options.warmupSeconds);
  const byConcurrency: LogCostAtConcurrency[] = [];
  for (const concurrency of options.concurrencies) {
    const on: Measurement[] = [];
    const off: Measurement[] = [];
    const cpuOn: CpuPerRequest[] = [];
    const cpuOff: CpuPerRequest[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const side of round % 2 === 1 ? [logged, unlogged] : [unlogged, logged]) {
        const before = cpuNow(side.deployment, ctx.databasePid);
        const run = await measure(ctx, side.gateway, bodies, concurrency, options.throughputSeconds);
        const cpu = perRequest(before, cpuNow(side.deployment, ctx.databasePid), run.result.responses);
        ctx.errors.add(LOG_COST_SCENARIO, run.result);
        (side.logs ? on : off).push(run);
        (side.logs ? cpuOn : cpuOff).push(cpu);
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
      cpuOn: cpuSpread(cpuOn),
      cpuOff: cpuSpread(cpuOff),
    });
  }
  return { seconds: options.throughputSeconds, rounds: options.rounds, byConcurrency };
}
