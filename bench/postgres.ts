import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import pg from 'pg';
import { listAgencies, type Agency } from '../subgraphs/kit/agency';
import { Database, type Statement } from '../subgraphs/kit/db';
import { databaseUrl, dropDatabase, ensureDatabase, migrate } from '../subgraphs/kit/migrate';
import { loadDefinition } from '../subgraphs/kit/registry';
import { seedSizes } from '../subgraphs/kit/seed-plan';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../scripts/embedded-postgres';
import { childPids, pinProcess } from './processes';

export interface BenchServer {
  /** Admin URL of the server holding the bench databases. */
  readonly url: string;
  /** A description for the report, e.g. "embedded PostgreSQL in .data/bench-postgres". */
  readonly description: string;
  /** The postmaster's pid when this harness started the server, so that it can be pinned. */
  readonly postmasterPid: number | undefined;
  /** The server's last log lines (embedded server only), to explain a failure. */
  logTail(): string;
  stop(): Promise<void>;
}

/** True when every ancestor of `path` can be traversed by other users (needed by the postgres user). */
function traversableByOthers(path: string): boolean {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      // not created yet: its parent decides
    }
    if (dir === dirname(dir)) return true;
  }
}

/**
 * The server the bench databases live on: `databaseUrl` when given, else an embedded PostgreSQL whose
 * data directory persists between runs, so the seed is made once and reused.
 */
export async function startBenchServer(databaseUrlOption: string | undefined, dataDir: string, say: (line: string) => void): Promise<BenchServer> {
  if (databaseUrlOption) {
    return {
      url: databaseUrlOption,
      description: 'the PostgreSQL server at LIENTHONG_DATABASE_URL',
      postmasterPid: undefined,
      logTail: () => '',
      stop: async () => undefined,
    };
  }
  let dir = dataDir;
  if (userInfo().uid === 0 && !traversableByOthers(dir)) {
    dir = join(tmpdir(), 'lienthong-bench-postgres');
    say(`Running as root: PostgreSQL runs as user "postgres", which cannot reach ${dataDir}; using ${dir}.`);
  }
  say(`Starting embedded PostgreSQL (data in ${dir}) …`);
  const lines: string[] = [];
  const log = (text: string) => {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > 30) lines.shift();
    }
  };
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres(dir, { log });
  const pidLine = readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '';
  const postmasterPid = /^\d+$/.test(pidLine.trim()) ? Number(pidLine.trim()) : undefined;
  return {
    url: embedded.url,
    description: `embedded PostgreSQL (data in ${dir})`,
    postmasterPid,
    logTail: () => lines.join('\n'),
    stop: () => embedded.stop(),
  };
}

/**
 * Pins the postmaster and its current children (background workers, open backends) to `cores`;
 * backends forked later inherit the postmaster's affinity.
 */
export function pinServer(server: BenchServer, cores: string): boolean {
  if (server.postmasterPid === undefined) return false;
  pinProcess(server.postmasterPid, cores);
  for (const pid of childPids(server.postmasterPid)) {
    try {
      pinProcess(pid, cores);
    } catch {
      // a backend that exited in between
    }
  }
  return true;
}

/** The bench databases of `scale` are named `<prefix><subgraph>`, e.g. bench_s50_citizens. */
export function databasePrefix(scale: number): string {
  return `bench_s${String(scale).replace(/[^0-9]/g, '_')}_`;
}

/** A rough row count of a full seed, for the progress bar's total only; the bar grows if it is low. */
function expectedRows(subgraph: string, scale: number): number {
  const sizes = seedSizes(scale);
  switch (subgraph) {
    case 'citizens':
      return Math.round(sizes.citizens * (4 / 3));
    case 'enterprises':
      return sizes.enterprises * 3;
    case 'land':
      return sizes.parcels * 2;
    case 'construction':
      return sizes.permits;
    default:
      return 10_000;
  }
}

/**
 * Counts the rows a seed inserts: every insert statement of the seeds takes its rows as parallel
 * arrays (INSERT … SELECT FROM unnest($1, …)), so the first parameter's length is the row count.
 */
function countInsertedRows(db: Database, onRows: (rows: number) => void): void {
  const many = db.many.bind(db);
  db.many = async <Row>(stmt: Statement<Row>, params: readonly unknown[] = [], client?: pg.PoolClient): Promise<Row[]> => {
    const rows = await many(stmt, params, client);
    const first = params[0];
    if (/^insert/i.test(stmt.name) && Array.isArray(first)) onRows(first.length);
    return rows;
  };
}


async function prepareOne(agency: Agency, serverUrl: string, prefix: string, scale: number, reseed: boolean, bar: SingleBar | undefined): Promise<{ url: string; rows: number }> {
  const name = `${prefix}${agency.subgraph.replace(/-/g, '_')}`;
  if (reseed) await dropDatabase(serverUrl, name);
  await ensureDatabase(serverUrl, name);
  const url = databaseUrl(serverUrl, name);
  const definition = loadDefinition(agency);
  await migrate(url, join(definition.dir, 'migrations'));
  let rows = 0;
  if (definition.seed) {
    const db = new Database(agency.name, { connectionString: url, max: 2, statementTimeoutMs: 1_800_000, connectTimeoutMs: 10_000 });
    countInsertedRows(db, (count) => {
      rows += count;
      if (bar && rows > bar.getTotal()) bar.setTotal(Math.round(rows * 1.2));
      bar?.update(rows);
    });
    try {
      await definition.seed(db, scale);
    } finally {
      await db.close();
    }
  }
  // Fresh planner statistics every run, rather than whenever autovacuum gets to a new seed.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('/* benchAnalyze */ ANALYZE');
  } finally {
    await client.end();
  }
  bar?.setTotal(Math.max(rows, 1));
  bar?.update(Math.max(rows, 1), { status: rows > 0 ? 'seeded' : 'already seeded' });
  return { url, rows };
}

/**
 * Creates, migrates and (when empty, or always with `reseed`) seeds one database per agency at
 * `scale`, in parallel, with a progress bar per agency. Returns each subgraph's database URL.
 */
export async function prepareBenchDatabases(
  serverUrl: string,
  scale: number,
  reseed: boolean,
  say: (line: string) => void,
): Promise<Map<string, string>> {
  const prefix = databasePrefix(scale);
  const agencies = listAgencies();
  const interactive = process.stderr.isTTY === true;
  const bars = interactive
    ? new MultiBar(
        { format: ' {agency} |{bar}| {value}/{total} rows {status}', hideCursor: true, clearOnComplete: false, stopOnComplete: false },
        Presets.shades_classic,
      )
    : undefined;
  const started = Date.now();
  try {
    const prepared = await Promise.all(
      agencies.map(async (agency) => {
        const bar = bars?.create(expectedRows(agency.subgraph, scale), 0, { agency: agency.subgraph.padEnd(12), status: '' });
        const result = await prepareOne(agency, serverUrl, prefix, scale, reseed, bar);
        if (!interactive) say(`  ${agency.subgraph}: ${result.rows > 0 ? `seeded ${result.rows} rows` : 'already seeded'}`);
        return [agency.subgraph, result.url] as const;
      }),
    );
    return new Map(prepared);
  } finally {
    bars?.stop();
    say(`Databases ready (${prefix}*) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  }
}
