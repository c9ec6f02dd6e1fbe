/**
 * Disclosure log cost (DESIGN.md §9): throughput of the citizens subgraph writing its disclosure log
 * (each answer held until its record is committed, the records relayed after the answer) over
 * the same without the log, pair by pair in one run, for three request shapes the gateway sends.
 * `npx tsx bench/disclosure-cost.ts [--quick]`. Writes its section of BENCHMARKS.md.
 */
import { freePort } from '../scripts/embedded-postgres';
import { citizenIdentity } from '../subgraphs/kit/seed-plan';
import { startSubgraph } from '../subgraphs/kit/server';
import { citizensFixture, load, machineLine, median, quick, spread, writeSection } from './subgraph-ab';
import { pairByPair } from './stats';

const ROUNDS = quick ? 1 : 3;
const SECONDS = quick ? 2 : 6;
/** Clients in the closed loop: a few, and enough to keep the subgraph busy while records commit. */
const CONCURRENCIES = [4, 16];

const entities = (rows: number) =>
  JSON.stringify({
    query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id fullName gender dateOfBirth addressLine addressRegisteredOn } } }',
    variables: { r: Array.from({ length: rows }, (_, i) => ({ __typename: 'Citizen', id: citizenIdentity(i).id })) },
  });

const SHAPES = [
  { name: 'one citizen by id (root field, 3 fields)', body: JSON.stringify({ query: `{ citizen(id: "${citizenIdentity(7).id}") { id fullName dateOfBirth } }` }) },
  { name: '`_entities`, 20 citizens × 6 fields', body: entities(20) },
  { name: '`_entities`, 1,000 citizens × 6 fields', body: entities(1000) },
];

async function main(): Promise<void> {
  const fixture = await citizensFixture('bench-log-postgres', 'benchlog_');
  const { definition, db, trust } = fixture;
  // A stand-in for the ledger that takes every delivery at once: the provider's side of the outbox
  // (reading the records after its cursor, moving the cursor) is measured; the ledger's own work is
  // not the provider's cost.
  let delivered = 0;
  const on = await startSubgraph(definition, { db, port: await freePort(), trust, disclosureSink: async (records) => void (delivered += records.length) });
  const off = await startSubgraph(definition, { db, port: await freePort(), trust, disclosureLogForBenchmarkOnly: false });

  const rows: string[] = [];
  const verdicts: number[] = [];
  let errors = 0;
  for (const concurrency of CONCURRENCIES) for (const shape of SHAPES) {
    // Off first: each ratio is on over off.
    const { figures: [offRps, onRps], ratios } = await pairByPair([off, on], ROUNDS, async (server) => {
      await load(`${server.url}/graphql`, shape.body, () => fixture.headers(shape.body), 1, concurrency);
      const measured = await load(`${server.url}/graphql`, shape.body, () => fixture.headers(shape.body), SECONDS, concurrency);
      errors += measured.errors;
      return measured.rps;
    });
    verdicts.push(median(ratios));
    rows.push(`| ${shape.name} | ${concurrency} | ${spread(onRps)} | ${spread(offRps)} | **${spread(ratios, 2)}×** |`);
  }
  await on.stop();
  await off.stop();
  await fixture.close();

  const worst = Math.min(...verdicts);
  writeSection('disclosure-log-cost', [
    '## Disclosure log cost',
    '',
    `The citizens subgraph alone, as deployed (its application role, the sharing rules on) answering a consumer agency's official, with its disclosure log on and off: on, each request reads and writes its hash-chained record in one transaction, and its answer waits until that transaction has committed (the log is its own outbox), and the records are relayed after it (here to a stand-in for the ledger that accepts at once; ${delivered} records relayed). Same process, database and pool; \`bench/disclosure-cost.ts\`${quick ? ' --quick' : ''}. ${ROUNDS} round(s) of ${SECONDS} s per side for each number of clients (a closed loop in the same process), sides alternating first; median (min–max). ${machineLine()}`,
    '',
    '| Request | clients | requests/s, log on | requests/s, log off | on ÷ off, pair by pair |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Bar (DESIGN §9): ≥ 0.85× throughput without the log. Lowest median ratio: ${worst.toFixed(2)}×: ${worst >= 0.85 ? 'met' : 'not met'}; highest: ${Math.max(...verdicts).toFixed(2)}×. Responses with errors: ${errors}.`,
  ]);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
