/**
 * What sealing a disclosure record costs as the log keeps more months: the head of each chain kept in
 * a row of its own (migration 008, as deployed) against the head looked up in the log itself
 * (migration 006's trigger, swapped in for the comparison), with the log holding 4 monthly partitions
 * (a new provider) and 16 (the default retention of 12 months, this month and the next two, and the
 * default partition), pair by pair in one run. One writer does what a provider's request does: a read
 * and its record in one transaction, its commit waiting for the disk.
 * `npx tsx bench/log-heads.ts [--quick]`. Writes its section of BENCHMARKS.md.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { Database, RequestTransaction, statement } from '../subgraphs/kit/db';
import { disclosureWrite } from '../subgraphs/kit/disclosure';
import { maintainLog } from '../subgraphs/kit/log-admin';
import { databaseUrl, KIT_MIGRATIONS, migrate, recreateDatabase } from '../subgraphs/kit/migrate';
import { chainTrigger, record } from './log-chains';
import { pairByPair } from './stats';
import { machineLine, median, quick, spread, writeSection } from './subgraph-ab';

const ROUNDS = quick ? 1 : 5;
const SECONDS = quick ? 1 : 5;
/** The months before this one that the longer log keeps, and the records in each. */
const PAST_MONTHS = 12;
const RECORDS_PER_MONTH = quick ? 1000 : 20_000;

const readOne = statement('benchRead', 'SELECT $1::text AS id', z.object({ id: z.string() }));

/** Records one writer commits in `seconds`, each with its read in one durable transaction. */
async function write(db: Database, seconds: number): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let written = 0;
  while (Date.now() < deadline) {
    const transaction = new RequestTransaction(db);
    try {
      await transaction.many(readOne, ['x']);
      await transaction.commit(disclosureWrite([record(written)]), { durable: true });
      written++;
    } finally {
      await transaction.end();
    }
  }
  return written / seconds;
}

interface PastMonth {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Creates the partitions of the PAST_MONTHS months before this one (maintenance on a clock moved
 * back, as if the provider had run that long) and fills each with records. They are written straight
 * into the partitions with the trigger off: only their number and their indexes' size matter here.
 */
async function pastMonths(owner: pg.Client, ownerUrl: string): Promise<PastMonth[]> {
  const now = new Date();
  const months: PastMonth[] = [];
  for (let back = PAST_MONTHS; back >= 1; back--) {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back + 1, 1));
    await maintainLog(ownerUrl, from, PAST_MONTHS);
    months.push({ name: `log_${from.getUTCFullYear()}_${String(from.getUTCMonth() + 1).padStart(2, '0')}`, from: from.toISOString(), to: to.toISOString() });
  }
  const sample = disclosureWrite([record(0)]);
  await owner.query(`SET session_replication_role = replica`);
  for (const month of months) {
    await owner.query(
      `INSERT INTO disclosure.log (seq, recorded_at, request_id, caller_kind, consumer_agency, official, roles, operation_hash, fields, record_keys, subject_ids, subject_fields, used, refused, prev_hash, hash, chain)
       SELECT nextval('disclosure.log_seq'), $1::timestamptz + (i * interval '1 minute'), 'past-' || i, 'official', 'so-y-te', 'bench', '{official}', 'h',
              r -> 'fields', ARRAY(SELECT jsonb_array_elements_text(r -> 'recordKeys')),
              ARRAY(SELECT jsonb_array_elements_text(g -> 'subjects') FROM jsonb_array_elements(r -> 'subjects') AS g), r -> 'subjects', '{}', '[]',
              md5(i::text) || md5(i::text), md5(i::text) || md5(i::text), (i % 8)::smallint
         FROM generate_series(1, $2::int) AS i, (SELECT ($3::jsonb) -> 0 AS r) AS one`,
      [month.from, RECORDS_PER_MONTH, sample.values[0]],
    );
  }
  await owner.query(`SET session_replication_role = origin`);
  await owner.query('VACUUM ANALYZE disclosure.log');
  return months;
}

const LOOKUPS = quick ? 2000 : 20_000;

/**
 * Microseconds per read of a chain's head, each way, in a PL/pgSQL loop on the server (the trigger
 * runs its statements so): migration 006's lookup in the log, and migration 008's row.
 */
async function headReads(owner: pg.Client): Promise<{ lookup: number; row: number }> {
  const time = async (statement: string) => {
    const started = process.hrtime.bigint();
    await owner.query(`DO $$ DECLARE head text; BEGIN FOR i IN 1..${LOOKUPS} LOOP ${statement} END LOOP; END $$`);
    return Number(process.hrtime.bigint() - started) / 1000 / LOOKUPS;
  };
  return {
    lookup: await time(`SELECT l.hash INTO head FROM disclosure.log l WHERE (l.chain, l.seq) < ((i % 8) + 1, 0) ORDER BY l.chain DESC, l.seq DESC LIMIT 1;`),
    row: await time(`SELECT h.hash INTO head FROM disclosure.chain_head h WHERE h.chain = i % 8;`),
  };
}

async function main(): Promise<void> {
  const dataDir = join(__dirname, '..', '.data', 'bench-heads-postgres');
  mkdirSync(dataDir, { recursive: true });
  const server = await startEmbeddedPostgres(dataDir);
  await recreateDatabase(server.url, 'benchheads_log');
  const ownerUrl = databaseUrl(server.url, 'benchheads_log');
  await migrate(ownerUrl, KIT_MIGRATIONS.dir, KIT_MIGRATIONS.table);
  await maintainLog(ownerUrl, new Date(), PAST_MONTHS);
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  // The lookup first (migration 006's trigger), then the head row (as deployed): each ratio is row over lookup.
  const designs = [chainTrigger('006'), chainTrigger()] as const;
  const rows: string[] = [];
  const verdicts: string[] = [];
  const lookups: string[] = [];
  try {
    const months = await pastMonths(owner, ownerUrl);
    const partitions = async () => Number((await owner.query<{ n: string }>(`SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'disclosure.log'::regclass`)).rows[0]?.n);
    const layouts = [
      { label: 'this month, the next two, default', attach: false },
      { label: `and the ${PAST_MONTHS} months before, ${RECORDS_PER_MONTH.toLocaleString('en')} records each`, attach: true },
    ];
    for (const layout of layouts) {
      for (const month of months) {
        const attached = (await owner.query(`SELECT 1 FROM pg_inherits WHERE inhrelid = $1::regclass`, [`disclosure.${month.name}`])).rowCount === 1;
        if (attached && !layout.attach) await owner.query(`ALTER TABLE disclosure.log DETACH PARTITION disclosure.${month.name}`);
        if (!attached && layout.attach) {
          await owner.query(`ALTER TABLE disclosure.log ATTACH PARTITION disclosure.${month.name} FOR VALUES FROM ('${month.from}') TO ('${month.to}')`);
        }
      }
      const count = await partitions();
      const reads = { lookup: [] as number[], row: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        const read = await headReads(owner);
        reads.lookup.push(read.lookup);
        reads.row.push(read.row);
      }
      lookups.push(`| ${count} | ${spread(reads.lookup, 1)} | ${spread(reads.row, 1)} |`);
      const { figures, ratios } = await pairByPair(designs, ROUNDS, async (trigger) => {
        await owner.query(trigger);
        // New connections, so that each design's statements are planned afresh.
        const db = new Database('bench', { connectionString: ownerUrl, max: 2, statementTimeoutMs: 30_000, connectTimeoutMs: 3000 });
        await write(db, 1);
        const rate = await write(db, SECONDS);
        await db.close();
        return rate;
      });
      const perRecord = (rates: number[]) => spread(rates.map((rate) => 1000 / rate), 2);
      rows.push(`| ${count} (${layout.label}) | ${spread(figures[0], 0)} | ${spread(figures[1], 0)} | ${perRecord(figures[0])} | ${perRecord(figures[1])} | **${spread(ratios, 2)}×** |`);
      verdicts.push(`${median(ratios).toFixed(2)}× with ${count} partitions`);
      process.stdout.write(`${rows[rows.length - 1]}\n`);
    }
  } finally {
    await owner.query(chainTrigger());
    await owner.end();
    await server.stop();
  }
  writeSection('disclosure-log-heads', [
    '## Disclosure log: sealing a record as the log keeps more months',
    '',
    `Records per second one writer commits, each as a provider's request writes it (a read and its record of 20 citizens × 6 fields in one transaction, the commit waiting for the disk), with each chain's head in a row of its own (migration 008, deployed) against the head looked up in the log (migration 006's trigger, swapped in for the comparison), in the same database, pair by pair. The log is partitioned by month; the lookup reads the newest entry of the chain's index in every partition. \`bench/log-heads.ts\`${quick ? ' --quick' : ''}. ${ROUNDS} round(s) of ${SECONDS} s per design and layout, designs alternating first, each on new connections; median (min–max). ${machineLine()}`,
    '',
    `Reading a chain's head, µs each (${LOOKUPS.toLocaleString('en')} reads in a PL/pgSQL loop, as the trigger runs its statements; ${ROUNDS} round(s)):`,
    '',
    '| Partitions | head looked up in the log | head row |',
    '| --- | --- | --- |',
    ...lookups,
    '',
    "A writer's records per second, each way:",
    '',
    '| Partitions | records/s, head looked up | records/s, head row | ms per record, head looked up | ms per record, head row | head row ÷ lookup, pair by pair |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Head row ÷ lookup in records/s, median: ${verdicts.join('; ')}. The head row reads the same whatever the log keeps; the lookup grows with every month kept, until retention drops the oldest.`,
  ]);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
