/**
 * `npm run bench -- --quick` end to end: the real command, as a user types it, on the test PostgreSQL
 * server (LIENTHONG_DATABASE_URL), writing its report to a temporary directory (`--out`). It proves
 * that the harness brings the mesh up, runs every scenario against every gateway it compares and
 * writes a complete report, with no request failing. It asserts no timing: quick-mode figures mean
 * nothing, and this machine is shared.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWAYS, GATEWAY_LABELS } from '../bench/deployment';
import { parseOptions, REPO_ROOT } from '../bench/options';
import { LATENCY_FLOOR_SCENARIO } from '../bench/scenarios/latency-floor';
import { LOG_COST_SCENARIO } from '../bench/scenarios/log-cost';
import { MEMORY_SCENARIO } from '../bench/scenarios/memory';
import { EXPORT_WAYS, OPEN_EXPORT_SCENARIO } from '../bench/scenarios/open-export';
import { LIST_SIZES, SCALING_SCENARIO } from '../bench/scenarios/scaling';
import { SQL_SCENARIO } from '../bench/scenarios/sql';
import { THROUGHPUT_SCENARIO } from '../bench/scenarios/throughput';
import { EXAMPLE_OPERATIONS } from '../bench/workload';
import { seedSizes } from '../subgraphs/kit/seed-plan';
import { testServerUrl } from './support/mesh';

/**
 * The quick run takes about 3 minutes on a 2-core machine with nothing else running; the command is
 * stopped after three times that. Jest's own limit is later, so that a slow run fails with the
 * command's output rather than with a bare timeout.
 */
const RUN_LIMIT_MS = 9 * 60_000;
/** Time the command gets to clean up after SIGTERM before its whole process group is killed. */
const STOP_GRACE_MS = 20_000;
/** Lines of each output stream shown when the run or an assertion on its report fails. */
const TAIL_LINES = 60;

/** What the quick run is configured to do, from the harness's own option parsing. */
const QUICK = parseOptions(['node', 'bench/run.ts', '--quick'], {});
const SCENARIOS = [THROUGHPUT_SCENARIO, SQL_SCENARIO, LATENCY_FLOOR_SCENARIO, MEMORY_SCENARIO, SCALING_SCENARIO];
/** Every scenario that sends requests, as the errors table names them. */
const LOADED = [...SCENARIOS, LOG_COST_SCENARIO];
/** Steps of scenario 5b: one query per number of subgraphs touched, 1 to 5. */
const FAN_OUT_STEPS = 5;

interface CommandRun {
  /** The exit code; null when the command was ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the command overran RUN_LIMIT_MS and was stopped. */
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** The pid of the running command, the leader of its own process group; undefined once it has exited. */
let running: number | undefined;

/** Signals the command's whole process group (npm, the shell, tsx, the harness and its children). */
function signalGroup(signal: NodeJS.Signals): void {
  if (running === undefined) return;
  try {
    process.kill(-running, signal);
  } catch {
    // the group is already gone
  }
}

/** Runs `npm <args>` in the repository root; resolves once it has exited and its output is complete. */
function runNpm(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', [...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running = child.pid;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const limit = setTimeout(() => {
      timedOut = true;
      signalGroup('SIGTERM');
      killer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
    }, RUN_LIMIT_MS);
    child.once('error', (error) => {
      clearTimeout(limit);
      running = undefined;
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(limit);
      clearTimeout(killer);
      running = undefined;
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}

/** The last TAIL_LINES lines of `text`. */
function tail(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-TAIL_LINES).join('\n');
}

let workDir: string;
let reportPath: string;
let run: CommandRun | undefined;
const committedReport = join(REPO_ROOT, 'BENCHMARKS.md');
/** The git-ignored folder where a run keeps its key file and supergraph copies, named by its pid. */
const scratchDir = join(REPO_ROOT, 'bench', '.cache');
let scratchBefore: ReadonlySet<string> = new Set();

const listScratch = (): string[] => (existsSync(scratchDir) ? readdirSync(scratchDir).sort() : []);

/** True while process `pid` exists (EPERM: it does, as another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}

/**
 * Files of the scratch folder that appeared during the run and whose run has ended: left behind.
 * Files of a run still going (someone else's, in the same checkout) are not this run's.
 */
function leftInScratch(): string[] {
  return listScratch().filter((name) => {
    if (scratchBefore.has(name)) return false;
    const pid = /-(\d+)[-.]/.exec(name)?.[1];
    return pid === undefined || !alive(Number(pid));
  });
}

/** The command line and the tail of each output stream, to explain a failure. */
function explanation(): string {
  if (!run) return 'npm run bench did not run (see the error of beforeAll).';
  const ending = run.timedOut ? `stopped after ${RUN_LIMIT_MS / 1000} s` : run.signal ? `ended by ${run.signal}` : `exited with ${run.code}`;
  return [
    `npm run bench -- --quick ${ending}.`,
    `--- stdout, last ${TAIL_LINES} lines ---`,
    tail(run.stdout),
    `--- stderr, last ${TAIL_LINES} lines ---`,
    tail(run.stderr) || '(empty)',
  ].join('\n');
}

/** A test body whose failure carries the command's output, so that a broken run explains itself. */
function explained(body: () => void): () => void {
  return () => {
    try {
      body();
    } catch (error) {
      // The assertion's own error, so that Jest still points at the failed line.
      if (!(error instanceof Error)) throw new Error(`${String(error)}\n\n${explanation()}`);
      error.message += `\n\n${explanation()}`;
      throw error;
    }
  };
}

/** The report as written; throws when there is none. */
function report(): string {
  if (!existsSync(reportPath)) throw new Error(`no report at ${reportPath}`);
  return readFileSync(reportPath, 'utf8');
}

/** The text under the heading `heading` (e.g. "## 4. Memory"), up to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`the report has no heading "${heading}"`);
  const end = lines.findIndex((line, i) => i > start && new RegExp(`^#{1,${level}} `).test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/** A markdown table: its header's cells and each row's cells. */
interface Table {
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** Every table of `text`, in order; cells are trimmed and unescaped (the report escapes `|` in cells). */
function tables(text: string): Table[] {
  const found: Table[] = [];
  let block: string[][] = [];
  const flush = () => {
    const [header, , ...rows] = block;
    if (header) found.push({ header, rows });
    block = [];
  };
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      flush();
      continue;
    }
    const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
    block.push(cells);
  }
  flush();
  return found;
}

/** The `index`th table of `text`; throws when there are fewer. */
function tableAt(text: string, index: number): Table {
  const table = tables(text)[index];
  if (!table) throw new Error(`expected at least ${index + 1} table(s) in:\n${text}`);
  return table;
}

/** The cells of column `name` of `table`, by the row's first cell. */
function column(table: Table, name: string): Record<string, string | undefined> {
  const index = table.header.indexOf(name);
  if (index === -1) throw new Error(`no column "${name}" in | ${table.header.join(' | ')} |`);
  return Object.fromEntries(table.rows.map((row) => [row[0] ?? '', row[index]]));
}

const firstCells = (table: Table): string[] => table.rows.map((row) => row[0] ?? '');
/** `value` for every key of `keys`, to compare a column against. */
const each = (keys: readonly string[], value: string): Record<string, string> => Object.fromEntries(keys.map((key) => [key, value]));

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'lienthong-bench-test-'));
  reportPath = join(workDir, 'report', 'BENCHMARKS.md');
  scratchBefore = new Set(listScratch());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The test server, not an embedded PostgreSQL under .data/ (the report names the server it
    // used); BENCH_PG_DATA only keeps one out of the repository should the harness start it anyway.
    LIENTHONG_DATABASE_URL: testServerUrl(),
    BENCH_PG_DATA: join(workDir, 'postgres'),
    npm_config_update_notifier: 'false',
  };
  delete env['BENCH_OUT'];
  // --reseed: a seed left on a persistent test server by an older version of the code is not reused.
  run = await runNpm(['run', 'bench', '--', '--quick', '--reseed', '--out', reportPath], env);
}, RUN_LIMIT_MS + STOP_GRACE_MS + 60_000);

afterAll(() => {
  // Only when Jest gave up on beforeAll: nothing of the run may outlive the test.
  signalGroup('SIGKILL');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('npm run bench -- --quick', () => {
  it(
    'exits with 0 and writes its report where --out says, not to BENCHMARKS.md, leaving no file of its own behind',
    explained(() => {
      expect(run?.timedOut).toBe(false);
      expect(run?.code).toBe(0);
      expect(existsSync(reportPath)).toBe(true);
      // Not "unchanged": someone may be running the bench in this checkout meanwhile. The report holds
      // the run's start time to the millisecond: BENCHMARKS.md equals it only if this run wrote there too.
      expect(existsSync(committedReport) && readFileSync(committedReport, 'utf8') === report()).toBe(false);
      expect(leftInScratch()).toEqual([]);
    }),
  );

  it(
    'reports a quick run on the PostgreSQL server it was given',
    explained(() => {
      const text = report();
      expect(text.startsWith('# Benchmarks\n')).toBe(true);
      expect(text).toContain('> **Quick mode**');
      expect(text).toContain('on the PostgreSQL server at LIENTHONG_DATABASE_URL');
      expect(text).toContain(`\`npm run bench -- --quick --scale ${QUICK.scale} --rounds ${QUICK.rounds} --layout ${QUICK.layout}\``);
    }),
  );

  it(
    'has a section for every scenario, in order, between the set-up and the errors',
    explained(() => {
      const headings = report()
        .split('\n')
        .filter((line) => /^## /.test(line));
      expect(headings).toEqual([
        '## Machine',
        '## Set-up',
        ...SCENARIOS.map((scenario) => `## ${scenario}`),
        '## 6. Authorisation and disclosure log',
        `## ${OPEN_EXPORT_SCENARIO}`,
        '## Errors',
        '## How to reproduce',
      ]);
    }),
  );

  it(
    'measures every gateway at every concurrency of the cross-domain workload, without errors',
    explained(() => {
      const text = section(report(), `## ${THROUGHPUT_SCENARIO}`);
      const labels = GATEWAYS.map((kind) => GATEWAY_LABELS[kind]);
      for (const concurrency of QUICK.concurrencies) {
        const level = section(text, `### Concurrency ${concurrency}`);
        const figures = tableAt(level, 0);
        expect(firstCells(figures)).toEqual(labels);
        expect(column(figures, 'Error rate')).toEqual(each(labels, '0 %'));
        // Ours against each other gateway, pair by pair.
        expect(tableAt(level, 1).rows).toHaveLength(GATEWAYS.length - 1);
      }
    }),
  );

  it(
    'counts the SQL statements of every example query, without errors',
    explained(() => {
      const text = section(report(), `## ${SQL_SCENARIO}`);
      const perSubgraph = tableAt(text, 0);
      expect([...new Set(firstCells(perSubgraph))].sort()).toEqual([...EXAMPLE_OPERATIONS].sort());
      const summary = tableAt(text, 1);
      expect(firstCells(summary)).toEqual([...EXAMPLE_OPERATIONS]);
      expect(column(summary, 'Errors')).toEqual(each(EXAMPLE_OPERATIONS, '0'));
      for (const samples of Object.values(column(summary, 'Samples'))) expect(Number(samples)).toBeGreaterThan(0);
    }),
  );

  it(
    'measures the latency floor of every example query through every gateway',
    explained(() => {
      const text = section(report(), `## ${LATENCY_FLOOR_SCENARIO}`);
      const floor = tableAt(text, 0);
      expect(firstCells(floor)).toEqual([...EXAMPLE_OPERATIONS]);
      // Query, plan depth and floor, then a p50 and a ratio per gateway: all measured.
      expect(floor.header).toHaveLength(3 + 2 * GATEWAYS.length);
      for (const row of floor.rows) expect(row.filter((cell) => cell === 'n/a')).toEqual([]);
      // Without the delay, quick mode measures our gateway only.
      const withoutDelay = tableAt(text, 1);
      expect(firstCells(withoutDelay)).toEqual([...EXAMPLE_OPERATIONS]);
      expect(Object.values(column(withoutDelay, 'ours p50 without delay, ms'))).not.toContain('n/a');
    }),
  );

  it(
    'reports our gateway\'s memory under load and how it scales with list size and subgraphs touched, without errors',
    explained(() => {
      const memory = tableAt(section(report(), `## ${MEMORY_SCENARIO}`), 0);
      expect(firstCells(memory)).toEqual([GATEWAY_LABELS.ours]);
      expect(memory.header.filter((cell) => cell.startsWith('RSS at '))).toHaveLength(QUICK.memoryMarks.length);
      expect(column(memory, 'Error rate')).toEqual(each([GATEWAY_LABELS.ours], '0 %'));

      const scaling = section(report(), `## ${SCALING_SCENARIO}`);
      const lists = tableAt(section(scaling, '### 5a. List size'), 0);
      expect(firstCells(lists)).toEqual(LIST_SIZES.map((rows) => `${rows} rows`));
      expect(column(lists, 'Rows returned')).toEqual(Object.fromEntries(LIST_SIZES.map((rows) => [`${rows} rows`, String(rows)])));
      expect(column(lists, 'Error rate')).toEqual(each(firstCells(lists), '0 %'));
      const fanOut = tableAt(section(scaling, '### 5b. Subgraphs touched'), 0);
      expect(firstCells(fanOut)).toEqual(Array.from({ length: FAN_OUT_STEPS }, (_, i) => String(i + 1)));
      expect(column(fanOut, 'Error rate')).toEqual(each(firstCells(fanOut), '0 %'));
    }),
  );

  it(
    'measures the disclosure logs in the mesh, on and off, at every concurrency, without errors',
    explained(() => {
      const text = section(report(), '### Disclosure logs in the mesh');
      const sides = tableAt(text, 0);
      expect(firstCells(sides)).toEqual(QUICK.concurrencies.map(String));
      expect(column(sides, 'Error rate')).toEqual(each(firstCells(sides), '0 %'));
      for (const ratio of Object.values(column(sides, 'On ÷ off, same round'))) expect(ratio).toMatch(/^\*\*\d+\.\d\d×/);
      // Where the CPU went: the gateway, the providers and the ledger are read from /proc on both
      // sides at every concurrency; PostgreSQL only when the harness started it (here it is the
      // test server, external to the harness: n/a).
      const cpu = tableAt(text, 1);
      const parts = ['gateway', 'providers (every subgraph but the ledger)', 'access ledger', 'PostgreSQL'];
      expect(cpu.rows.map((row) => `${row[0]} ${row[1]}`)).toEqual(QUICK.concurrencies.flatMap((c) => parts.map((part) => `${c} ${part}`)));
      const measured = /^\d+\.\d\d( \(\d+\.\d\d–\d+\.\d\d\))?$/;
      for (const row of cpu.rows.filter((r) => r[1] !== 'PostgreSQL')) {
        expect(row[2]).toMatch(measured);
        expect(row[3]).toMatch(measured);
        expect(row[4]).toMatch(/^-?\d+\.\d\d$/);
      }
      expect(section(report(), '## 6. Authorisation and disclosure log')).toMatch(/Disclosure log cost: log on versus off \| ≥ 0\.85× throughput \| in the mesh at concurrency \d+: \d+\.\d\d×/);
    }),
  );

  it(
    'exports the largest open list whole from our gateway, with rows per second against clients paging each gateway, the memory it took, and pages deep in the list against the first',
    explained(() => {
      const text = section(report(), `## ${OPEN_EXPORT_SCENARIO}`);
      const rates = tableAt(text, 0);
      expect(firstCells(rates)).toEqual(Object.values(EXPORT_WAYS).map((way) => way.label));
      for (const rate of Object.values(column(rates, 'Rows/s'))) expect(Number(rate)).toBeGreaterThan(0);
      const ratios = tableAt(text, 1);
      for (const row of ratios.rows) expect(row[1]).toMatch(/^\d+\.\d\d×$/);
      // The whole list, complete: every parcel of the quick seed.
      expect(text).toContain(`Then the whole list once from our gateway, its RSS sampled every 250 ms: ${seedSizes(QUICK.scale).parcels} rows (`);
      const memory = tableAt(text, 2);
      expect(memory.rows).toHaveLength(1);
      for (const cell of memory.rows[0] ?? []) expect(cell).toMatch(/^[+−]?\d+ MB$/);
      // Paging from the first row and from nine tenths in: both rates measured, and their ratio.
      const depth = tableAt(text, 3);
      expect(depth.rows).toHaveLength(1);
      const [fromStart, fromDeep, ratio] = depth.rows[0] ?? [];
      for (const rate of [fromStart, fromDeep]) expect(Number(rate)).toBeGreaterThan(0);
      expect(ratio).toMatch(/^\d+\.\d\d×$/);
    }),
  );

  it(
    'counts no failed request in any scenario, nor in the checks before the load',
    explained(() => {
      const text = section(report(), '## Errors');
      const errors = tableAt(text, 0);
      expect(firstCells(errors)).toEqual(LOADED);
      expect(column(errors, 'Errors')).toEqual(each(LOADED, '0'));
      expect(column(errors, 'Error rate')).toEqual(each(LOADED, '0 %'));
      expect(text).toMatch(/each gateway answered each example query without errors \(\d+ checks\)/);
    }),
  );
});
