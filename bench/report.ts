import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_NODE_OPTIONS } from '../gateway/runtime';
import type { SeedSizes } from '../subgraphs/kit/seed-plan';
import { GATEWAY_LABELS, type GatewayKind } from './deployment';
import type { MachineInfo } from './machine';
import { REPO_ROOT, type BenchOptions } from './options';
import type { FloorResult } from './scenarios/latency-floor';
import type { CpuPerRequest, LogCostResult } from './scenarios/log-cost';
import type { MemoryResult } from './scenarios/memory';
import { EXPORT_WAYS, type ExportResult } from './scenarios/open-export';
import type { ScalingPoint, ScalingResult } from './scenarios/scaling';
import type { QueryStatements } from './scenarios/sql';
import type { ThroughputResult } from './scenarios/throughput';
import { errorRate, fixed, megabytes, showSpread } from './stats';

/** Everything a run measured, as the report renders it. */
export interface BenchReport {
  readonly machine: MachineInfo;
  readonly options: BenchOptions;
  readonly sizes: SeedSizes;
  readonly server: string;
  /** How processes were actually pinned. */
  readonly pinning: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Each gateway's answers to one request of each example query before any load. */
  readonly sanity: ReadonlyArray<{ readonly gateway: GatewayKind; readonly operation: string; readonly problem: string | undefined }>;
  readonly throughput: ThroughputResult;
  readonly sql: readonly QueryStatements[];
  readonly floor: readonly FloorResult[];
  /** Ours first, then the others for comparison. */
  readonly memory: readonly MemoryResult[];
  readonly scaling: ScalingResult;
  readonly logCost: LogCostResult;
  readonly openExport: ExportResult;
  readonly errors: ReadonlyArray<{ readonly scenario: string; readonly requests: number; readonly errors: number; readonly samples: readonly string[] }>;
}

function packageVersion(name: string): string {
  try {
    const json: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8'));
    return typeof json === 'object' && json !== null && 'version' in json && typeof json.version === 'string' ? json.version : '?';
  } catch {
    return '?';
  }
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const short: Readonly<Record<GatewayKind, string>> = { ours: 'ours', 'ours-uncached': 'ours, no open-data cache', hive: 'Hive Gateway', 'hive-router-runtime': 'Hive + router-runtime' };

/** Other CPU on the gateway's core, in cores, above which a measurement is reported as disturbed. */
const DISTURBED_CORES = 0.1;

function verdict(quick: boolean, met: boolean | undefined): string {
  if (quick) return 'not assessed (quick mode)';
  if (met === undefined) return 'n/a';
  return met ? 'met' : '**not met**';
}

function throughputSection(report: BenchReport): string {
  const t = report.throughput;
  const parts = [
    '## 1. Cross-domain workload',
    '',
    `The four example queries of \`test/operations/\` in equal shares, interleaved, each request with the next ` +
      `variables from its pool (${t.bodies} distinct bodies in turn). ${t.rounds} round(s) of ${t.seconds} s per gateway and ` +
      `concurrency; in each round the gateways run one after another (ours, ours keeping no open data, Hive Gateway, ` +
      `Hive + router-runtime), and each ratio is ours over the other gateway in the same round. Ours as deployed keeps the ` +
      `open data its subgraphs allow (the codes subgraph's units, land-use types and business lines, 300 s: ` +
      `gateway/open-data-cache.ts), so fetches of those already seen are not sent; the second row is ours keeping nothing, ` +
      `as the Hive gateways here do. Figures are median (min–max) over the rounds. Gateway CPU is ` +
      `the cores' worth of CPU the gateway process used during the measurement (from /proc): near 1.0 the gateway's core was the ` +
      `bottleneck; lower, something else was (the subgraphs, PostgreSQL or the load generator on the other core), and requests/s ` +
      `then mostly show the latency each gateway adds. Gateway CPU per request is what a request costs the gateway itself; ` +
      `its ratio is the throughput ratio the gateways would show if each were the bottleneck on its core. Other CPU on its core ` +
      `is what anything else (other users of the machine, the kernel's network work) used on the gateway's core meanwhile: ` +
      `well above 0, that measurement was disturbed.`,
  ];
  for (const level of t.byConcurrency) {
    const disturbance = Math.max(...level.gateways.map((g) => g.otherCpu.max));
    parts.push(
      '',
      `### Concurrency ${level.concurrency}`,
      '',
      table(
        ['Gateway', 'Requests/s', 'p50 ms', 'p99 ms', 'Gateway CPU (cores)', 'Gateway CPU ms per request', 'Other CPU on its core', 'Requests', 'Error rate'],
        level.gateways.map((g) => [
          GATEWAY_LABELS[g.gateway],
          showSpread(g.rps, 0),
          showSpread(g.p50, 1),
          showSpread(g.p99, 1),
          showSpread(g.cpu, 2),
          showSpread(g.cpuMs, 2),
          showSpread(g.otherCpu, 2),
          String(g.requests),
          errorRate(g.errors, g.requests),
        ]),
      ),
      '',
      table(
        [
          'Ratio, same round',
          'Requests/s ours ÷ other (above 1: ours serves more)',
          'p50 ours ÷ other (below 1: ours answers sooner)',
          'Gateway CPU per request ours ÷ other (below 1: ours costs less)',
        ],
        level.ratios.map((r) => [`ours vs ${short[r.versus]}`, showSpread(r.rps, 2, '×'), showSpread(r.p50, 2, '×'), showSpread(r.cpuMs, 2, '×')]),
      ),
    );
    if (disturbance > DISTURBED_CORES) {
      parts.push(
        '',
        `**Disturbed:** during some of these measurements something else used up to ${fixed(disturbance, 2)} of the gateway's core ` +
          '(see "Other CPU on its core"): other users of the machine were busy. Requests/s and latencies suffer from it; ' +
          'gateway CPU per request much less so.',
      );
    }
  }
  const atTop = t.byConcurrency[t.byConcurrency.length - 1];
  const versusHive = atTop?.ratios.find((r) => r.versus === 'hive');
  const versusUncached = atTop?.ratios.find((r) => r.versus === 'ours-uncached');
  const uncachedRps = atTop?.gateways.find((g) => g.gateway === 'ours-uncached')?.rps.median;
  const hiveRps = atTop?.gateways.find((g) => g.gateway === 'hive')?.rps.median;
  parts.push(
    '',
    `Bar (DESIGN §9): ≥ 1.0× Hive Gateway's throughput. At concurrency ${atTop?.concurrency ?? '?'}, requests/s ours ÷ Hive Gateway: ` +
      `${versusHive ? showSpread(versusHive.rps, 2, '×') : 'n/a'}: ${verdict(report.options.quick, versusHive ? versusHive.rps.median >= 1 : undefined)}. ` +
      `Bound by gateway CPU alone (Hive's CPU per request ÷ ours): ${versusHive ? fixed(1 / versusHive.cpuMs.median, 2) : 'n/a'}×. ` +
      `The open-data cache's part: ours ÷ ours keeping no open data ${versusUncached ? showSpread(versusUncached.rps, 2, '×') : 'n/a'}; ` +
      `ours keeping no open data ÷ Hive Gateway, from the medians: ${uncachedRps !== undefined && hiveRps ? `${fixed(uncachedRps / hiveRps, 2)}×` : 'n/a'}.`,
  );
  return parts.join('\n');
}

function sqlSection(report: BenchReport): string {
  const rows: string[][] = [];
  for (const q of report.sql) {
    for (const s of q.subgraphs) {
      if (s.planFetches === 0 && s.statements.max === 0) continue;
      rows.push([
        q.operation,
        s.subgraph,
        String(s.planFetches),
        showSpread(s.requests, 0),
        String(s.ideal),
        showSpread(s.statements, 0),
        s.names.join(', ') || '—',
      ]);
    }
  }
  const summary = table(
    ['Query', 'Samples', 'Exactly the ideal', 'Below (all fetches ran)', 'Fetch skipped (nothing to resolve)', 'Over the ideal', 'Errors'],
    report.sql.map((q) => [q.operation, String(q.samples), String(q.exact), String(q.below), String(q.partial), String(q.overIdeal), String(q.errors)]),
  );
  const over = report.sql.reduce((sum, q) => sum + q.overIdeal, 0);
  return [
    '## 2. SQL statements per request',
    '',
    'Counted at the pg client (`Database.onStatement`) of every subgraph, with the mesh run in the harness process ' +
      '(`scripts/mesh.ts` over the same bench databases) and one request at a time, so every statement belongs to the ' +
      'request in flight. The ideal comes from the gateway\'s own query plan (`@apollo/query-planner`, same supergraph): ' +
      'one statement per entity type per subgraph fetch, one for a root fetch (`test/support/query-plan.ts`). Each query ' +
      'ran with different variables per sample; "subgraph requests" are the fetches that actually reached the subgraph ' +
      '(the gateway skips a fetch that has nothing to resolve). Statement counts are median (min–max) over the samples. ' +
      'The access ledger is left out: the providers poll it every second whatever the requests, so its statements belong to no request. ' +
      'These are the statements that read data: a provider\'s BEGIN, its disclosure record and COMMIT, sent together with them, are not counted.',
    '',
    table(['Query', 'Subgraph', 'Plan fetches', 'Subgraph requests', 'Ideal statements', 'Statements sent', 'Statements seen'], rows),
    '',
    summary,
    '',
    `Bar (DESIGN §9): exactly the ideal. Samples over the ideal: ${over}: ${verdict(report.options.quick, over === 0)}.`,
  ].join('\n');
}

function floorSection(report: BenchReport): string {
  const kinds = report.floor[0]?.gateways.map((g) => g.gateway) ?? [];
  const figures = (f: FloorResult, kind: GatewayKind) => f.gateways.find((x) => x.gateway === kind);
  const rows = report.floor.map((f) => [
    f.operation,
    String(f.depth),
    `${f.floorMs} ms`,
    ...kinds.flatMap((kind) => {
      const g = figures(f, kind);
      return g ? [showSpread(g.p50, 1), showSpread(g.ratio, 2, '×')] : ['n/a', 'n/a'];
    }),
  ]);
  const decomposition = report.floor.map((f) => [
    f.operation,
    `${f.floorMs} ms`,
    ...kinds.flatMap((kind) => {
      const g = figures(f, kind);
      return g?.withoutDelay ? [showSpread(g.withoutDelay, 1), `${fixed(g.delayShare ?? Number.NaN, 2)}×`] : ['n/a', 'n/a'];
    }),
  ]);
  const worstOf = (kind: GatewayKind) => Math.max(...report.floor.map((f) => figures(f, kind)?.ratio.median ?? Number.NaN));
  const worst = worstOf('ours');
  const worstUncached = worstOf('ours-uncached');
  return [
    '## 3. Latency floor',
    '',
    `Every subgraph delays each request by ${report.options.delayMs} ms (\`SUBGRAPH_DELAY_MS\`, applied before the request ` +
      'is handled). Each example query alone at concurrency 1, varied variables; p50 is compared with the plan depth (fetches ' +
      'on the longest chain of dependent fetches in the gateway\'s plan) × the delay, the least any gateway can take. ' +
      `Median (min–max) over ${report.options.rounds} round(s) of ${report.options.latencySeconds} s.`,
    '',
    table(
      ['Query', 'Plan depth', 'Floor', ...kinds.flatMap((k) => [`${short[k]} p50 ms`, `${short[k]} p50 ÷ floor`])],
      rows,
    ),
    '',
    'The floor leaves out the work itself (parsing, planning, SQL, serialisation at every level). The same queries through ' +
      'the same gateways on subgraphs without delay (measured the same way, before the delay was switched on) tell the two ' +
      'apart: "delay\'s share" is (p50 with delay − p50 without) ÷ floor, near 1.0 when the gateway adds nothing but the ' +
      'delays it must wait for one after the other.',
    '',
    table(['Query', 'Floor', ...kinds.flatMap((k) => [`${short[k]} p50 without delay, ms`, `${short[k]} delay's share`])], decomposition),
    '',
    `Bar (DESIGN §9): ours ≤ 1.2 × floor. Worst query: ${fixed(worst, 2)}×: ${verdict(report.options.quick, Number.isFinite(worst) ? worst <= 1.2 : undefined)}. ` +
      `A fetch of open data the gateway already keeps is not sent, so it waits for no delay; keeping no open data, ours' worst ` +
      `query is ${fixed(worstUncached, 2)}×.`,
  ].join('\n');
}

function memorySection(report: BenchReport): string {
  const show = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : megabytes(bytes));
  const growthOf = (m: MemoryResult) => {
    const first = m.marks[0]?.rss;
    const last = m.marks[m.marks.length - 1]?.rss;
    return first !== undefined && last !== undefined ? last - first : undefined;
  };
  const reference = report.memory[0];
  const marks = reference?.marks ?? [];
  const rows = report.memory.map((m) => {
    const growth = growthOf(m);
    return [
      GATEWAY_LABELS[m.gateway],
      show(m.idle),
      ...m.marks.map((mark) => show(mark.rss)),
      show(m.peak),
      growth === undefined ? 'n/a' : `${growth >= 0 ? '+' : '−'}${megabytes(Math.abs(growth))}`,
      fixed(m.rps, 0),
      errorRate(m.errors, m.requests),
    ];
  });
  const ours = report.memory.find((m) => m.gateway === 'ours');
  const oursGrowth = ours ? growthOf(ours) : undefined;
  const met = ours?.peak !== undefined && oursGrowth !== undefined ? ours.peak <= 300 * 1024 ** 2 && oursGrowth <= 10 * 1024 ** 2 : undefined;
  return [
    '## 4. Memory',
    '',
    `Resident set size of each gateway process (/proc, sampled every second) under the cross-domain workload at ` +
      `concurrency ${reference?.concurrency ?? '?'}, one continuous run of ${reference?.seconds ?? '?'} s per gateway, one gateway ` +
      'after the other, on processes already warmed by scenario 1. Memory is a time series, so this is one run per gateway, not rounds. ' +
      'Our gateway runs as deployed (`node ' + GATEWAY_NODE_OPTIONS + ' --import tsx`, the options of gateway/runtime.ts), so its figure includes the tsx loader; Hive Gateway runs with its defaults.',
    '',
    table(
      ['Gateway', 'Idle before', ...marks.map((mark) => `RSS at ${mark.second} s`), 'Peak', `Growth ${marks[0]?.second ?? '?'}→${marks[marks.length - 1]?.second ?? '?'} s`, 'Requests/s', 'Error rate'],
      rows,
    ),
    '',
    `Bar (DESIGN §9): our gateway's RSS ≤ 300 MB under load, no growth over a 90 s run (read here as ≤ 10 MB between the marks): ${verdict(report.options.quick, met)}.`,
  ].join('\n');
}

function growthSentence(points: readonly ScalingPoint[], unit: (p: ScalingPoint) => string): string {
  const base = points[0];
  if (!base || !(base.p50.median > 0)) return '';
  const steps = points.slice(1).map((p) => `${unit(p)}: ${fixed(p.p50.median / base.p50.median, 1)}× the p50 of ${unit(base)}`);
  return steps.join('; ');
}

function scalingSection(report: BenchReport): string {
  const { lists, fanOut } = report.scaling;
  const listRows = lists.map((p, i) => [
    p.label,
    p.shape,
    String(p.size),
    String(p.depth),
    showSpread(p.p50, 1),
    showSpread(p.p99, 1),
    showSpread(p.rps, 0),
    fixed(p.meanResponseKiB, 1),
    i === 0 ? '1.0×' : `${fixed(p.p50.median / (lists[0]?.p50.median ?? Number.NaN), 1)}×`,
    errorRate(p.errors, p.requests),
  ]);
  const big = lists[lists.length - 1];
  const mid = lists[lists.length - 2];
  const perHundred = big && mid && big.size > mid.size ? ((big.p50.median - mid.p50.median) / (big.size - mid.size)) * 100 : Number.NaN;
  const fanRows = fanOut.map((p, i) => {
    const previous = fanOut[i - 1];
    return [
      String(p.size),
      p.shape,
      String(p.depth),
      showSpread(p.p50, 1),
      showSpread(p.p99, 1),
      showSpread(p.rps, 0),
      previous ? `${p.p50.median - previous.p50.median >= 0 ? '+' : ''}${fixed(p.p50.median - previous.p50.median, 1)} ms` : '—',
      errorRate(p.errors, p.requests),
    ];
  });
  const last = fanOut[fanOut.length - 1];
  const firstFan = fanOut[0];
  const perSubgraph = last && firstFan && last.size > firstFan.size ? (last.p50.median - firstFan.p50.median) / (last.size - firstFan.size) : Number.NaN;
  return [
    '## 5. Scaling',
    '',
    `Our gateway alone, concurrency 1, varied variables; median (min–max) over ${report.options.rounds} round(s) of ${report.options.latencySeconds} s.`,
    '',
    '### 5a. List size',
    '',
    'A list of land parcels (land), each with its id, area and land-use name (codes). Pages hold at most 100 rows ' +
      '(MAX_PAGE_SIZE), so the 1,000-row query is ten aliased `landParcels(first: 100, after: …)` pages in one request, ' +
      'each after a cursor taken from a real response: one fetch to land, then one batched entity fetch of all the rows ' +
      'to codes. Each request starts at a different page. The selection is the same at every size, so what grows is the rows.',
    '',
    table(['List', 'Shape', 'Rows returned', 'Plan depth', 'p50 ms', 'p99 ms', 'Requests/s', 'Response KiB', 'p50 ÷ p50 at 10 rows', 'Error rate'], listRows),
    '',
    `Growth: ${growthSentence(lists, (p) => `${p.size} rows`)}; about ${fixed(perHundred, 1)} ms more per 100 rows between the two largest lists.`,
    '',
    '### 5b. Subgraphs touched',
    '',
    'One citizen (a representative of an enterprise whose parcel carries a permit, so every step has data), each query ' +
      'adding one subgraph to the previous: citizens; + codes (commune name); + enterprises (the enterprises represented); ' +
      '+ land (their parcels); + construction (the permits on those parcels).',
    '',
    table(['Subgraphs', 'Adds', 'Plan depth', 'p50 ms', 'p99 ms', 'Requests/s', 'p50 vs previous', 'Error rate'], fanRows),
    '',
    `Growth: ${growthSentence(fanOut, (p) => `${p.size} subgraph${p.size > 1 ? 's' : ''}`)}; about ${fixed(perSubgraph, 1)} ms more per added subgraph on average.`,
  ].join('\n');
}

/**
 * Sections other scripts write into the same file between `<!-- <name>:start -->` and
 * `<!-- <name>:end -->` (e.g. bench/authorisation-cost.ts): kept as they are when the report is
 * rewritten, each with its name and its `## ` heading.
 */
export interface PreservedSection {
  readonly name: string;
  readonly heading: string;
  readonly text: string;
}

const PRESERVED = /<!-- ([a-z][a-z0-9-]*):start -->[\s\S]*?<!-- \1:end -->/g;

/** The marked sections of a previous report (none when there is no previous report). */
export function preservedSections(previous: string | undefined): PreservedSection[] {
  if (!previous) return [];
  // A real section has its own heading; this also skips a marker merely quoted in prose.
  return [...previous.matchAll(PRESERVED)].filter((match) => /^## /m.test(match[0])).map((match) => ({
    name: match[1] ?? '',
    heading: /^## (.+)$/m.exec(match[0])?.[1]?.trim() ?? match[1] ?? '',
    text: match[0],
  }));
}

/** Section 6: the disclosure logs' cost to the mesh, and where the subgraph-alone A/B benchmarks are. */
function authorisationAndLogSection(report: BenchReport, preserved: readonly PreservedSection[]): string {
  const elsewhere = (marker: string, issue: string) => {
    const section = preserved.find((p) => p.name === marker);
    return section ? `measured by its own script: see "${section.heading}" below` : `not yet measured (${issue})`;
  };
  const log = report.logCost;
  const atTop = log.byConcurrency[log.byConcurrency.length - 1];
  const meshVerdict = atTop
    ? `in the mesh at concurrency ${atTop.concurrency}: ${showSpread(atTop.ratio, 2, '×')}, ${verdict(report.options.quick, atTop.ratio.median >= 0.85)}` +
      ` (table below); the subgraph alone, the worst case: ${elsewhere('disclosure-log-cost', 'issue 5')}`
    : elsewhere('disclosure-log-cost', 'issue 5');
  return [
    '## 6. Authorisation and disclosure log',
    '',
    table(
      ['Bar (DESIGN §9)', 'Goal', 'Result'],
      [
        ['Authorisation cost: every rule on versus off, 1,000-row list', '≥ 0.8× throughput', elsewhere('authorisation-cost', 'issue 4')],
        ['Disclosure log cost: log on versus off', '≥ 0.85× throughput', meshVerdict],
      ],
    ),
    '',
    '### Disclosure logs in the mesh',
    '',
    `The cross-domain workload of section 1 through our gateway, over two deployments of the same subgraphs on the same ` +
      `databases: one whose providers write their disclosure logs as deployed (each request's reads and its hash-chained record ` +
      `in one transaction, the answer held until that commit is durable, the records relayed to the access ledger), and one whose providers run \`bench/subgraph-without-log.ts\` ` +
      `(the same subgraph, answering without the log). ${log.rounds} round(s) of ${log.seconds} s per side and concurrency, ` +
      `the sides alternating first; each ratio is one round's. Median (min–max).`,
    '',
    table(
      ['Clients', 'Requests/s, logs on', 'Requests/s, logs off', 'p50 ms, logs on', 'p50 ms, logs off', 'On ÷ off, same round', 'Requests', 'Error rate'],
      log.byConcurrency.map((level) => [
        String(level.concurrency),
        showSpread(level.on, 0),
        showSpread(level.off, 0),
        showSpread(level.p50On, 1),
        showSpread(level.p50Off, 1),
        `**${showSpread(level.ratio, 2, '×')}**`,
        String(level.requests),
        errorRate(level.errors, level.requests),
      ]),
    ),
    '',
    '#### Where the CPU goes',
    '',
    `CPU milliseconds per gateway request used by each part of the mesh during the same measurements, from /proc: the ` +
      `gateway's process; the providers' processes together; the access ledger, which takes the relayed records (it runs, ` +
      `and the providers poll it for grants, on both sides); PostgreSQL, the postmaster with every backend and worker, those ` +
      `that exited included (one server holds both sides' databases). The last column is the logs' own cost: on minus off, ` +
      `from the medians. Median (min–max).`,
    '',
    table(
      ['Clients', 'Part', 'CPU ms per request, logs on', 'CPU ms per request, logs off', 'On − off'],
      log.byConcurrency.flatMap((level) =>
        CPU_PARTS.map(([part, label]) => {
          const [on, off] = [level.cpuOn[part], level.cpuOff[part]];
          return [
            String(level.concurrency),
            label,
            on ? showSpread(on, 2) : 'n/a',
            off ? showSpread(off, 2) : 'n/a',
            on && off ? fixed(on.median - off.median, 2) : 'n/a',
          ];
        }),
      ),
    ),
  ].join('\n');
}

const CPU_PARTS: ReadonlyArray<readonly [keyof CpuPerRequest, string]> = [
  ['gateway', 'gateway'],
  ['providers', 'providers (every subgraph but the ledger)'],
  ['ledger', 'access ledger'],
  ['database', 'PostgreSQL'],
];

function openExportSection(report: BenchReport): string {
  const result = report.openExport;
  const { whole, depth } = result;
  const show = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : megabytes(bytes));
  const growth = whole.quarter !== undefined && whole.last !== undefined ? whole.last - whole.quarter : undefined;
  const overIdle = whole.peak !== undefined && whole.idle !== undefined ? whole.peak - whole.idle : undefined;
  const signed = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${bytes >= 0 ? '+' : '−'}${megabytes(Math.abs(bytes))}`);
  const met = overIdle !== undefined && growth !== undefined && whole.complete ? overIdle <= 50 * 1024 ** 2 && growth <= 10 * 1024 ** 2 : undefined;
  const rates = [...result.rates].map(([way, rate]) => [EXPORT_WAYS[way].label, showSpread(rate, 0)]);
  const ratios = [...result.ratios].map(([way, ratio]) => [`download ÷ ${EXPORT_WAYS[way].label}`, `${showSpread(ratio, 2, '×')}`]);
  return [
    '## 7. Open-data export',
    '',
    `The largest open list, \`${result.dataset}\` (${result.columns} columns), as CSV from our gateway's download (gateway/open-download.ts: ` +
      'the list\'s pages run one after another as the anonymous caller, each written as it comes), against a client paging the same list and ' +
      `fields through each gateway's /graphql, 100 rows a page. Rows per second over the first ${result.roundRows} rows of each way, ` +
      `the ways one after another in each round; median (min–max) over ${report.options.rounds} round(s).`,
    '',
    table(['Way', 'Rows/s'], rates),
    '',
    table(['Ratio, same round', 'Rows/s (above 1: the download is faster)'], ratios),
    '',
    `Then the whole list once from our gateway, its RSS sampled every 250 ms: ${whole.rows} rows${whole.complete ? '' : ' (incomplete)'} ` +
      `(${megabytes(whole.bytes)} of CSV) in ${fixed(whole.seconds, 1)} s, ${fixed(whole.rows / whole.seconds, 0)} rows/s.`,
    '',
    table(
      ['Gateway RSS before', 'At a quarter of the rows', 'At the end', 'Peak', 'Peak over before', 'Quarter → end'],
      [[show(whole.idle), show(whole.quarter), show(whole.last), show(whole.peak), signed(overIdle), signed(growth)]],
    ),
    '',
    `Bar (DESIGN §9): an export streams 1M rows with memory flat (≤ +50 MB), rows per second reported. At seed scale ${report.options.scale} the largest open list holds ` +
      `${report.sizes.parcels} rows; 1M rows need \`--scale 250\`. Memory over the run here (peak ≤ 50 MB over before, ≤ 10 MB from a quarter to the end): ${verdict(report.options.quick, met)}.`,
    '',
    `Whether a page deep in the list costs more than the first: a client paging ${depth.rows} rows through our /graphql from the first row, and from row ${depth.deepAfter} ` +
      '(nine tenths in), one after the other in each round, which first alternating; the ratio is pair by pair. The lists page by key (a cursor names the last ' +
      'row shown, subgraphs/kit/pagination.ts), so a deep page reads only its own rows; by offset it would read and skip every row before it.',
    '',
    table(['From the first row, rows/s', `From row ${depth.deepAfter}, rows/s`, 'Deep ÷ first, same round'], [[showSpread(depth.fromStart, 0), showSpread(depth.fromDeep, 0), showSpread(depth.ratio, 2, '×')]]),
  ].join('\n');
}

function errorSection(report: BenchReport): string {
  const rows = report.errors.map((e) => [e.scenario, String(e.requests), String(e.errors), errorRate(e.errors, e.requests), e.samples[0]?.slice(0, 160) ?? '—']);
  const sqlErrors = report.sql.reduce((sum, q) => sum + q.errors, 0);
  const sqlSamples = report.sql.reduce((sum, q) => sum + q.samples, 0);
  rows.push(['2. SQL statements per request', String(sqlSamples), String(sqlErrors), errorRate(sqlErrors, sqlSamples), '—']);
  // Scenario names start with their number: sorted, they follow the report's order.
  rows.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
  const sanityProblems = report.sanity.filter((s) => s.problem !== undefined);
  return [
    '## Errors',
    '',
    'Every response is checked: an error is a non-200 status, a 200 whose body holds GraphQL `errors`, or no response ' +
      '(connection error or 10 s timeout).',
    '',
    table(['Scenario', 'Requests', 'Errors', 'Error rate', 'First error seen'], rows),
    '',
    sanityProblems.length === 0
      ? `Before any load, each gateway answered each example query without errors (${report.sanity.length} checks).`
      : `Before any load, these checks failed:\n\n${sanityProblems.map((s) => `- ${s.gateway}, ${s.operation}: ${s.problem ?? ''}`).join('\n')}`,
  ].join('\n');
}

/** BENCHMARKS.md for `report`, keeping `preserved` sections of the previous file after section 6. */
export function renderReport(report: BenchReport, preserved: readonly PreservedSection[] = []): string {
  const { machine, options, sizes } = report;
  const minutes = ((report.finishedAt - report.startedAt) / 60_000).toFixed(1);
  const header = [
    '# Benchmarks',
    '',
    ...(options.quick
      ? ['> **Quick mode** (`npm run bench -- --quick`): a few seconds per scenario on a tiny seed, to prove the harness works. The timings mean nothing.', '']
      : []),
    `Written by \`npm run bench\` (bench/run.ts) on ${machine.date.slice(0, 10)}, commit ${machine.commit}; the run took ${minutes} min. ` +
      'These machines are noisy: read figures as median (min–max) over rounds, and comparisons as ratios taken pair by pair in the same run.',
    '',
    '## Machine',
    '',
    table(
      ['', ''],
      [
        ['CPU', machine.cpuModel],
        ['Cores', String(machine.cores)],
        ['Memory', `${machine.memoryGiB} GiB`],
        ['OS', machine.os],
        ['Node.js', machine.node],
        ['Date', machine.date],
        ['Commit', machine.commit],
        ['Load average (1 min) when the run started', machine.loadAverage === undefined ? 'n/a' : fixed(machine.loadAverage, 2)],
      ],
    ),
    '',
    '## Set-up',
    '',
    `- Data: seed scale ${options.scale}: ${sizes.citizens} citizens, ${sizes.enterprises} enterprises, ${sizes.parcels} parcels, ${sizes.permits} permits, on ${report.server}; seeded once and reused.`,
    '- Processes: each agency subgraph is its own process (`subgraphs/kit/run.ts <name>`, its own database and pool), the providers polling the access ledger for grants every second and writing their disclosure log (each request\'s reads and record in one transaction, its answer waiting for that commit; the outbox is relayed to the ledger) as deployed; each gateway is its own process; the load generator (autocannon, one HTTP/1.1 connection per concurrent client, no pipelining) is its own process.',
    `- Pinning: ${report.pinning}`,
    `- Gateways: ours, \`gateway/index.ts\` (@apollo/gateway ${packageVersion('@apollo/gateway')}, @apollo/server ${packageVersion('@apollo/server')}); ` +
      `Hive Gateway (@graphql-hive/gateway ${packageVersion('@graphql-hive/gateway')}, \`hive-gateway supergraph\`); Hive Gateway with the Hive Router runtime ` +
      `(@graphql-hive/router-runtime ${packageVersion('@graphql-hive/router-runtime')}, \`--hive-router-runtime\`), the Node ceiling. All serve schema/supergraph.graphql ` +
      'with the URLs of the same running subgraphs, with NODE_ENV=production and LOG_LEVEL=warn, and default settings otherwise.',
    '- Identity: every request carries the RS256 token of an official of a consuming agency (fresh keys per run). Each gateway ' +
      'verifies it once per request (401 without it), forwards it and signs the per-call proof the subgraphs require; Hive ' +
      'Gateway does the same through `bench/hive/gateway.config.ts`, with the same code (`subgraphs/kit/identity.ts`). The ' +
      'subgraphs verify token and proof on every call, whichever gateway sends it.',
    `- Load: autocannon ${packageVersion('autocannon')}; every request carries different variables (citizen ids, communes, business lines, date ranges, cursors drawn from the seeded data), so deduplicating or caching identical requests flatters nobody.`,
    `- Rounds: ${options.rounds}; ${options.throughputSeconds} s per throughput measurement, ${options.latencySeconds} s per latency measurement, ${options.warmupSeconds} s warm-up per gateway (discarded).`,
  ].join('\n');
  const reproduce = [
    '## How to reproduce',
    '',
    '```sh',
    'npm ci',
    'npm run bench                 # full run: scale 50, 3 rounds; seeds .data/bench-postgres on first use',
    'npm run bench -- --quick      # every scenario for a few seconds; proves the harness, asserts no timing',
    '```',
    '',
    'Options: `--scale <n>`, `--rounds <n>`, `--duration <s>` (throughput measurements), `--out <path>` (or `BENCH_OUT`), ' +
      '`--reseed` (drop and re-seed the bench databases), `--layout isolated|shared`. `LIENTHONG_DATABASE_URL` (an admin URL) ' +
      'uses an existing PostgreSQL server instead of the embedded one; `BENCH_PG_DATA` moves the embedded data directory. ' +
      `This run: \`npm run bench --${options.quick ? ' --quick' : ''} --scale ${options.scale} --rounds ${options.rounds} --layout ${options.layout}\`. ` +
      'Sections other scripts write between `<!-- <name>:start -->` and `<!-- <name>:end -->` markers (e.g. ' +
      '`npx tsx bench/authorisation-cost.ts`) are kept when this report is rewritten.',
  ].join('\n');
  return (
    [
      header,
      throughputSection(report),
      sqlSection(report),
      floorSection(report),
      memorySection(report),
      scalingSection(report),
      authorisationAndLogSection(report, preserved),
      openExportSection(report),
      ...preserved.map((p) => p.text),
      errorSection(report),
      reproduce,
    ].join('\n\n') + '\n'
  );
}
