/**
 * What the in-process A/B benchmarks of one subgraph share (bench/authorisation-cost.ts,
 * bench/disclosure-cost.ts): the citizens subgraph's database and identity, a closed-loop load
 * over HTTP, and writing a marked section of BENCHMARKS.md (their pair-by-pair rounds: stats.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { generateDevKeys, signDevToken, DEV_AUDIENCE, DEV_ISSUER, type DevKeys } from '../scripts/dev-keys';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { prepareAgencyDatabase } from '../scripts/mesh';
import { readAgency, type Agency } from '../subgraphs/kit/agency';
import { Database } from '../subgraphs/kit/db';
import { createTokenVerifier, gatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof } from '../subgraphs/kit/identity';
import { ensureAppRole } from '../subgraphs/kit/log-admin';
import { loadDefinition } from '../subgraphs/kit/registry';
import type { SubgraphContext, SubgraphDefinition, SubgraphTrust } from '../subgraphs/kit/server';

export const quick = process.argv.includes('--quick');

/**
 * A closed loop of `concurrency` clients POSTing `body` for `seconds`; counts answers with errors.
 * `headers` are asked for each request: a subgraph takes each gateway proof once.
 */
export async function load(url: string, body: string, headers: () => Promise<Record<string, string>>, seconds: number, concurrency: number): Promise<{ rps: number; errors: number }> {
  const dispatcher = new Agent({ connections: concurrency });
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(await headers()) }, body, dispatcher });
        const text = await response.body.text();
        if (response.statusCode !== 200 || text.includes('"errors"')) errors++;
        done++;
      }
    }),
  );
  await dispatcher.close();
  return { rps: done / seconds, errors };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** "median (min–max)" of `values`. */
export const spread = (values: number[], digits = 1) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

/** The machine and moment, for a section's set-up line. */
export function machineLine(): string {
  return `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${new Date().toISOString()}.`;
}

/** The citizens subgraph's seeded database, trust settings and a consumer official's request headers. */
export interface CitizensFixture {
  readonly agency: Agency;
  readonly definition: SubgraphDefinition<SubgraphContext>;
  readonly db: Database;
  readonly keys: DevKeys;
  readonly trust: SubgraphTrust;
  /** Headers of a call from the gateway on behalf of an official of Sở Y tế. */
  /** The headers of a call sending `body`: the token, and a gateway proof made for that body. */
  headers(body: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Seeds (once) and opens the citizens database, on LIENTHONG_DATABASE_URL or an embedded server in .data/<dataName>. */
export async function citizensFixture(dataName: string, prefix: string): Promise<CitizensFixture> {
  const dataDir = join(__dirname, '..', '.data', dataName);
  mkdirSync(dataDir, { recursive: true });
  const pg = process.env.LIENTHONG_DATABASE_URL ? null : await startEmbeddedPostgres(dataDir);
  const serverUrl = process.env.LIENTHONG_DATABASE_URL ?? pg?.url ?? '';
  const agency = readAgency('citizens');
  const definition = loadDefinition(agency);
  const owner = await prepareAgencyDatabase(definition, agency, { serverUrl, databasePrefix: prefix, seedScale: 1 });
  const keys = await generateDevKeys();
  const trust = {
    verifyToken: createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: keys.jwks }),
    proofSecret: gatewayProofSecret(keys.gatewaySecret, 'citizens'),
  };
  // As deployed: the subgraph runs as its application role.
  const db = new Database(agency.name, { connectionString: await ensureAppRole(owner), max: 10, statementTimeoutMs: 10_000, connectTimeoutMs: 3000 });
  const token = await signDevToken(keys, { kind: 'official', sub: 'bench', agency: 'so-y-te', roles: ['official'] });
  return {
    agency,
    definition,
    db,
    keys,
    trust,
    headers: async (body: string) => ({
      authorization: `Bearer ${token}`,
      [GATEWAY_PROOF_HEADER]: await signGatewayProof(trust.proofSecret, 'citizens', 'bench', token, body),
    }),
    async close() {
      await db.close();
      await pg?.stop();
    },
  };
}

/** Replaces (or appends) the section between `<!-- name:start -->` and `<!-- name:end -->` of BENCHMARKS.md. */
export function writeSection(name: string, lines: readonly string[]): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = [start, ...lines, end].join('\n');
  process.stdout.write(`${section}\n`);
  const path = process.env.BENCHMARKS_PATH ?? join(__dirname, '..', 'BENCHMARKS.md');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const next = current.includes(start) ? current.replace(new RegExp(`${start}[\\s\\S]*?${end}`), section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}
