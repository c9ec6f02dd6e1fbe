/**
 * `npm run bench [-- --quick]`: brings up the seeded mesh, measures the scenarios of DESIGN §9 and
 * issue 3 against Hive Gateway, and writes BENCHMARKS.md. See bench/report.ts for what is reported.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CommanderError } from 'commander';
import type { BenchContext } from './context';
import { coresFor, GATEWAYS, startDeployment, type Deployment, type DeploymentOptions, type GatewayKind } from './deployment';
import { startLoadGenerator, type LoadGenerator } from './load';
import { createBenchIdentity, type BenchIdentity } from './identity';
import { describeMachine } from './machine';
import { ErrorTally } from './measure';
import { parseOptions, type BenchOptions } from './options';
import { pinServer, prepareBenchDatabases, startBenchServer, type BenchServer } from './postgres';
import { canPin, pinProcess } from './processes';
import { preservedSections, renderReport } from './report';
import { runLatencyFloor, runNoDelayBaseline } from './scenarios/latency-floor';
import { runMemory } from './scenarios/memory';
import { runLogCost } from './scenarios/log-cost';
import { runOpenExport } from './scenarios/open-export';
import { runScaling } from './scenarios/scaling';
import { runSqlCount } from './scenarios/sql';
import { runThroughput } from './scenarios/throughput';
import { EXAMPLE_OPERATIONS, exampleBodies, sampleVariables } from './workload';

const began = Date.now();
/** Progress on stdout, each line stamped with the time since the start (mm:ss). */
const say = (line: string) => {
  const seconds = Math.floor((Date.now() - began) / 1000);
  process.stdout.write(`[${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}] ${line}\n`);
};

/** One request of each example query through each gateway, before any load: a problem is reported, not hidden in a rate. */
async function sanityCheck(deployment: Deployment, ctx: BenchContext): Promise<Array<{ gateway: GatewayKind; operation: string; problem: string | undefined }>> {
  const checks: Array<{ gateway: GatewayKind; operation: string; problem: string | undefined }> = [];
  for (const kind of GATEWAYS) {
    const gateway = deployment.gateways.get(kind);
    if (!gateway) continue;
    for (const operation of EXAMPLE_OPERATIONS) {
      const body = exampleBodies(operation, ctx.pools)[0] ?? '';
      let problem: string | undefined;
      try {
        const response = await fetch(gateway.url, { method: 'POST', headers: { ...ctx.headers, 'content-type': 'application/json' }, body });
        const text = await response.text();
        if (response.status !== 200 || text.includes('"errors":')) problem = `HTTP ${response.status}: ${text.slice(0, 300)}`;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      if (problem) say(`  ! ${kind} ${operation}: ${problem}`);
      checks.push({ gateway: kind, operation, problem });
    }
  }
  return checks;
}

function pinningDescription(options: BenchOptions, serverPinned: boolean): string {
  if (!canPin()) return 'none: taskset is missing or the machine has fewer than two cores, so every process shares every core.';
  const cores = coresFor(options.layout);
  const rest =
    options.layout === 'isolated'
      ? `the load generator, the subgraphs${serverPinned ? ', PostgreSQL' : ''} and the harness on core ${cores.rest}${serverPinned ? '' : ' (PostgreSQL is an external server, not pinned)'}`
      : `the load generator on core ${cores.load}; the subgraphs${serverPinned ? ' and PostgreSQL' : ''} free on cores ${cores.rest}`;
  return `layout "${options.layout}": each gateway alone on core ${cores.gateway} (\`taskset -c ${cores.gateway}\`, one gateway measured at a time); ${rest}.`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const startedAt = Date.now();
  const machine = describeMachine();
  say(`lienthong bench: ${options.quick ? 'quick' : 'full'} run, scale ${options.scale}, ${options.rounds} round(s), layout ${options.layout}`);
  say(`Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, commit ${machine.commit}`);

  let server: BenchServer | undefined;
  let load: LoadGenerator | undefined;
  let deployment: Deployment | undefined;
  /** Scenario 6's second deployment, beside `deployment`. */
  let unlogged: Deployment | undefined;
  /** A deployment still starting, which `deployment` does not hold yet. */
  let starting: Promise<Deployment> | undefined;
  /** Starts a deployment that the cleanup stops even when interrupted before it is up. */
  const deploy = async (deploymentOptions: DeploymentOptions): Promise<Deployment> => {
    starting = startDeployment(deploymentOptions);
    try {
      return await starting;
    } finally {
      starting = undefined;
    }
  };
  let identity: BenchIdentity | undefined;
  const cleanup = async () => {
    identity?.dispose();
    // A start under way is waited for (a failed start stops what it started), then stopped.
    const pending = starting;
    if (pending) await (await pending.catch(() => undefined))?.stop().catch(() => undefined);
    await unlogged?.stop().catch(() => undefined);
    unlogged = undefined;
    await deployment?.stop().catch(() => undefined);
    deployment = undefined;
    await load?.stop().catch(() => undefined);
    load = undefined;
    // After a failure, pg clients of the failed step (e.g. a half-started in-process mesh) may still
    // be connected: stopping the server cuts them off, and they emit an error nobody listens to.
    // That error is expected here and must not end the process before the cleanup is done.
    const cutOff = (error: unknown) => {
      const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
      const message = error instanceof Error ? error.message : '';
      if (code === '57P01' || /Connection terminated/.test(message)) return;
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    };
    process.on('uncaughtException', cutOff);
    await server?.stop().catch(() => undefined);
    server = undefined;
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    say('Interrupted: stopping …');
    void cleanup().then(() => process.exit(130));
  };
  // Kept for every signal, not once: a Ctrl-C (or a SIGTERM to the process group) can reach this
  // process twice, from the terminal and again from the tsx launcher (which relays it unless it hears
  // within 30 ms that this process got it), and a signal that finds no listener of ours makes tsx exit
  // at once, in the middle of the cleanup (children still running, supergraph copies left in
  // bench/.cache). Repeats are ignored while the cleanup runs.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    server = await startBenchServer(options.databaseUrl, options.pgDataDir, say);
    const databases = await prepareBenchDatabases(server.url, options.scale, options.reseed, say);
    const cores = coresFor(options.layout);
    // Seeding used every core; from here on, everything but the gateway keeps off the gateway's core.
    let serverPinned = false;
    if (canPin()) {
      if (options.layout === 'isolated') pinProcess(process.pid, cores.rest);
      serverPinned = pinServer(server, cores.rest);
    }
    const pinning = pinningDescription(options, serverPinned);
    say(`Pinning: ${pinning}`);
    load = startLoadGenerator(canPin() ? cores.load : undefined);

    identity = await createBenchIdentity();
    const headers = { authorization: identity.authorization };
    say('Starting subgraphs and gateways …');
    deployment = await deploy({ databases, delayMs: 0, gateways: GATEWAYS, layout: options.layout, tag: 'plain', identity, say });
    say('Sampling variables from the seeded data …');
    const pools = await sampleVariables(deployment.gateway('ours').url, headers, options.scale);
    const errors = new ErrorTally();
    const ctx: BenchContext = { options, load, pools, errors, headers, keys: identity.keys, say, ...(server.postmasterPid === undefined ? {} : { databasePid: server.postmasterPid }) };
    const sanity = await sanityCheck(deployment, ctx);

    say('Scenario 1: cross-domain workload');
    const throughput = await runThroughput(ctx, deployment);
    say('Scenario 4: memory');
    const memory = [];
    // Quick mode keeps to our gateway where the others only add context, to stay within a test's time.
    const contextual: readonly GatewayKind[] = options.quick ? ['ours'] : GATEWAYS;
    for (const kind of contextual) memory.push(await runMemory(ctx, deployment, kind));
    say('Scenario 5: scaling');
    const scaling = await runScaling(ctx, deployment);
    say('Scenario 7: open-data export');
    const openExport = await runOpenExport(ctx, deployment);
    say('Scenario 3, first part: each example query without delay');
    const baseline = await runNoDelayBaseline(ctx, deployment, contextual);
    say('Scenario 6: the disclosure logs in the mesh (our gateway over providers without their logs, side by side)');
    unlogged = await deploy({ databases, delayMs: 0, disclosureLog: false, gateways: ['ours'], layout: options.layout, tag: 'unlogged', identity, say });
    const logCost = await runLogCost(ctx, deployment, unlogged);
    await unlogged.stop();
    unlogged = undefined;
    await deployment.stop();
    deployment = undefined;

    say('Scenario 2: SQL statements per request');
    const sql = await runSqlCount(ctx, server.url);

    say(`Scenario 3: latency floor (${options.delayMs} ms per subgraph request)`);
    deployment = await deploy({ databases, delayMs: options.delayMs, gateways: GATEWAYS, layout: options.layout, tag: 'delayed', identity, say });
    const floor = await runLatencyFloor(ctx, deployment, baseline);
    await deployment.stop();
    deployment = undefined;

    const previous = existsSync(options.out) ? readFileSync(options.out, 'utf8') : undefined;
    const report = renderReport({
      machine,
      options,
      sizes: pools.sizes,
      server: server.description,
      pinning,
      startedAt,
      finishedAt: Date.now(),
      sanity,
      throughput,
      sql,
      floor,
      memory,
      scaling,
      logCost,
      openExport,
      errors: errors.entries(),
    }, preservedSections(previous));
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, report);
    say(`Wrote ${options.out}`);
  } catch (error) {
    const log = server?.logTail();
    if (log) say(`PostgreSQL's last log lines:\n${log}`);
    throw error;
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
