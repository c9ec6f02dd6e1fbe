/**
 * Authorisation cost (DESIGN.md §9): throughput of the citizens subgraph answering a 1,000-row
 * `_entities` fetch — the shape the gateway sends — with the sharing rules on, over the same with
 * them off, measured pair by pair in one run. `npx tsx bench/authorisation-cost.ts [--quick]`.
 * Writes its section of BENCHMARKS.md (between the authorisation-cost markers).
 */
import { freePort } from '../scripts/embedded-postgres';
import { citizenIdentity } from '../subgraphs/kit/seed-plan';
import { startSubgraph } from '../subgraphs/kit/server';
import { citizensFixture, load, machineLine, median, quick, spread, writeSection } from './subgraph-ab';

const ROWS = 1000;
const ROUNDS = quick ? 1 : 5;
const SECONDS = quick ? 2 : 8;
const CONCURRENCY = 4;

async function main(): Promise<void> {
  const fixture = await citizensFixture('bench-auth-postgres', 'benchauth_');
  const { definition, db, trust } = fixture;
  const on = await startSubgraph(definition, { db, port: await freePort(), trust });
  const off = await startSubgraph(definition, { db, port: await freePort(), trust, sharingRulesForBenchmarkOnly: false });
  const perField = await startSubgraph(definition, { db, port: await freePort(), trust, sharingRulesForBenchmarkOnly: 'per-field' });

  // A consumer agency's official: every DEFAULT field allowed, decided once per field per request.
  const representations = Array.from({ length: ROWS }, (_, i) => ({ __typename: 'Citizen', id: citizenIdentity(i).id }));
  const body = JSON.stringify({
    query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id fullName gender dateOfBirth addressLine addressRegisteredOn } } }',
    variables: { r: representations },
  });

  const ratios: number[] = [];
  const perFieldRatios: number[] = [];
  const onRps: number[] = [];
  const offRps: number[] = [];
  const perFieldRps: number[] = [];
  let errors = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so drift in the machine does not favour one side.
    const order = round % 2 === 0 ? [on, off, perField] : [perField, off, on];
    const result = new Map<string, number>();
    for (const server of order) {
      await load(`${server.url}/graphql`, body, () => fixture.headers(body), 1, CONCURRENCY); // warm-up
      const measured = await load(`${server.url}/graphql`, body, () => fixture.headers(body), SECONDS, CONCURRENCY);
      errors += measured.errors;
      result.set(server === on ? 'on' : server === off ? 'off' : 'per-field', measured.rps);
    }
    onRps.push(result.get('on') ?? 0);
    offRps.push(result.get('off') ?? 0);
    perFieldRps.push(result.get('per-field') ?? 0);
    ratios.push((result.get('on') ?? 0) / (result.get('off') ?? 1));
    perFieldRatios.push((result.get('per-field') ?? 0) / (result.get('off') ?? 1));
  }
  await on.stop();
  await off.stop();
  await perField.stop();
  await fixture.close();

  const fmt = spread;
  writeSection('authorisation-cost', [
    '## Authorisation cost',
    '',
    `The citizens subgraph answering one \`_entities\` fetch of ${ROWS} citizens × 6 DEFAULT fields (the shape the gateway sends), for a consumer agency's official, with the graphql-shield sharing rules on and off (the same process, database and pool, each writing its disclosure log; \`bench/authorisation-cost.ts\`${quick ? ' --quick' : ''}). ${ROUNDS} round(s) of ${SECONDS} s per side at concurrency ${CONCURRENCY}, sides alternating first; median (min–max). ${machineLine()}`,
    '',
    '| | requests/s | rows/s |',
    '| --- | --- | --- |',
    `| rules on | ${fmt(onRps)} | ${fmt(onRps.map((r) => r * ROWS), 0)} |`,
    `| rules off | ${fmt(offRps)} | ${fmt(offRps.map((r) => r * ROWS), 0)} |`,
    `| rules on, forced field by field | ${fmt(perFieldRps)} | ${fmt(perFieldRps.map((r) => r * ROWS), 0)} |`,
    '',
    `Ratio on ÷ off, pair by pair: **${fmt(ratios, 2)}×** (bar: ≥ 0.80×: ${median(ratios) >= 0.8 ? 'met' : 'not met'}). Responses with errors: ${errors}.`,
    '',
    `How: the rules are graphql-shield rules generated from @sharing. Before execution the subgraph decides, for every field the operation can touch, whether the caller may see it whatever the rows (an official and a DEFAULT field, say); when all can, it executes without the per-field wrappers, which gives the same answer. Only operations that need a row-by-row decision (a citizen's own records, a consent) or that touch a refused field run the wrappers. Forced through the wrappers for every field, as graphql-shield is usually used, the same fetch runs at **${fmt(perFieldRatios, 2)}×** of rules off: that is the cost this design avoids, and what a citizen reading their own records pays.`,
  ]);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
