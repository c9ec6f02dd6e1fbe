/**
 * Authorisation cost (DESIGN.md §9): throughput of the citizens subgraph answering a 1,000-row
 * `_entities` fetch — the shape the gateway sends — with the sharing rules on, over the same with
 * them off, measured pair by pair in one run. `npx tsx bench/authorisation-cost.ts [--quick]`.
 * Writes its section of BENCHMARKS.md (between the authorisation-cost markers).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { generateDevKeys, signDevToken, DEV_AUDIENCE, DEV_ISSUER } from '../scripts/dev-keys';
import { freePort, startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { prepareAgencyDatabase } from '../scripts/mesh';
import { readAgency } from '../subgraphs/kit/agency';
import { Database } from '../subgraphs/kit/db';
import { createTokenVerifier, gatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof } from '../subgraphs/kit/identity';
import { loadDefinition } from '../subgraphs/kit/registry';
import { citizenIdentity } from '../subgraphs/kit/seed-plan';
import { startSubgraph } from '../subgraphs/kit/server';

const quick = process.argv.includes('--quick');
const ROWS = 1000;
const ROUNDS = quick ? 1 : 5;
const SECONDS = quick ? 2 : 8;
const CONCURRENCY = 4;
const MARK_START = '<!-- authorisation-cost:start -->';
const MARK_END = '<!-- authorisation-cost:end -->';

async function load(url: string, body: string, headers: Record<string, string>, seconds: number): Promise<{ rps: number; errors: number }> {
  const dispatcher = new Agent({ connections: CONCURRENCY });
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, dispatcher });
        const text = await response.body.text();
        if (response.statusCode !== 200 || text.includes('"errors"')) errors++;
        done++;
      }
    }),
  );
  await dispatcher.close();
  return { rps: done / seconds, errors };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
  const dataDir = join(__dirname, '..', '.data', 'bench-auth-postgres');
  mkdirSync(dataDir, { recursive: true });
  const pg = process.env.LIENTHONG_DATABASE_URL ? null : await startEmbeddedPostgres(dataDir);
  const serverUrl = process.env.LIENTHONG_DATABASE_URL ?? pg?.url ?? '';
  const agency = readAgency('citizens');
  const definition = loadDefinition(agency);
  const url = await prepareAgencyDatabase(definition, agency, { serverUrl, databasePrefix: 'benchauth_', seedScale: 1 });
  const keys = await generateDevKeys();
  const trust = {
    verifyToken: createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: keys.jwks }),
    proofSecret: gatewayProofSecret(keys.gatewaySecret, 'citizens'),
  };
  const db = new Database(agency.name, { connectionString: url, max: 10, statementTimeoutMs: 10_000, connectTimeoutMs: 3000 });
  const on = await startSubgraph(definition, { db, port: await freePort(), trust });
  const off = await startSubgraph(definition, { db, port: await freePort(), trust, sharingRulesForBenchmarkOnly: false });
  const perField = await startSubgraph(definition, { db, port: await freePort(), trust, sharingRulesForBenchmarkOnly: 'per-field' });

  // A consumer agency's official: every DEFAULT field allowed, decided once per field per request.
  const token = await signDevToken(keys, { kind: 'official', sub: 'bench', agency: 'so-y-te', roles: ['official'] });
  const representations = Array.from({ length: ROWS }, (_, i) => ({ __typename: 'Citizen', id: citizenIdentity(i).id }));
  const body = JSON.stringify({
    query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id fullName gender dateOfBirth addressLine addressRegisteredOn } } }',
    variables: { r: representations },
  });
  const headersFor = async () => ({
    authorization: `Bearer ${token}`,
    [GATEWAY_PROOF_HEADER]: await signGatewayProof(trust.proofSecret, 'citizens', 'bench-authorisation', token),
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
      await load(`${server.url}/graphql`, body, await headersFor(), 1); // warm-up
      const measured = await load(`${server.url}/graphql`, body, await headersFor(), SECONDS);
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
  await db.close();
  await pg?.stop();

  const fmt = (values: number[], digits = 1) => `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
  const section = [
    MARK_START,
    '## Authorisation cost',
    '',
    `The citizens subgraph answering one \`_entities\` fetch of ${ROWS} citizens × 6 DEFAULT fields (the shape the gateway sends), for a consumer agency's official, with the graphql-shield sharing rules on and off (the same process, database and pool; \`bench/authorisation-cost.ts\`${quick ? ' --quick' : ''}). ${ROUNDS} round(s) of ${SECONDS} s per side at concurrency ${CONCURRENCY}, sides alternating first; median (min–max). Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${new Date().toISOString()}.`,
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
    MARK_END,
  ].join('\n');
  process.stdout.write(`${section}\n`);
  const path = process.env.BENCHMARKS_PATH ?? join(__dirname, '..', 'BENCHMARKS.md');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const next = current.includes(MARK_START)
    ? current.replace(new RegExp(`${MARK_START}[\\s\\S]*?${MARK_END}`), section)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
