import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testServerUrl } from './support/mesh';

/**
 * `npm run bench -- --quick` end to end: the whole harness (seed, subgraph and gateway processes,
 * Hive Gateway, load generator, every scenario) for a few seconds each, writing its report to a
 * temporary file. It proves the harness works; it asserts no timing.
 */
const ROOT = join(__dirname, '..');
const COMMITTED_REPORT = join(ROOT, 'BENCHMARKS.md');
/** The quick run takes about 1.5 minutes on the 2-core machine; the limit leaves room for a busy one. */
const RUN_LIMIT_MS = 170_000;

let child: ChildProcess | undefined;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lienthong-bench-'));
});
afterAll(() => {
  // Only our own child, by its pid, and only if it outlived the test.
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function runQuickBench(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run.ts'), '--quick', '--out', out], {
      cwd: ROOT,
      env: { ...process.env, LIENTHONG_DATABASE_URL: testServerUrl() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child?.kill('SIGTERM');
      reject(new Error(`bench --quick did not finish in ${RUN_LIMIT_MS} ms:\n${output.join('').slice(-4000)}`));
    }, RUN_LIMIT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.join('') });
    });
  });
}

/** The text of the `## <title>` section, up to the next `## ` heading. */
function section(report: string, title: string): string {
  const start = report.indexOf(`\n## ${title}`);
  if (start < 0) return '';
  const next = report.indexOf('\n## ', start + 4);
  return report.slice(start, next < 0 ? undefined : next);
}

/** Table rows (not header or rule lines) of a section that hold at least one number. */
function rowsWithNumbers(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .slice(1)
    .filter((line) => /\|\s*[\d.]+( \(|\s*[×%]|\s*ms| MB|\s*\|)/.test(line));
}

it(
  'runs every scenario in quick mode and writes a report with numbers in every section',
  async () => {
    const out = join(dir, 'BENCHMARKS.md');
    const committedBefore = existsSync(COMMITTED_REPORT) ? readFileSync(COMMITTED_REPORT, 'utf8') : undefined;

    const { code, output } = await runQuickBench(out);

    expect({ code, tail: code === 0 ? '' : output.slice(-4000) }).toEqual({ code: 0, tail: '' });
    const report = readFileSync(out, 'utf8');
    expect(report).toContain('**Quick mode**');
    for (const heading of ['Machine', 'Set-up', 'Errors', 'How to reproduce']) expect(section(report, heading)).not.toBe('');
    const scenarios = ['1. Cross-domain workload', '2. SQL statements per request', '3. Latency floor', '4. Memory', '5. Scaling'];
    for (const title of scenarios) {
      const text = section(report, title);
      expect({ title, found: text !== '' }).toEqual({ title, found: true });
      expect({ title, rows: rowsWithNumbers(text).length > 0 }).toEqual({ title, rows: true });
    }
    // Scenario 1 compares all three gateways at both concurrencies.
    const throughput = section(report, '1. Cross-domain workload');
    expect(throughput).toContain('### Concurrency 1');
    expect(throughput).toContain('### Concurrency 10');
    expect(throughput).toMatch(/\| Hive Gateway \| \d+/);
    expect(throughput).toMatch(/\| Hive Gateway \+ router-runtime \| \d+/);
    expect(throughput).toMatch(/\| ours vs Hive Gateway \| [\d.]+×/);
    // Scenario 5 covers every list size and 1 to 5 subgraphs.
    const scaling = section(report, '5. Scaling');
    for (const rows of ['10 rows', '100 rows', '1000 rows']) expect(scaling).toContain(`| ${rows} |`);
    for (let n = 1; n <= 5; n++) expect(scaling).toMatch(new RegExp(`\\| ${n} \\| [^|]+ \\| \\d+ \\| [\\d.]+`));
    // Placeholders for later issues.
    const later = section(report, '6. Not yet measured');
    expect(later).toContain('not yet measured (issue 4)');
    expect(later).toContain('not yet measured (issue 5)');
    // Every scenario reports its error rate.
    const errors = section(report, 'Errors');
    for (const title of scenarios) expect(errors).toMatch(new RegExp(`\\| ${title.replace(/\./g, '\\.')} \\| \\d+ \\| \\d+ \\| [\\d.]+ %`));
    // The committed report is left alone.
    expect(existsSync(COMMITTED_REPORT) ? readFileSync(COMMITTED_REPORT, 'utf8') : undefined).toBe(committedBefore);
  },
  RUN_LIMIT_MS + 20_000,
);
