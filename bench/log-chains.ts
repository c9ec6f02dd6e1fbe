/**
 * The disclosure log's ceiling: records a provider's database commits per second when many requests
 * write at once, with the log as eight hash chains (migration 006) against one chain (the same
 * trigger with every record on chain 0), pair by pair in one run. Each writer does what a provider's
 * request does: in one transaction, a read and the record, its commit waiting for the disk, as the
 * application role. `npx tsx bench/log-chains.ts [--quick]`. Writes its section of BENCHMARKS.md.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { Database, RequestTransaction, statement } from '../subgraphs/kit/db';
import { disclosureRecord, DisclosureRecorder, disclosureWrite } from '../subgraphs/kit/disclosure';
import { ensureAppRole, maintainLog } from '../subgraphs/kit/log-admin';
import { databaseUrl, ensureDatabase, KIT_MIGRATIONS, migrate } from '../subgraphs/kit/migrate';
import { citizenIdentity } from '../subgraphs/kit/seed-plan';
import { machineLine, quick, spread, writeSection } from './subgraph-ab';
import { pairByPair } from './stats';

const ROUNDS = quick ? 1 : 5;
const SECONDS = quick ? 1 : 5;
/** Writer processes, as replicas of a provider's subgraph over one database, and writers in each. */
const PROCESSES = 4;
const WRITERS = [1, 4];
const PGBENCH_CLIENTS = [4, 16];
/** Records of 20 citizens × 6 fields, the size of a typical `_entities` fetch's record. */
const ROWS = 20;

/**
 * The chaining trigger as the kit's migrations left it: the definition in the last migration that
 * gives one, or in the last up to version `through` (e.g. '006'), to compare with one replaced since.
 */
export function chainTrigger(through?: string): string {
  const migrations = readdirSync(KIT_MIGRATIONS.dir).filter((name) => name.endsWith('.sql') && (through === undefined || name.slice(0, 3) <= through)).sort();
  for (const migration of migrations.reverse()) {
    const text = readFileSync(join(KIT_MIGRATIONS.dir, migration), 'utf8');
    const trigger = /CREATE OR REPLACE FUNCTION disclosure\.chain\(\)[\s\S]*?\n\$\$;/.exec(text)?.[0];
    if (trigger) return trigger;
  }
  throw new Error('no kit migration defines disclosure.chain()');
}

/**
 * One chain, kept only to compare: the deployed trigger with every record on chain 0, so that the two
 * designs differ in the number of chains alone (the same seal, head lookup and statements).
 */
function oneChain(): string {
  const trigger = chainTrigger();
  const single = trigger.replace('pg_backend_pid() % 8', '0').replace('FOR step IN 0..7 LOOP', 'FOR step IN 0..0 LOOP');
  if (single.includes('pg_backend_pid() % 8') || single.includes('0..7') || single === trigger) throw new Error("the chaining trigger's choice of chain changed: update oneChain()");
  return single;
}
/** The eight chains, as deployed. */
const eightChains = () => chainTrigger();

const readOne = statement('benchRead', 'SELECT $1::text AS id', z.object({ id: z.string() }));

/** A record of ROWS citizens × 6 fields, as a provider's request writes it. */
export function record(i: number) {
  const recorder = new DisclosureRecorder();
  const fields = ['id', 'fullName', 'gender', 'dateOfBirth', 'addressLine', 'addressRegisteredOn'];
  for (let row = 0; row < ROWS; row++) {
    const citizen = { id: citizenIdentity(row).id };
    for (const field of fields) {
      recorder.sawField({ coordinate: `Citizen.${field}`, category: 'DEFAULT', typeName: 'Citizen', key: (r) => (r as typeof citizen).id, subject: (r) => (r as typeof citizen).id }, citizen, { kind: 'anonymous' });
    }
  }
  const caller = { kind: 'official' as const, officialId: 'bench', agency: 'so-y-te', roles: ['official' as const] };
  return disclosureRecord({ requestId: `bench-${i}`, caller, purpose: 'đo tải', operationName: 'Bench', query: '{ bench }' }, recorder);
}

/** `writers` requests at a time, each a read and its record in one transaction, for `seconds`: records written. */
async function write(db: Database, writers: number, seconds: number): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let written = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (Date.now() < deadline) {
        const transaction = new RequestTransaction(db);
        try {
          await transaction.many(readOne, [`${writer}`]);
          await transaction.commit(disclosureWrite([record(written)]), { durable: true });
          written++;
        } finally {
          await transaction.end();
        }
      }
    }),
  );
  return written;
}

interface Job {
  readonly writers: number;
  readonly seconds: number;
}

/** A writer process: its own pool, writing for each job it is sent. */
async function worker(appUrl: string): Promise<void> {
  const db = new Database('bench', { connectionString: appUrl, max: Math.max(...WRITERS), statementTimeoutMs: 30_000, connectTimeoutMs: 3000 });
  process.on('message', (job: Job | 'stop') => {
    if (job === 'stop') {
      void db.close().then(() => process.exit(0));
      return;
    }
    void write(db, job.writers, job.seconds).then((written) => process.send?.(written));
  });
  process.send?.('ready');
}

/** Runs `job` in every process at once: records per second, all processes together. */
async function together(processes: readonly ChildProcess[], job: Job): Promise<number> {
  const written = await Promise.all(processes.map((child) => new Promise<number>((resolve) => {
    child.once('message', (count) => resolve(Number(count)));
    child.send(job);
  })));
  return written.reduce((sum, count) => sum + count, 0) / job.seconds;
}

const hasPgbench = spawnSync('pgbench', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * The same transaction from pgbench, PostgreSQL's own load generator (when installed; not part of
 * the npm set-up), whose clients cost the machine little: the read, then the record's insert and the
 * commit sent together, the commit waiting for the disk. Transactions per second.
 */
function pgbench(appUrl: string, script: string, clients: number, seconds: number): number {
  const url = new URL(appUrl);
  const args = ['-n', '-M', 'simple', '-c', String(clients), '-j', '2', '-T', String(seconds), '-f', script, '-h', url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username), url.pathname.slice(1)];
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  const run = spawnSync('pgbench', args, { env, encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(run.stdout)?.[1];
  if (run.status !== 0 || tps === undefined) throw new Error(`pgbench failed: ${run.stderr}`);
  return Number(tps);
}

async function main(): Promise<void> {
  const dataDir = join(__dirname, '..', '.data', 'bench-chains-postgres');
  mkdirSync(dataDir, { recursive: true });
  const server = await startEmbeddedPostgres(dataDir);
  const ownerUrl = databaseUrl(server.url, 'benchchains_log');
  await ensureDatabase(server.url, 'benchchains_log');
  await migrate(ownerUrl, KIT_MIGRATIONS.dir, KIT_MIGRATIONS.table);
  await maintainLog(ownerUrl, new Date(), 12);
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  const appUrl = await ensureAppRole(ownerUrl);
  const processes = await Promise.all(
    Array.from({ length: PROCESSES }, () => new Promise<ChildProcess>((resolve) => {
      const child = fork(__filename, ['--worker', appUrl], { execArgv: ['--import', 'tsx'] });
      child.once('message', () => resolve(child));
    })),
  );
  const scratch = mkdtempSync(join(tmpdir(), 'log-chains-'));
  const script = join(scratch, 'record.sql');
  const write = disclosureWrite([record(0)]);
  // The statement the provider sends, its one parameter written in as a literal for pgbench.
  writeFileSync(script, `BEGIN;\nSELECT 1;\nSET LOCAL synchronous_commit TO on \\;\n${write.text.replace('$1', owner.escapeLiteral(String(write.values[0])))} \\;\nCOMMIT;\n`);
  const loads = [
    ...WRITERS.map((writers) => ({ label: `${PROCESSES} Node processes × ${writers} writers`, run: () => together(processes, { writers, seconds: SECONDS }), warm: () => together(processes, { writers, seconds: 1 }) })),
    ...(hasPgbench ? PGBENCH_CLIENTS.map((clients) => ({ label: `pgbench, ${clients} clients`, run: async () => pgbench(appUrl, script, clients, SECONDS), warm: async () => pgbench(appUrl, script, clients, 1) })) : []),
  ];
  // One chain first: each ratio is eight chains over one.
  const designs = [oneChain(), eightChains()] as const;

  const rows: string[] = [];
  try {
    for (const load of loads) {
      const { figures, ratios } = await pairByPair(designs, ROUNDS, async (trigger) => {
        await owner.query(trigger);
        await load.warm();
        return load.run();
      });
      rows.push(`| ${load.label} | ${spread(figures[0], 0)} | ${spread(figures[1], 0)} | **${spread(ratios, 2)}×** |`);
    }
  } finally {
    for (const child of processes) child.send('stop');
    rmSync(scratch, { recursive: true, force: true });
    // Leaves the database as deployed, whichever design ran last.
    await owner.query(eightChains());
    await owner.end();
    await server.stop();
  }

  writeSection('disclosure-log-chains', [
    '## Disclosure log: records per second, one chain against eight',
    '',
    `How many requests' records one provider database commits per second when many write at once. The log as eight hash chains (migration 006: a record takes the first free chain's lock) against one chain (the same trigger with every record on chain 0, swapped in for the comparison), in the same database, pair by pair. Two loads: ${PROCESSES} Node processes, as replicas of a provider's subgraph, each with its own pool, whose writers do what a provider's request does (a read and its record of ${ROWS} citizens × 6 fields in one transaction as the application role, its commit waiting for the disk); and${hasPgbench ? '' : ' (not installed on this machine, so not run)'} pgbench running the same statements, whose clients cost the machine far less. \`bench/log-chains.ts\`${quick ? ' --quick' : ''}. ${ROUNDS} round(s) of ${SECONDS} s per design and load, designs alternating first; median (min–max). ${machineLine()}`,
    '',
    '| load | records/s, one chain | records/s, eight chains | eight ÷ one, pair by pair |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    'With one chain, every record waits until the one before it has committed, its flush to disk included, so the chain caps what a provider\'s database can log, however many replicas write to it; eight chains lift that cap, and commits waiting at the same moment share a flush.',
  ]);
}

if (require.main === module) {
  const workerAt = process.argv.indexOf('--worker');
  void (workerAt >= 0 ? worker(process.argv[workerAt + 1] ?? '') : main()).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
