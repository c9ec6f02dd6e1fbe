// The gateway's open-data cache (gateway/open-data-cache.ts): what subgraphs allow it to keep, that
// answers through it equal answers without it, and that repeated open data stops reaching the provider.
import { readFileSync } from 'node:fs';
import type { RunningGateway } from '../gateway/server';
import { OPEN_SUPERGRAPH_PATH, SUPERGRAPH_PATH } from '../schema/compose';
import { gatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof } from '../subgraphs/kit/identity';
import { OUTBOX_STATEMENTS } from '../subgraphs/kit/outbox';
import { EXAMPLE_OPERATIONS, operationText, sampleVariables, type VariablePools } from '../bench/workload';
import { bodyOf, execute, official, startGatewayOver, startTestMesh, TEST_SCALE, type TestMesh } from './support/mesh';
import { capturedLog } from './support/log-lines';

let mesh: TestMesh;
/** A second gateway over the same subgraphs that keeps nothing: the reference answers. */
let uncached: RunningGateway;
let asOfficial: Record<string, string>;
let pools: VariablePools;
const { logger, lines: logLines } = capturedLog();

beforeAll(async () => {
  mesh = await startTestMesh({ logger });
  uncached = await startGatewayOver(mesh, { openDataCacheBytes: 0 });
  asOfficial = { authorization: `Bearer ${await mesh.token(official('so-y-te'))}` };
  pools = await sampleVariables(`${uncached.url}/graphql`, asOfficial, TEST_SCALE);
}, 120_000);
afterAll(async () => {
  await uncached?.stop();
  await mesh?.stop();
});

/** The statements the codes subgraph (shared code tables, OPEN only) sends while `run` runs. */
async function codesStatementsDuring(run: () => Promise<void>): Promise<string[]> {
  const codes = mesh.subgraphs.get('codes');
  if (!codes) throw new Error('no codes subgraph');
  const statements: string[] = [];
  const stop = codes.db.onStatement((statement) => {
    if (!OUTBOX_STATEMENTS.has(statement)) statements.push(statement);
  });
  try {
    await run();
  } finally {
    stop();
  }
  return statements;
}

/** Calls one subgraph directly, as the gateway would, and returns its Cache-Control header and errors. */
async function subgraphAnswer(subgraph: string, query: string) {
  const running = mesh.subgraphs.get(subgraph);
  if (!running) throw new Error(`no subgraph ${subgraph}`);
  const token = await mesh.token(official('so-y-te'));
  const proof = await signGatewayProof(gatewayProofSecret(mesh.keys.gatewaySecret, subgraph), subgraph, 'cache-test-request', token, bodyOf(query));
  const response = await execute(`${running.url}/graphql`, query, undefined, { [GATEWAY_PROOF_HEADER]: proof, authorization: `Bearer ${token}` });
  return { cacheControl: response.headers.get('cache-control'), errors: response.body.errors };
}

const unitQuery = (code: string) => `{ administrativeUnit(code: "${code}", edition: THREE_LEVEL) { code name fullName } }`;

describe('what a subgraph lets the gateway keep', () => {
  it('marks an answer of only OPEN fields from an agency that allows it as public, for its max-age', async () => {
    const code = pools.pools.CurrentUnitOf[0]?.['code'];
    expect(typeof code).toBe('string');
    const answer = await subgraphAnswer('codes', unitQuery(String(code)));
    expect(answer.errors).toBeUndefined();
    expect(answer.cacheControl).toBe('public, max-age=300');
  });

  it('marks an answer with an error no-store, even of OPEN fields', async () => {
    const answer = await subgraphAnswer('codes', '{ administrativeUnit(code: "not a code", edition: THREE_LEVEL) { code name } }');
    expect(answer.errors?.length).toBeGreaterThan(0);
    expect(answer.cacheControl).toBe('no-store');
  });

  it('marks no-store an answer holding a field that is not OPEN', async () => {
    const answer = await subgraphAnswer('citizens', `{ citizen(id: "${String(pools.pools.CitizenBusinessFootprint[0]?.['id'])}") { fullName dateOfBirth } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.cacheControl).toBe('no-store');
  });

  it('marks no-store OPEN answers of an agency that did not allow keeping them (enterprises: 0 s)', async () => {
    const answer = await subgraphAnswer('enterprises', '{ enterprises(first: 2) { nodes { taxCode } } }');
    expect(answer.errors).toBeUndefined();
    expect(answer.cacheControl).toBe('no-store');
  });
});

describe('the gateway through its cache', () => {
  it('answers the four example queries exactly as a gateway without it, while repeated open data no longer reaches the codes subgraph', async () => {
    const graphql = `${mesh.gatewayUrl}/graphql`;
    const reference = `${uncached.url}/graphql`;
    // Variables in turn across the four queries, so entity fetches mix kept and new units.
    const requests = EXAMPLE_OPERATIONS.flatMap((operation) => pools.pools[operation].slice(0, 6).map((variables) => ({ operation, variables })));
    const compared = async () => {
      for (const { operation, variables } of requests) {
        const [through, without] = await Promise.all([
          execute(graphql, operationText(operation), variables, asOfficial),
          execute(reference, operationText(operation), variables, asOfficial),
        ]);
        expect({ operation, variables, body: through.body }).toEqual({ operation, variables, body: without.body });
        expect(through.body.errors).toBeUndefined();
      }
    };
    const first = await codesStatementsDuring(compared);
    // Only the reference gateway still asks the codes subgraph the second time round.
    const again = await codesStatementsDuring(async () => {
      for (const { operation, variables } of requests) {
        const response = await execute(graphql, operationText(operation), variables, asOfficial);
        expect(response.body.errors).toBeUndefined();
      }
    });
    const reference2 = await codesStatementsDuring(async () => {
      for (const { operation, variables } of requests) await execute(reference, operationText(operation), variables, asOfficial);
    });

    expect(first.length).toBeGreaterThan(0);
    expect(reference2.length).toBeGreaterThan(0);
    expect(again).toEqual([]);
  });

  it('says in the consumer-side record how many fetches it answered from the cache', async () => {
    const variables = pools.pools.CurrentUnitOf[1] ?? {};
    await execute(`${mesh.gatewayUrl}/graphql`, operationText('CurrentUnitOf'), variables, asOfficial);
    const second = await execute(`${mesh.gatewayUrl}/graphql`, operationText('CurrentUnitOf'), variables, asOfficial);
    const requestId = second.headers.get('x-request-id');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const record = logLines.find((line) => line['record'] === 'consumer' && line['requestId'] === requestId);
    expect(record?.['openDataFromCache']).toBeGreaterThan(0);
  });

  it('serves the same open data to anonymous callers of the open contract from the same cache', async () => {
    const code = String(pools.pools.CurrentUnitOf[2]?.['code']);
    await execute(`${mesh.gatewayUrl}/graphql`, unitQuery(code), undefined, asOfficial);
    const statements = await codesStatementsDuring(async () => {
      const open = await execute(`${mesh.gatewayUrl}/open/graphql`, unitQuery(code), undefined);
      expect(open.body.errors).toBeUndefined();
      expect(open.body.data).toMatchObject({ administrativeUnit: { code } });
    });
    expect(statements).toEqual([]);
  });

  it('tells the client how long an answer it gave from the cache may be kept, as the subgraph told it (not no-store)', async () => {
    const code = String(pools.pools.CurrentUnitOf[4]?.['code']);
    const first = await execute(`${mesh.gatewayUrl}/open/graphql`, unitQuery(code), undefined);
    let again: Awaited<ReturnType<typeof execute>> | undefined;
    const statements = await codesStatementsDuring(async () => void (again = await execute(`${mesh.gatewayUrl}/open/graphql`, unitQuery(code), undefined)));
    expect(statements).toEqual([]);
    expect(first.headers.get('cache-control')).toBe('max-age=300, public');
    expect(again?.headers.get('cache-control')).toMatch(/^max-age=\d+, public$/);
    const kept = /^max-age=(\d+)/.exec(again?.headers.get('cache-control') ?? '');
    // What is left of the 300 s the subgraph allowed, never more.
    expect(Number(kept?.[1])).toBeGreaterThan(290);
    expect(Number(kept?.[1])).toBeLessThanOrEqual(300);
    // A fetch the cache answered beside one it could not (a DEFAULT field) still makes the whole answer no-store.
    const unitSelection = /\{ administrativeUnit.*\}/.exec(unitQuery(code))?.[0].slice(1, -1) ?? '';
    let mixed: Awaited<ReturnType<typeof execute>> | undefined;
    const codes = await codesStatementsDuring(async () => {
      mixed = await execute(`${mesh.gatewayUrl}/graphql`, `{ ${unitSelection} enterprises(first: 1) { nodes { taxCode legalRepresentative { id } } } }`, undefined, asOfficial);
    });
    expect(codes).toEqual([]);
    expect(mixed?.body.errors).toBeUndefined();
    expect(mixed?.headers.get('cache-control')).toBe('no-store');
  });

  it('forgets what it kept when it serves a new supergraph', async () => {
    const variables = pools.pools.CurrentUnitOf[3] ?? {};
    await execute(`${mesh.gatewayUrl}/graphql`, operationText('CurrentUnitOf'), variables, asOfficial);
    const kept = await codesStatementsDuring(async () => void (await execute(`${mesh.gatewayUrl}/graphql`, operationText('CurrentUnitOf'), variables, asOfficial)));
    expect(kept).toEqual([]);

    const swapped = await mesh.gateway.swap({
      id: 'the same graph, served anew',
      supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
      openSupergraphSdl: readFileSync(OPEN_SUPERGRAPH_PATH, 'utf8'),
    });
    expect(swapped).toBe(true);
    const after = await codesStatementsDuring(async () => void (await execute(`${mesh.gatewayUrl}/graphql`, operationText('CurrentUnitOf'), variables, asOfficial)));
    expect(after.length).toBeGreaterThan(0);
  });
});
