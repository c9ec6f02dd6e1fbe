import { execute, official, startTestMesh, type TestMesh } from './support/mesh';
import { LIMITS } from '../gateway/limits';
import { OUTBOX_STATEMENTS } from '../subgraphs/kit/outbox';

let mesh: TestMesh;
let statements = 0;
beforeAll(async () => {
  mesh = await startTestMesh();
  // The access ledger is left out: providers poll it every second, whatever the request; so are the
  // outbox relay's statements, which follow an answer and belong to no request.
  for (const [name, subgraph] of mesh.subgraphs) {
    if (name !== 'access') subgraph.db.onStatement((statement) => void (OUTBOX_STATEMENTS.has(statement) || statements++));
  }
});
afterAll(() => mesh.stop());

/** `administrativeUnit { parent { parent { … name } } }` nested to exactly `depth` levels. */
function nested(depth: number): string {
  let selection = 'name';
  for (let level = 2; level < depth; level++) selection = `parent { ${selection} }`;
  return `{ administrativeUnit(code: "22015", edition: THREE_LEVEL) { ${selection} } }`;
}

function aliased(count: number): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: ethnicGroup(code: "01") { name }`).join(' ')} }`;
}

describe('request limits', () => {
  it('serves an anonymous query at the depth limit and refuses one level more before any subgraph sees it', async () => {
    const open = `${mesh.gatewayUrl}/open/graphql`;
    const atLimit = await execute(open, nested(LIMITS.anonymous.depth));
    expect(atLimit.body.errors).toBeUndefined();

    const before = statements;
    const over = await execute(open, nested(LIMITS.anonymous.depth + 1));
    expect(over.status).toBe(400);
    // Said as the cost limit is: both languages, the depth found and the maximum; not as a syntax error.
    expect(over.body.errors?.[0]).toMatchObject({
      message: `Truy vấn lồng quá sâu: độ sâu ${LIMITS.anonymous.depth + 1}, tối đa ${LIMITS.anonymous.depth}. (Query depth ${LIMITS.anonymous.depth + 1} is over the limit of ${LIMITS.anonymous.depth}.)`,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', maximum: LIMITS.anonymous.depth },
    });
    expect(statements).toBe(before);
  });

  it('refuses one alias over the anonymous limit before any subgraph sees it', async () => {
    const open = `${mesh.gatewayUrl}/open/graphql`;
    expect((await execute(open, aliased(LIMITS.anonymous.aliases))).body.errors).toBeUndefined();
    const before = statements;
    const over = await execute(open, aliased(LIMITS.anonymous.aliases + 1));
    expect(over.status).toBe(400);
    expect(over.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining(`(Aliases ${LIMITS.anonymous.aliases + 1} is over the limit of ${LIMITS.anonymous.aliases}.)`),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', maximum: LIMITS.anonymous.aliases },
    });
    expect(over.body.errors?.[0]?.message).not.toMatch(/Syntax Error/);
    expect(statements).toBe(before);
  });

  it('counts aliases of __typename too', async () => {
    const typenames = `{ ${Array.from({ length: LIMITS.anonymous.aliases + 1 }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    const over = await execute(`${mesh.gatewayUrl}/open/graphql`, typenames);
    expect({ status: over.status, maximum: over.body.errors?.[0]?.extensions?.['maximum'] }).toEqual({ status: 400, maximum: LIMITS.anonymous.aliases });
  });

  it('gives agencies higher limits than anonymous callers', async () => {
    const token = await mesh.token(official('so-y-te'));
    const response = await execute(`${mesh.gatewayUrl}/graphql`, aliased(LIMITS.anonymous.aliases + 1), undefined, { authorization: `Bearer ${token}` });
    expect(response.body.errors).toBeUndefined();
  });

  it('refuses batched requests', async () => {
    const response = await fetch(`${mesh.gatewayUrl}/open/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBe(400);
  });

  it('counts a list at the rows it asks for, written or as a variable, and refuses one over the cost before any subgraph sees it', async () => {
    const open = `${mesh.gatewayUrl}/open/graphql`;
    // 1 + 100 rows × (nodes 1 + taxCode 1 + businessLines (1 + `lines` rows × 1)): 5,301 at 50 lines, 4,301 at 40.
    const written = (lines: number) => `{ enterprises(first: 100) { nodes { taxCode businessLines(first: ${lines}) { isMain } } } }`;
    const byVariables = 'query ($rows: Int, $lines: Int) { enterprises(first: $rows) { nodes { taxCode businessLines(first: $lines) { isMain } } } }';
    expect(4301).toBeLessThanOrEqual(LIMITS.anonymous.cost);
    expect(5301).toBeGreaterThan(LIMITS.anonymous.cost);
    expect((await execute(open, written(40))).body.errors).toBeUndefined();
    expect((await execute(open, byVariables, { rows: 100, lines: 40 })).body.errors).toBeUndefined();

    const before = statements;
    for (const over of [await execute(open, written(50)), await execute(open, byVariables, { rows: 100, lines: 50 })]) {
      expect(over.status).toBe(400);
      expect(over.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', maximum: LIMITS.anonymous.cost });
      expect(over.body.errors?.[0]?.message).toContain('Query cost 5301 is over the limit of 5000');
    }
    expect(statements).toBe(before);
  });

  it('counts a list whose first is not given at its default page size', async () => {
    const token = await mesh.token(official('so-y-te'));
    // Units (20 by default), their children (20 by default), theirs (100): 1 + 20 × (1 + 1 + 20 × (1 + 1 + 100 × 4)) = 160,841.
    const query = '{ administrativeUnits { nodes { children { nodes { children(first: 100) { nodes { code name fullName } } } } } } }';
    expect(160_841).toBeGreaterThan(LIMITS.agency.cost);
    const before = statements;
    const response = await execute(`${mesh.gatewayUrl}/graphql`, query, undefined, { authorization: `Bearer ${token}` });
    expect(response.body.errors?.[0]?.message).toContain('Query cost 160841 is over the limit');
    expect(statements).toBe(before);
  });

  it('never suggests field names to an anonymous caller', async () => {
    const response = await execute(`${mesh.gatewayUrl}/open/graphql`, '{ citizn(id: "054204000000") { fullName } }');
    expect(response.body.errors?.[0]?.message).not.toMatch(/Did you mean|citizen/);
  });
});

describe('the token limit', () => {
  it('refuses a document over the anonymous token limit with a 400, and a syntax error with a 400', async () => {
    const open = `${mesh.gatewayUrl}/open/graphql`;
    const long = `{ ${Array.from({ length: LIMITS.anonymous.tokens }, () => '__typename').join(' ')} }`;
    const over = await execute(open, long);
    expect(over.status).toBe(400);
    expect(over.body.errors?.[0]?.message).toMatch(/token/i);
    const broken = await execute(open, '{');
    expect(broken.status).toBe(400);
    expect(broken.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
  });
});
