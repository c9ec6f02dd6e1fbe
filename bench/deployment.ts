import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GATEWAY_NODE_OPTIONS } from '../gateway/runtime';
import { freePort } from '../scripts/embedded-postgres';
import { LEDGER_SUBGRAPH } from '../subgraphs/access/catalogue';
import { listAgencies, type Agency } from '../subgraphs/kit/agency';
import type { Layout } from './options';
import { REPO_ROOT } from './options';
import { supergraphWithUrls } from './plan';
import type { BenchIdentity } from './identity';
import { canPin, startChild, waitForHttp, type RunningChild } from './processes';

/**
 * The gateways compared: ours as deployed, ours keeping no open data (what the open-data cache
 * buys, and ours on the same footing as the others, which keep nothing), Hive Gateway (default
 * runtime) and Hive Gateway with the router runtime.
 */
export const GATEWAYS = ['ours', 'ours-uncached', 'hive', 'hive-router-runtime'] as const;
export type GatewayKind = (typeof GATEWAYS)[number];

export const GATEWAY_LABELS: Readonly<Record<GatewayKind, string>> = {
  ours: 'lienthong (Apollo Gateway, gateway/index.ts)',
  'ours-uncached': 'lienthong keeping no open data (OPEN_DATA_CACHE_MB=0)',
  hive: 'Hive Gateway',
  'hive-router-runtime': 'Hive Gateway + router-runtime',
};

/** The access ledger's subgraph: providers poll it every second, whatever the requests. */
export { LEDGER_SUBGRAPH };

/** Cores, in taskset syntax, of each role under a layout (see Layout). */
export function coresFor(layout: Layout): { gateway: string; load: string; rest: string } {
  return layout === 'isolated' ? { gateway: '0', load: '1', rest: '1' } : { gateway: '0', load: '1', rest: '0,1' };
}

export interface RunningGateway {
  readonly kind: GatewayKind;
  /** The GraphQL endpoint. */
  readonly url: string;
  readonly child: RunningChild;
  /** The one core the gateway is pinned to; undefined when not pinned. */
  readonly core: number | undefined;
}

export interface Deployment {
  /** GraphQL endpoint of each subgraph, by subgraph name. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly gateways: ReadonlyMap<GatewayKind, RunningGateway>;
  /** Each subgraph's process, by subgraph name. */
  readonly subgraphs: ReadonlyMap<string, RunningChild>;
  gateway(kind: GatewayKind): RunningGateway;
  stop(): Promise<void>;
}

export interface DeploymentOptions {
  /** Database URL of each subgraph, by subgraph name. */
  readonly databases: ReadonlyMap<string, string>;
  /** SUBGRAPH_DELAY_MS of every subgraph. */
  readonly delayMs: number;
  /** false: the providers answer without writing their disclosure logs (bench/subgraph-without-log.ts), to measure the logs' cost. */
  readonly disclosureLog?: false;
  readonly gateways: readonly GatewayKind[];
  readonly layout: Layout;
  /** Distinguishes this deployment's supergraph copy in bench/.cache/. */
  readonly tag: string;
  readonly identity: BenchIdentity;
  readonly say: (line: string) => void;
}

/** The same environment for every process, so no side gets a production/development advantage. */
function baseEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...extra };
  // The harness itself runs under tsx; its loader must not leak into Hive Gateway.
  delete env['NODE_OPTIONS'];
  return env;
}

/** `node --import tsx <script>`: TypeScript run as `npx tsx` would, but as one process whose pid is the program's. */
function tsxArgs(script: string, args: readonly string[]): string[] {
  return ['--import', 'tsx', join(REPO_ROOT, script), ...args];
}

/** Hive Gateway's configuration: the same identity work as ours (see the file). */
const HIVE_CONFIG = join(REPO_ROOT, 'bench', 'hive', 'gateway.config.ts');

function hiveGatewayBin(): string {
  // The package's CommonJS entry lives in dist/, next to the CLI's bin.js.
  return join(dirname(require.resolve('@graphql-hive/gateway')), 'bin.js');
}

async function startGateway(
  kind: GatewayKind,
  subgraphUrls: Readonly<Record<string, string>>,
  options: DeploymentOptions,
  files: string[],
): Promise<RunningGateway> {
  const port = await freePort();
  const cores = coresFor(options.layout).gateway;
  const url = `http://127.0.0.1:${port}/graphql`;
  let child: RunningChild;
  if (kind === 'ours' || kind === 'ours-uncached') {
    const cache: Record<string, string> = kind === 'ours-uncached' ? { OPEN_DATA_CACHE_MB: '0' } : {};
    child = startChild({
      name: `gateway ${kind}`,
      command: process.execPath,
      args: [...GATEWAY_NODE_OPTIONS.split(' '), ...tsxArgs('gateway/index.ts', [])],
      env: baseEnv({ ...options.identity.gatewayEnv, PORT: String(port), HOST: '127.0.0.1', SUBGRAPH_URLS: JSON.stringify(subgraphUrls), ...cache }),
      cwd: REPO_ROOT,
      cores,
    });
  } else {
    const supergraph = supergraphWithUrls(subgraphUrls, `${options.tag}-${kind}`);
    files.push(supergraph);
    const args = [hiveGatewayBin(), 'supergraph', supergraph, '--host', '127.0.0.1', '--port', String(port), '--fork', '1', '--config-path', HIVE_CONFIG];
    if (kind === 'hive-router-runtime') args.push('--hive-router-runtime');
    child = startChild({
      name: `gateway ${kind}`,
      command: process.execPath,
      args,
      // The subgraphs' URLs by name: Hive Gateway's configuration signs each call's proof for its subgraph.
      env: baseEnv({ ...options.identity.gatewayEnv, BENCH_REPO_ROOT: REPO_ROOT, BENCH_SUBGRAPH_URLS: JSON.stringify(subgraphUrls) }),
      cwd: dirname(supergraph),
      cores,
    });
  }
  try {
    // Ready means answering an authenticated query: the whole path, identity included, works.
    await waitForHttp(url, child, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: options.identity.authorization },
      body: '{"query":"{ __typename }"}',
    });
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { kind, url, child, core: canPin() && /^\d+$/.test(cores) ? Number(cores) : undefined };
}

/**
 * Starts every agency subgraph as its own process (`subgraphs/kit/run.ts <name>`, on a free port,
 * over its bench database) and the requested gateways over them, each pinned per `layout`.
 */
export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const rest = coresFor(options.layout).rest;
  const subgraphs = new Map<string, RunningChild>();
  const gateways = new Map<GatewayKind, RunningGateway>();
  const files: string[] = [];
  const stop = async () => {
    for (const gateway of gateways.values()) await gateway.child.stop();
    for (const subgraph of subgraphs.values()) await subgraph.stop();
    for (const file of files) rmSync(file, { force: true });
  };
  try {
    const subgraphUrls: Record<string, string> = {};
    const startSubgraph = async (agency: Agency, ledgerUrl: string | undefined): Promise<string> => {
      const database = options.databases.get(agency.subgraph);
      if (!database) throw new Error(`no bench database for ${agency.subgraph}`);
      const port = await freePort();
      const identity =
        agency.subgraph === LEDGER_SUBGRAPH ? options.identity.ledgerEnv : options.identity.providerEnv(agency.subgraph, agency.agencyCode, ledgerUrl);
      const child = startChild({
        name: `subgraph ${agency.subgraph}`,
        command: process.execPath,
        args: tsxArgs(options.disclosureLog === false ? 'bench/subgraph-without-log.ts' : 'subgraphs/kit/run.ts', [agency.subgraph]),
        env: baseEnv({
          ...identity,
          DATABASE_URL: database,
          PORT: String(port),
          HOST: '127.0.0.1',
          SEED: 'false',
          SUBGRAPH_DELAY_MS: String(options.delayMs),
        }),
        cwd: REPO_ROOT,
        cores: rest,
      });
      subgraphs.set(agency.subgraph, child);
      // A subgraph answers GraphQL only to the gateway (a signed proof per call): wait on liveness.
      await waitForHttp(`http://127.0.0.1:${port}/health/live`, child);
      subgraphUrls[agency.subgraph] = `http://127.0.0.1:${port}/graphql`;
      return `http://127.0.0.1:${port}`;
    };
    // The access ledger first, as deployed: every provider polls it for its grants and consents.
    const agencies = listAgencies();
    const ledger = agencies.find((agency) => agency.subgraph === LEDGER_SUBGRAPH);
    const ledgerUrl = ledger ? await startSubgraph(ledger, undefined) : undefined;
    // As with the gateways below: every start settles before a failure is thrown.
    const up = await Promise.allSettled(agencies.filter((agency) => agency !== ledger).map((agency) => startSubgraph(agency, ledgerUrl)));
    const down = up.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (down) throw down.reason;
    const how = [options.delayMs > 0 ? `each delaying ${options.delayMs} ms` : '', options.disclosureLog === false ? 'no disclosure logs' : ''].filter(Boolean).join(', ');
    options.say(`  ${subgraphs.size} subgraphs up${how ? `, ${how}` : ''}.`);
    // Started together: each is idle once up, and each is measured alone later. All are awaited
    // before any failure is thrown, so that the stop in `catch` finds every one that did start.
    const started = await Promise.allSettled(
      options.gateways.map(async (kind) => {
        gateways.set(kind, await startGateway(kind, subgraphUrls, options, files));
        options.say(`  ${GATEWAY_LABELS[kind]} up.`);
      }),
    );
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    return {
      subgraphUrls,
      gateways,
      subgraphs,
      gateway(kind) {
        const gateway = gateways.get(kind);
        if (!gateway) throw new Error(`gateway ${kind} is not part of this deployment`);
        return gateway;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
