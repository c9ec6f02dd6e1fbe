import { citizenIdentity, taxCodeAt } from '../subgraphs/kit/seed-plan';
import { close, listen } from '../subgraphs/kit/http';
import { execute, official, startTestMesh, testServerUrl , type TestMesh } from './support/mesh';
import { TcpProxy } from './support/tcp-proxy';
import { underLoad } from './support/load';

/** How long the gateway waits for a subgraph: an agency that is down is reported within it. */
const SUBGRAPH_TIMEOUT_MS = 3000;
let mesh: TestMesh;
/** An official of a consuming agency (Sở Y tế): sees OPEN and DEFAULT fields. */
let asOfficial: Record<string, string>;
let graphql: string;
let citizensDb: TcpProxy;

beforeAll(async () => {
  const server = new URL(testServerUrl());
  citizensDb = new TcpProxy(server.hostname, Number(server.port));
  await citizensDb.start();
  mesh = await startTestMesh({
    subgraphTimeoutMs: SUBGRAPH_TIMEOUT_MS,
    // The citizens subgraph reaches its database through a relay the tests can cut.
    connectThrough: (subgraph, url) => {
      if (subgraph !== 'citizens') return url;
      const relayed = new URL(url);
      relayed.port = String(citizensDb.port);
      return relayed.toString();
    },
  });
  graphql = `${mesh.gatewayUrl}/graphql`;
  asOfficial = { authorization: `Bearer ${await mesh.token(official('so-y-te'))}` };
});
afterAll(async () => {
  await mesh.stop();
  await citizensDb.cut();
});

describe('bad input', () => {
  it('refuses a malformed personal id with BAD_USER_INPUT and the expected form, as a variable', async () => {
    const response = await execute(graphql, 'query ($id: PersonalId!) { citizen(id: $id) { fullName } }', { id: '12345' }, asOfficial);
    // The gateway checks the shared scalars itself: the request is refused before any subgraph is asked.
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        message: 'Biến $id có giá trị không hợp lệ (variable $id): PersonalId không hợp lệ: cần 12 chữ số, ví dụ 054090000123. (Invalid PersonalId: expected 12 digits, e.g. 054090000123.)',
        extensions: { code: 'BAD_USER_INPUT', expected: '12 chữ số, ví dụ 054090000123 / 12 digits, e.g. 054090000123' },
      }),
    ]);
  });

  it('says where in a variable a shared scalar refused its value, Vietnamese first', async () => {
    const response = await execute(
      graphql,
      'mutation ($i: RequestAccessInput!) { requestAccess(input: $i) { id } }',
      { i: { provider: 'so-nn-mt', fields: ['LandUseCertificate.holder'], purpose: 'x', legalBasis: 'y', validFrom: '2026-02-30' } },
      asOfficial,
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.message).toBe(
      'Biến $i có giá trị không hợp lệ tại "i.validFrom" (variable $i at i.validFrom): Date không hợp lệ: cần YYYY-MM-DD. (Invalid Date: expected YYYY-MM-DD.)',
    );
  });

  it('refuses a malformed tax code written inline with BAD_USER_INPUT', async () => {
    const response = await execute(graphql, '{ enterprise(taxCode: "4400000000") { name } }', undefined, asOfficial);
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.message).toContain('check digit');
  });

  it('returns null for a well-formed id that is unknown', async () => {
    const unknownTaxCode = taxCodeAt(999_999); // valid check digit, far beyond the seeded range
    const response = await execute(graphql, `{ citizen(id: "054199999999") { fullName } enterprise(taxCode: "${unknownTaxCode}") { name } }`, undefined, asOfficial);
    expect(response.body).toEqual({ data: { citizen: null, enterprise: null } });
  });

  it("keeps every other agency's answer, and a mutation that succeeded, when one root field is refused for its arguments", async () => {
    const mixed = await execute<{ citizen: { fullName: string } | null; ethnicGroups: Array<{ code: string }> | null; enterprises: unknown }, never>(
      graphql,
      `{ citizen(id: "${citizenIdentity(3).id}") { fullName } ethnicGroups { code } enterprises(first: 2, after: "not-a-cursor") { nodes { taxCode } } }`,
      undefined,
      asOfficial,
    );
    expect(mixed.body.data).toEqual({ citizen: { fullName: expect.any(String) }, ethnicGroups: expect.arrayContaining([{ code: '01' }]), enterprises: null });
    expect(mixed.body.errors?.map((e) => ({ path: e.path, code: e.extensions?.['code'] }))).toEqual([{ path: ['enterprises'], code: 'BAD_USER_INPUT' }]);

    // Two mutations in one document: the one turned down does not hide that the other was done.
    const citizen = { authorization: `Bearer ${await mesh.token({ kind: 'citizen', sub: citizenIdentity(3).id })}` };
    const both = await execute<{ given: { status: string } | null; refused: unknown }, never>(
      graphql,
      'mutation { given: giveConsent(agency: "so-y-te", fields: ["Citizen.ethnicGroup"]) { status } refused: giveConsent(agency: "khong-ton-tai", fields: ["Citizen.ethnicGroup"]) { status } }',
      undefined,
      citizen,
    );
    expect(both.body.data).toEqual({ given: { status: 'ACTIVE' }, refused: null });
    expect(both.body.errors?.map((e) => ({ path: e.path, code: e.extensions?.['code'] }))).toEqual([{ path: ['refused'], code: 'BAD_USER_INPUT' }]);
  });

  it('refuses a page size over the maximum and states the maximum', async () => {
    const response = await execute(graphql, '{ enterprises(first: 500) { nodes { taxCode } } }', undefined, asOfficial);
    expect(response.body).toEqual({
      data: { enterprises: null },
      errors: [
        {
          message: 'Tối đa 100 bản ghi mỗi trang. (At most 100 items per page; got 500.)',
          path: ['enterprises'],
          extensions: { code: 'PAGE_SIZE_EXCEEDED', maximum: 100, argument: 'first', subgraph: 'enterprises' },
        },
      ],
    });
  });

  it('answers malformed JSON with 400 and a code, not a crash', async () => {
    const response = await fetch(graphql, { method: 'POST', headers: { 'content-type': 'application/json', ...asOfficial }, body: '{"query": ' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [{ message: 'Nội dung yêu cầu không phải JSON hợp lệ. (The request body is not valid JSON.)', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('refuses a body over 1 MB with 413', async () => {
    const response = await fetch(graphql, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asOfficial },
      body: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(response.status).toBe(413);
  });
});

describe('a subgraph that is down', () => {
  it('under load: the queries not touching it all succeed, those touching it give partial data and an error naming it within the subgraph timeout, and it recovers', async () => {
    const land = mesh.subgraphs.get('land');
    if (!land) throw new Error('no land subgraph');
    const port = Number(new URL(land.url).port);
    const query = `{ enterprise(taxCode: "${taxCodeAt(0)}") { taxCode name landParcels { id } } }`;

    // Four clients keep asking for citizens and their enterprises, which land has no part in.
    const load = await underLoad(graphql, asOfficial, async () => {
      await close(land.server);
      // A root list of the agency that is down is null; the rest of the document is answered.
      const lists = await execute(graphql, '{ ethnicGroups { code } landParcels(first: 1) { nodes { id } } }', undefined, asOfficial);
      expect(lists.body.data).toEqual({ ethnicGroups: expect.arrayContaining([{ code: '01' }]), landParcels: null });
      expect(lists.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['SUBGRAPH_UNAVAILABLE']);
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const during = await execute(graphql, query, undefined, asOfficial);
        expect(Date.now() - started).toBeLessThan(SUBGRAPH_TIMEOUT_MS);
        expect(during.body.data).toEqual({ enterprise: { taxCode: taxCodeAt(0), name: expect.any(String), landParcels: null } });
        expect(during.body.errors).toEqual([
          {
            message: expect.stringContaining(land.agency.name),
            extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'land', agency: land.agency.name },
          },
        ]);
        expect(JSON.stringify(during.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|localhost/);
      }
      const health = await fetch(`${mesh.gatewayUrl}/health`);
      expect(health.status).toBe(503);
      await listen(land.server, port);
    });
    expect(load.failures).toEqual([]);
    expect(load.answeredAfter).toBeGreaterThanOrEqual(5);

    const after = await execute(graphql, query, undefined, asOfficial);
    expect(after.body.errors).toBeUndefined();
    expect((await fetch(`${mesh.gatewayUrl}/health`)).status).toBe(200);
  });
});

describe('a database that is down', () => {
  it('gives DATABASE_UNAVAILABLE naming the agency, reports it in health, and recovers without a restart', async () => {
    const query = `{ citizen(id: "${citizenIdentity(1).id}") { id } }`;
    expect((await execute(graphql, query, undefined, asOfficial)).body.errors).toBeUndefined();

    await citizensDb.cut();
    const started = Date.now();
    const during = await execute(graphql, query, undefined, asOfficial);
    expect(during.body).toEqual({
      data: { citizen: null },
      errors: [
        {
          message: expect.stringContaining('Công an tỉnh'),
          path: ['citizen'],
          extensions: { code: 'DATABASE_UNAVAILABLE', agency: expect.stringContaining('Công an tỉnh'), subgraph: 'citizens' },
        },
      ],
    });
    // Bounded by the pool's connection timeout (3 s here), not hanging.
    expect(Date.now() - started).toBeLessThan(8000);
    const health = (await (await fetch(`${mesh.gatewayUrl}/health`)).json()) as { status: string; subgraphs: Array<{ subgraph: string; status: string }> };
    expect(health.status).toBe('degraded');
    expect(health.subgraphs.find((s) => s.subgraph === 'citizens')?.status).toBe('unavailable');

    await citizensDb.start();
    const after = await execute(graphql, query, undefined, asOfficial);
    expect(after.body).toEqual({ data: { citizen: { id: citizenIdentity(1).id } } });
  });
});

describe('health and tools', () => {
  it('reports every subgraph ready at /health', async () => {
    const response = await fetch(`${mesh.gatewayUrl}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; subgraphs: Array<{ subgraph: string; status: string }> };
    expect(body.status).toBe('ready');
    expect(body.subgraphs.map((s) => [s.subgraph, s.status]).sort()).toEqual(
      [...mesh.subgraphs.keys()].map((name) => [name, 'ready']).sort(),
    );
  });

  it('serves GraphiQL from the installed package, with no CDN', async () => {
    const page = await fetch(graphql, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const scripts = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(['/graphiql/graphiql.css', '/graphiql/react.js', '/graphiql/react-dom.js', '/graphiql/graphiql.js']);
    for (const asset of scripts) {
      const response = await fetch(`${mesh.gatewayUrl}${asset}`);
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });
});
