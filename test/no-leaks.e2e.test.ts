/**
 * Bad input of every shape, generated with fast-check, against the gateway and the subgraphs: never
 * a 5xx, never a crash, and never an internal detail (stack, SQL, host, driver message, schema
 * suggestion) in what comes back.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { print } from 'graphql';
import { CitizenBusinessFootprintDocument, EnterprisesByBusinessLineDocument, PermitsInCommuneDocument } from './__generated__/operations';
import { official, startTestMesh, type TestMesh } from './support/mesh';

const LEAK = /\bat .+:\d+:\d+|\.ts:\d+|node_modules|SELECT .+ FROM|INSERT INTO|syntax error at|relation "|postgres|pg_|127\.0\.0\.1|localhost|ECONN|Did you mean/i;

let mesh: TestMesh;
let auth: Record<string, string>;
beforeAll(async () => {
  mesh = await startTestMesh();
  auth = { authorization: `Bearer ${await mesh.token(official('so-y-te'))}` };
});
afterAll(() => mesh.stop());

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, text: await response.text() };
}

/**
 * Whether `text` holds internals: a LEAK match that is not the caller's own input echoed back (a
 * variable named `PG_` quoted in graphql-js's refusal is what was sent, not a PostgreSQL name).
 */
function leaks(text: string, input: unknown): boolean {
  const sent = JSON.stringify(input).toLowerCase();
  return [...text.matchAll(new RegExp(LEAK.source, 'gi'))].some((match) => !sent.includes(match[0].toLowerCase()));
}

function check(outcome: { status: number; text: string }, input: unknown): void {
  // A masked internal error is a 5xx in disguise: bad input must meet a named refusal.
  if (outcome.status >= 500 || leaks(outcome.text, input) || outcome.text.includes('INTERNAL_SERVER_ERROR')) {
    throw new Error(`input ${JSON.stringify(input).slice(0, 500)}\n→ ${outcome.status} ${outcome.text.slice(0, 1000)}`);
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const operations = [CitizenBusinessFootprintDocument, PermitsInCommuneDocument, EnterprisesByBusinessLineDocument].map((d) => print(d));

describe('fuzzed input', () => {
  it('example operations with arbitrary variables', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), fc.dictionary(fc.constantFrom('id', 'commune', 'edition', 'from', 'to', 'line', 'first', 'x'), jsonValue), async (query, variables) => {
        check(await post(`${mesh.gatewayUrl}/graphql`, JSON.stringify({ query, variables }), auth), { query, variables });
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('arbitrary query text and bodies, with and without a token, on both endpoints', async () => {
    const fragment = fc.constantFrom('{', '}', '(', ')', 'citizen', 'enterprise', '"x"', '$id', '...', 'on', 'query', 'first:', '1e999', '@skip', '#', '\\u0000', ':', '[', ']');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.array(fragment, { maxLength: 30 }).map((parts) => JSON.stringify({ query: parts.join(' ') })), fc.string({ maxLength: 200 }), jsonValue.map((v) => JSON.stringify(v))),
        fc.boolean(),
        fc.boolean(),
        async (body, withToken, open) => {
          const url = `${mesh.gatewayUrl}${open ? '/open/graphql' : '/graphql'}`;
          check(await post(url, body, withToken ? auth : {}), { body, withToken, open });
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);

  it('arbitrary headers: token, purpose, language, request id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), fc.string({ maxLength: 40 }), fc.string({ maxLength: 80 }), async (token, purpose, language, requestId) => {
        const headers: Record<string, string> = {};
        const safe = (s: string) => s.replace(/[^\x20-\x7e]/g, '');
        headers['authorization'] = `Bearer ${safe(token)}`;
        headers['x-purpose'] = safe(purpose);
        headers['accept-language'] = safe(language);
        headers['x-request-id'] = safe(requestId);
        check(await post(`${mesh.gatewayUrl}/graphql`, JSON.stringify({ query: '{ __typename }' }), headers), headers);
        check(await post(`${mesh.gatewayUrl}/graphql`, JSON.stringify({ query: '{ citizen(id: "054204000000") { fullName } }' }), { ...auth, 'x-purpose': safe(purpose), 'accept-language': safe(language) }), { purpose, language });
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('arbitrary bodies straight to each subgraph', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...mesh.subgraphs.values()), fc.oneof(fc.string({ maxLength: 200 }), jsonValue.map((v) => JSON.stringify(v))), async (subgraph, body) => {
        check(await post(`${subgraph.url}/graphql`, body, auth), { subgraph: subgraph.name, body });
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});

/** The first error's code and the status, from a gateway answer. */
async function refusal(url: string, body: unknown, headers: Record<string, string> = auth): Promise<{ status: number; code: unknown }> {
  const outcome = await post(url, JSON.stringify(body), headers);
  check(outcome, body);
  const parsed = JSON.parse(outcome.text) as { errors?: Array<{ extensions?: { code?: unknown } }> };
  return { status: outcome.status, code: parsed.errors?.[0]?.extensions?.code };
}

describe('inputs a hand sweep found answered as internal errors', () => {
  it('refuses a document without a runnable operation with a 400 and OPERATION_RESOLUTION_FAILURE, on both endpoints', async () => {
    for (const endpoint of ['/graphql', '/open/graphql']) {
      const url = `${mesh.gatewayUrl}${endpoint}`;
      expect(await refusal(url, { query: 'query A { __typename }', operationName: 'B' })).toEqual({ status: 400, code: 'OPERATION_RESOLUTION_FAILURE' });
      expect(await refusal(url, { query: 'query A { __typename } query C { __typename }' })).toEqual({ status: 400, code: 'OPERATION_RESOLUTION_FAILURE' });
      expect(await refusal(url, { query: 'subscription { __typename }' })).toEqual({ status: 400, code: 'OPERATION_RESOLUTION_FAILURE' });
    }
    // The open contract's only mutation is feedback on open data: any other is unknown there.
    expect(await refusal(`${mesh.gatewayUrl}/open/graphql`, { query: 'mutation { markNotificationRead(id: "5eed0000-0000-4000-8000-000000000001") { id } }' }, {})).toEqual({
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
    });
  });

  it('names a persisted-query mismatch a BAD_REQUEST', async () => {
    const url = `${mesh.gatewayUrl}/graphql`;
    expect(await refusal(url, { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'zz' } } })).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(await refusal(url, { query: '{ __typename }', extensions: { persistedQuery: { version: 2, sha256Hash: 'zz' } } })).toEqual({ status: 400, code: 'BAD_REQUEST' });
  });

  it('refuses an x-purpose that is not percent-encoded UTF-8, or too long, rather than recording it garbled, cut or as no purpose', async () => {
    // 'Xác minh' as curl sends it typed: its UTF-8 bytes, which HTTP hands over as Latin-1 text.
    const rawUtf8 = Buffer.from('Xác minh', 'utf8').toString('latin1');
    for (const purpose of ['%', '%E0%A4%A', 'abc%zz', rawUtf8, encodeURIComponent('ả'.repeat(501)), encodeURIComponent('\u202eKhám bệnh')]) {
      const outcome = await post(`${mesh.gatewayUrl}/graphql`, JSON.stringify({ query: '{ __typename }' }), { ...auth, 'x-purpose': purpose });
      check(outcome, purpose);
      expect({ purpose, status: outcome.status, body: JSON.parse(outcome.text) as unknown }).toEqual({
        purpose,
        status: 400,
        body: { errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', header: 'x-purpose' } })] },
      });
    }
    // Two x-purpose headers, which Node would join into one purpose nobody stated.
    const twice = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpRequest(`${mesh.gatewayUrl}/graphql`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'x-purpose': ['one', 'two'] } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on('error', reject);
      request.end(JSON.stringify({ query: '{ __typename }' }));
    });
    expect({ status: twice.status, text: twice.text }).toEqual({ status: 400, text: expect.stringContaining('x-purpose is sent 2 times') as string });
    // 500 letters, however typed: 'ả' decomposed is two code points, counted as the one letter it is.
    for (const purpose of ['Khám bệnh', 'ả'.repeat(500), 'ả'.normalize('NFD').repeat(500)]) {
      const readable = await post(`${mesh.gatewayUrl}/graphql`, JSON.stringify({ query: '{ __typename }' }), { ...auth, 'x-purpose': encodeURIComponent(purpose) });
      expect(readable.status).toBe(200);
    }
  });

  it('does not echo a 100 KB input back in full in its error', async () => {
    const huge = 'A'.repeat(100_000);
    const outcome = await post(
      `${mesh.gatewayUrl}/graphql`,
      JSON.stringify({ query: 'query ($e: AdministrativeEdition!) { administrativeUnit(code: "22015", edition: $e) { name } }', variables: { e: huge } }),
      auth,
    );
    check(outcome, 'a 100 KB enum value');
    const body = JSON.parse(outcome.text) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]?.message.length).toBeLessThanOrEqual(1000);
    expect(outcome.text.length).toBeLessThan(5000);
  });

  it('refuses variables with thousands of errors at once, anonymously, with a short 400', async () => {
    // Each unknown key was its own error quoting the whole object: 8,000 keys cost 20 s and an
    // 8.7 MB answer, and 60,000 ran the process out of memory.
    const filter = Object.fromEntries(Array.from({ length: 8000 }, (_, i) => [`k${i}`, 1]));
    const query = 'query ($f: AdministrativeUnitFilter) { administrativeUnits(filter: $f, first: 1) { nodes { code } } }';
    const outcome = await post(`${mesh.gatewayUrl}/open/graphql`, JSON.stringify({ query, variables: { f: filter } }), {});
    check(outcome, 'an object of 8,000 unknown keys');
    expect(outcome.status).toBe(400);
    const body = JSON.parse(outcome.text) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('Too many errors in the variables'), extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(outcome.text.length).toBeLessThan(5000);
    // A list of 200,000 values of the wrong type, likewise.
    const list = await post(
      `${mesh.gatewayUrl}/graphql`,
      JSON.stringify({
        query: 'mutation ($f: [String!]!) { requestAccess(input: { provider: "cong-an", fields: $f, purpose: "x", legalBasis: "y", validFrom: "2026-12-02" }) { id } }',
        variables: { f: Array.from({ length: 200_000 }, () => 1) },
      }),
      auth,
    );
    check(list, 'a list of 200,000 wrong values');
    expect(list.status).toBe(400);
    expect(list.text.length).toBeLessThan(5000);
    // Under the bound, every error is still reported, as before.
    const few = await post(`${mesh.gatewayUrl}/open/graphql`, JSON.stringify({ query, variables: { f: { a: 1, b: 2 } } }), {});
    expect((JSON.parse(few.text) as { errors: unknown[] }).errors).toHaveLength(2);
  });

  it('refuses year 0 as a date, and text holding a NUL, as BAD_USER_INPUT before any SQL', async () => {
    const url = `${mesh.gatewayUrl}/graphql`;
    const cases = [
      { query: 'query ($d: Date!) { citizens(filter: { bornFrom: $d }, first: 1) { nodes { id } } }', variables: { d: '0000-01-01' } },
      { query: '{ citizens(filter: { bornFrom: "2026-02-31" }, first: 1) { nodes { id } } }' },
      { query: 'query ($n: String!) { citizens(filter: { name: $n }, first: 1) { nodes { id } } }', variables: { n: 'a\u0000b' } },
      { query: 'query ($n: String!) { constructionPermit(number: $n) { number } }', variables: { n: '\u0000' } },
    ];
    for (const body of cases) {
      const outcome = await refusal(url, body);
      expect({ body, code: outcome.code }).toEqual({ body, code: 'BAD_USER_INPUT' });
    }
  });
});

describe('inputs a second walk found', () => {
  it('answers GraphQL over GET from a client that also accepts HTML: 401 without a token, the data with one', async () => {
    const url = `${mesh.gatewayUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const accept = { accept: 'text/html, application/json', 'apollo-require-preflight': '1' };
    const anonymous = await fetch(url, { headers: accept });
    expect({ status: anonymous.status, code: ((await anonymous.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code }).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    const official = await fetch(url, { headers: { ...accept, ...auth } });
    expect({ status: official.status, body: await official.json() }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('refuses a body that is not UTF-8 as a bad request, rather than taking U+FFFD for what was sent', async () => {
    const query = 'mutation ($m: String!) { sendOpenDataFeedback(input: { kind: OTHER, message: $m }) { id } }';
    const bytes = Buffer.concat([Buffer.from(`{"query":${JSON.stringify(query)},"variables":{"m":"ab`), Buffer.from([0xff, 0xfe]), Buffer.from('cd"}}')]);
    const response = await fetch(`${mesh.gatewayUrl}/open/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
    expect({ status: response.status, body: (await response.json()) as unknown }).toEqual({
      status: 400,
      body: { errors: [{ message: expect.stringContaining('not valid UTF-8') as string, extensions: { code: 'BAD_REQUEST' } }] },
    });
  });

  it('refuses variables nested 5,000 deep as a bad request, rather than reporting a provider down', async () => {
    // Written as text: a value this deep is past what JSON.stringify itself can walk.
    const query = 'query ($c: AdministrativeUnitCode!) { administrativeUnit(code: $c) { code } }';
    const variables = `{"c":${'['.repeat(5000)}1${']'.repeat(5000)}}`;
    const posted = await post(`${mesh.gatewayUrl}/open/graphql`, `{"query":${JSON.stringify(query)},"variables":${variables}}`, {});
    check(posted, 'variables nested 5,000 deep');
    expect({ status: posted.status, body: JSON.parse(posted.text) as unknown }).toEqual({
      status: 400,
      body: { errors: [{ message: expect.stringContaining('nests deeper than 64 levels') as string, extensions: { code: 'BAD_REQUEST' } }] },
    });
    // Over GET, as deep as a URL can carry: 100 levels.
    const shallower = `{"c":${'['.repeat(100)}1${']'.repeat(100)}}`;
    const get = await fetch(`${mesh.gatewayUrl}/open/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(shallower)}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    expect(get.status).toBe(400);
  });

  it('takes % and _ in a name search as themselves, not as wildcards matching everyone', async () => {
    const owner = { authorization: `Bearer ${await mesh.token(official('cong-an', 'owner'))}` };
    for (const name of ['%%', '__']) {
      const outcome = await post(`${mesh.gatewayUrl}/graphql`, JSON.stringify({ query: 'query ($n: String!) { citizens(first: 5, filter: { name: $n }) { nodes { id } } }', variables: { n: name } }), owner);
      expect({ name, status: outcome.status, body: JSON.parse(outcome.text) as unknown }).toEqual({ name, status: 200, body: { data: { citizens: { nodes: [] } } } });
    }
  });

  it('refuses text with half a surrogate pair, which would be stored changed, as BAD_USER_INPUT', async () => {
    const body = {
      query: 'mutation ($input: RequestAccessInput!) { requestAccess(input: $input) { id } }',
      variables: { input: { provider: 'cong-an', fields: ['Citizen.ethnicGroup'], purpose: 'a\ud800b', legalBasis: 'Nghị định 47/2020/NĐ-CP', validFrom: '2030-01-01' } },
    };
    expect(await refusal(`${mesh.gatewayUrl}/graphql`, body)).toEqual({ status: 200, code: 'BAD_USER_INPUT' });
  });

  it('refuses at once a call meant for a subgraph (it carries a gateway\'s proof), so a subgraph URL pointing at a gateway cannot loop', async () => {
    for (const endpoint of ['/graphql', '/open/graphql', '/disclosure-log?subgraph=citizens']) {
      const outcome = await post(`${mesh.gatewayUrl}${endpoint}`, JSON.stringify({ query: '{ __typename }' }), { ...auth, 'x-lienthong-gateway': 'a.proof.here' });
      expect({ endpoint, status: outcome.status, code: (JSON.parse(outcome.text) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code }).toEqual({
        endpoint,
        status: 400,
        code: 'LOOP_DETECTED',
      });
    }
  });

  it('refuses a method GraphQL over HTTP does not use with a 405 naming GET and POST, as every other route does', async () => {
    for (const [endpoint, method] of [['/graphql', 'PUT'], ['/graphql', 'PATCH'], ['/graphql', 'DELETE'], ['/open/graphql', 'PUT'], ['/open/graphql', 'DELETE']] as const) {
      const answer = await fetch(`${mesh.gatewayUrl}${endpoint}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect({ endpoint, method, status: answer.status, allow: answer.headers.get('allow'), body: await answer.json() }).toEqual({
        endpoint,
        method,
        status: 405,
        allow: 'GET, POST',
        body: { errors: [{ message: 'Chỉ hỗ trợ GET, POST. (GET, POST only.)', extensions: { code: 'METHOD_NOT_ALLOWED' } }] },
      });
    }
  });

  it('answers headers over 16 KB with a JSON refusal and a code, not a bare status line', async () => {
    const answer = await fetch(`${mesh.gatewayUrl}/graphql`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'x-purpose': 'a'.repeat(20_000) }, body: '{}' });
    expect({ status: answer.status, body: await answer.json() }).toEqual({
      status: 431,
      body: { errors: [{ message: expect.stringContaining('(The request headers are too large: at most 16 KB.)') as string, extensions: { code: 'HEADERS_TOO_LARGE' } }] },
    });
  });

  it('says the standard GraphQL refusals in Vietnamese too, and the token limit as a limit', async () => {
    const open = `${mesh.gatewayUrl}/open/graphql`;
    const first = async (body: unknown) => {
      const outcome = await post(open, JSON.stringify(body), {});
      return (JSON.parse(outcome.text) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> }).errors[0];
    };
    expect(await first({ query: '{ administrativeUnit(code: ' })).toMatchObject({
      message: expect.stringMatching(/^Truy vấn sai cú pháp \(Syntax Error: /) as string,
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    expect(await first({ query: '{ nothingHere }' })).toMatchObject({
      message: 'Truy vấn không khớp lược đồ (Cannot query field "nothingHere" on type "Query".)',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    // A value the caller quotes does not make graphql-js's words count as ours.
    expect(await first({ query: 'query ($f: Int) { administrativeUnits(first: $f) { nodes { code } } }', variables: { f: 'Hà Nội' } })).toMatchObject({
      message: expect.stringMatching(/^Giá trị đầu vào không hợp lệ \(Variable "\$f" got invalid value "Hà Nội"/) as string,
      extensions: { code: 'BAD_USER_INPUT' },
    });
    // Clients read this message as the signal to send the whole query: it stays as Apollo says it.
    expect(await first({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } })).toMatchObject({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    });
    expect(await first({ query: `{ ${'__typename '.repeat(1200)}}` })).toMatchObject({
      message: 'Truy vấn dài quá 1000 token. (The query has more than 1000 tokens.)',
      extensions: { code: 'GRAPHQL_PARSE_FAILED', maximum: 1000 },
    });
  });

  it('refuses a malformed code as the whole request\'s error, naming it, rather than blanking the valid fields beside it', async () => {
    const url = `${mesh.gatewayUrl}/graphql`;
    const literal = await post(url, JSON.stringify({ query: '{ a: citizen(id: "123") { fullName } b: citizen(id: "054204000000") { fullName } }' }), auth);
    const variable = await post(url, JSON.stringify({ query: 'query ($id: PersonalId!) { citizen(id: $id) { fullName } }', variables: { id: '123' } }), auth);
    const open = await post(`${mesh.gatewayUrl}/open/graphql`, JSON.stringify({ query: '{ a: enterprise(taxCode: "4400000002") { name } b: enterprise(taxCode: "4400000001") { name } }' }), {});
    const expected = (scalar: string, location: { line: number; column: number }) => ({
      status: 400,
      body: {
        errors: [
          {
            message: expect.stringContaining(`Invalid ${scalar}: expected`) as string,
            locations: [location],
            extensions: { code: 'BAD_USER_INPUT', expected: expect.any(String) as string },
          },
        ],
      },
    });
    const answer = (outcome: { status: number; text: string }) => ({ status: outcome.status, body: JSON.parse(outcome.text) as unknown });
    // Not `{ a: null, b: null }` beside an error with no path, as when the subgraph refused the one operation holding both.
    expect(answer(literal)).toEqual(expected('PersonalId', { line: 1, column: 18 }));
    expect(answer(variable)).toEqual(expected('PersonalId', { line: 1, column: 8 }));
    expect(answer(open)).toEqual(expected('TaxCode', { line: 1, column: 26 }));
  });

  it('says an unknown field without a suggestion, and without what is left of one', async () => {
    const outcome = await post(`${mesh.gatewayUrl}/open/graphql`, JSON.stringify({ query: '{ landParcels { nodes { landUseType } } }' }), {});
    const [error] = (JSON.parse(outcome.text) as { errors: Array<{ message: string }> }).errors;
    expect(error?.message).toMatch(/\(Cannot query field "landUseType" on type "LandParcel"\.\)$/);
  });

  it('refuses a disclosure-log range that ends before it starts', async () => {
    const owner = { authorization: `Bearer ${await mesh.token(official('cong-an', 'owner'))}` };
    const answer = await fetch(`${mesh.gatewayUrl}/disclosure-log?subgraph=citizens&from=2026-12-31&to=2026-12-01`, { headers: owner });
    expect({ status: answer.status, body: await answer.json() }).toEqual({
      status: 400,
      body: { errors: [{ message: expect.stringContaining('to: không được trước from (must not be before from)') as string, extensions: { code: 'BAD_USER_INPUT', parameter: 'to' } }] },
    });
  });
});
