import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../subgraphs/kit/db';
import { close, listen } from '../../subgraphs/kit/http';
import { createTokenVerifier, type TokenClaims } from '../../subgraphs/kit/identity';
import { databaseUrl, ensureDatabase, migrate } from '../../subgraphs/kit/migrate';
import { DEV_AUDIENCE, DEV_ISSUER, generateDevKeys, signDevToken, type DevKeys } from '../../scripts/dev-keys';
import { official, testServerUrl, uniquePrefix } from '../../test/support/mesh';
import { runSchemaCli } from '../cli';
import { localSubgraphSources } from '../compose';
import { ledgerFieldConsumers, runRegistry, type RunRegistryOptions } from './index';
import { startRegistry, type Registry, type RegistryOptions } from './server';
import { GATEWAY_SUPERGRAPH_PATH, REGISTRY_SERVICE_HEADER, signGatewayReader } from './gateway-feed';

interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown> & { errors?: Array<{ message: string; extensions: Record<string, unknown> & { code: string } }> };
}

let keys: DevKeys;
let db: Database;
let registry: Registry;
const servers: Server[] = [];

/** A tiny HTTP server standing in for a subgraph: answers every request with `status` and `body`. */
async function fakeSubgraph(status: number, body: string, contentType = 'application/json'): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    });
  });
  servers.push(server);
  return `${await listen(server, 0)}/graphql`;
}

/** The URL of a port nobody listens on: a server that was started and closed again. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server, 0);
  await close(server);
  return `${url}/graphql`;
}

/** Calls the registry at `base` as `claims` (anonymously when null). */
async function callAt(base: string, method: 'GET' | 'POST', path: string, claims: TokenClaims | null, body?: unknown, rawBody?: string | Buffer): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (claims) headers['authorization'] = `Bearer ${await signDevToken(keys, claims)}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(method === 'POST' ? { body: typeof rawBody === 'object' ? new Uint8Array(rawBody) : (rawBody ?? JSON.stringify(body)) } : {}),
  });
  return { status: response.status, body: (await response.json()) as ApiResponse['body'] };
}

/** Calls the test file's registry. */
function call(method: 'GET' | 'POST', path: string, claims: TokenClaims | null, body?: unknown, rawBody?: string | Buffer): Promise<ApiResponse> {
  return callAt(registry.url, method, path, claims, body, rawBody);
}

/**
 * `runRegistry` as a deployment runs it: on a fresh database `<prefix><name>`, seeded with the local
 * subgraphs, trusting the test keys, on a free port. The caller stops it.
 */
async function seededRegistry(name: string, options: Pick<RunRegistryOptions, 'ledgerConsumers'> = {}): Promise<Registry> {
  const database = `${uniquePrefix()}${name}`;
  await ensureDatabase(testServerUrl(), database);
  return runRegistry({
    databaseUrl: databaseUrl(testServerUrl(), database),
    verifyToken: createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: keys.jwks }),
    port: 0,
    seedUrls: Object.fromEntries(localSubgraphSources().map((s) => [s.name, s.url])),
    ...options,
  });
}

/** A registry on `options.db` that trusts the test keys, on a free port; an unexpected error fails the test. */
function startTestRegistry(options: Omit<RegistryOptions, 'verifyToken' | 'port'>): Promise<Registry> {
  return startRegistry({
    verifyToken: createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: keys.jwks }),
    port: 0,
    onError: (error) => {
      throw error;
    },
    ...options,
  });
}

const landOwner = official('so-nn-mt', 'owner');
const governance = official('so-khcn', 'governance');
const landSdl = localSubgraphSources().find((s) => s.name === 'land')?.sdl ?? '';
/** v2: a new field on a DEFAULT type: not breaking, no loosening. */
const withNote = landSdl.replace('  parcel: LandParcel\n}', '  parcel: LandParcel\n  "Ghi chú của cơ quan cấp (the issuer\'s note)."\n  note: String\n}');
/** A loosening of a personal field: SPECIAL_REQUEST → DEFAULT. */
const loosened = withNote.replace(
  'holder: LandHolder @personal @sharing(category: SPECIAL_REQUEST)',
  'holder: LandHolder @personal @sharing(category: DEFAULT)',
);
/** A breaking change: a field removed from the graph. */
const breaking = withNote.replace('  "Ngày cấp (date of issue)."\n  issuedOn: Date\n', '');

let subgraphUrl: string;
let gatewayOnlyUrl: string;

beforeAll(async () => {
  expect(withNote).not.toBe(landSdl);
  expect(loosened).not.toBe(withNote);
  expect(breaking).not.toBe(withNote);
  keys = await generateDevKeys();
  const database = `${uniquePrefix()}registry`;
  await ensureDatabase(testServerUrl(), database);
  const url = databaseUrl(testServerUrl(), database);
  await migrate(url, join(__dirname, 'migrations'));
  db = new Database('registry', { connectionString: url, max: 4, statementTimeoutMs: 10_000, connectTimeoutMs: 3000 });
  registry = await startTestRegistry({ db, probeTimeoutMs: 2000 });
  subgraphUrl = await fakeSubgraph(200, JSON.stringify({ data: { _service: { sdl: 'type Query { x: Int }' } } }));
  gatewayOnlyUrl = await fakeSubgraph(401, JSON.stringify({ errors: [{ message: 'Chưa xác thực', extensions: { code: 'UNAUTHENTICATED' } }] }));
});

afterAll(async () => {
  await registry?.stop();
  await db?.close();
  for (const server of servers) await close(server);
});

describe('schema registry', () => {
  it('refuses a call without a token (401) and bad JSON (400), with a code and no internals', async () => {
    const anonymous = await call('GET', '/supergraph', null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    const bad = await call('POST', '/check', landOwner, undefined, '{ not json');
    expect(bad).toEqual({ status: 400, body: { errors: [{ message: expect.stringContaining('JSON'), extensions: { code: 'BAD_JSON' } }] } });
    // An SDL whose bytes are not UTF-8 would be kept with U+FFFD in its descriptions: refused instead.
    const latin1 = await call('POST', '/check', landOwner, undefined, Buffer.concat([Buffer.from('{"subgraph":"land","sdl":"type Q { a: String } # caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
    expect(latin1).toEqual({ status: 400, body: { errors: [{ message: expect.stringContaining('UTF-8'), extensions: { code: 'BAD_JSON' } }] } });
    const citizen = await call('GET', '/supergraph', { kind: 'citizen', sub: '001090000001' });
    expect(citizen.status).toBe(403);
  });

  it('has no supergraph before the seed, and checks against nothing published', async () => {
    const none = await call('GET', '/supergraph', landOwner);
    expect(none.status).toBe(404);
    expect(none.body.errors?.[0]?.extensions.code).toBe('NO_SUPERGRAPH');
    const checked = await call('POST', '/check', landOwner, { subgraph: 'land', sdl: landSdl });
    expect(checked.status).toBe(200);
    expect(checked.body['breakingChanges']).toEqual({ status: 'skipped', issues: [], warnings: [] });
    expect(checked.body).not.toHaveProperty('supergraphSdl');
  });

  it('seeds the local subgraphs as version 1 once', async () => {
    const urls = Object.fromEntries(localSubgraphSources().map((s) => [s.name, s.url]));
    expect(await registry.service.seed(urls)).toBe(true);
    expect(await registry.service.seed(urls)).toBe(false);
    const supergraph = await call('GET', '/supergraph', landOwner);
    expect(supergraph.status).toBe(200);
    expect(supergraph.body).toMatchObject({ version: 1, cause: null, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const history = await call('GET', '/history?subgraph=land', landOwner);
    expect(history.body['versions']).toEqual([expect.objectContaining({ version: 1, status: 'PUBLISHED', publishedBy: 'seed', publisherAgency: 'so-nn-mt' })]);
  });

  it('publishes a version by the owning agency: history shows v2 and the supergraph changes', async () => {
    const before = await call('GET', '/supergraph', landOwner);
    const published = await call('POST', '/publish', landOwner, { subgraph: 'land', sdl: withNote, url: subgraphUrl });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({
      version: { subgraph: 'land', version: 2, status: 'PUBLISHED', publishedBy: landOwner.sub, publisherAgency: 'so-nn-mt', url: subgraphUrl },
      check: { outcome: 'ok' },
      supergraph: { version: 2, cause: { subgraph: 'land', version: 2 } },
    });
    const history = await call('GET', '/history?subgraph=land', landOwner);
    expect((history.body['versions'] as Array<{ version: number; status: string }>).map(({ version, status }) => ({ version, status }))).toEqual([
      { version: 2, status: 'PUBLISHED' },
      { version: 1, status: 'SUPERSEDED' },
    ]);
    const after = await call('GET', '/supergraph', landOwner);
    expect(after.body['version']).toBe(2);
    expect(after.body['sha256']).not.toBe(before.body['sha256']);
    expect(after.body['sdl']).toContain('note: String');

    // The same SDL and URL again (a deployment publishing on every start) adds nothing.
    const again = await call('POST', '/publish', landOwner, { subgraph: 'land', sdl: withNote, url: subgraphUrl });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ unchanged: true, version: { version: 2, status: 'PUBLISHED' }, supergraph: { version: 2 } });
    expect(((await call('GET', '/history?subgraph=land', landOwner)).body['versions'] as unknown[]).length).toBe(2);
    expect((await call('GET', '/supergraph', landOwner)).body['version']).toBe(2);
  });

  it('shows where a subgraph runs only to its own agency and to governance', async () => {
    const health = official('so-y-te');
    const urlsIn = (sdl: unknown) => [...String(sdl).matchAll(/@join__graph\(name: "([^"]*)", url: "([^"]*)"\)/g)].map(([, name, url]) => `${name ?? ''}=${url ? 'url' : ''}`);
    const ofLand = async (who: TokenClaims) => ((await call('GET', '/history?subgraph=land', who)).body['versions'] as Array<{ url: string | null }>).map((v) => v.url !== null);
    expect({
      historyToTheOwner: await ofLand(landOwner),
      historyToGovernance: await ofLand(governance),
      historyToAnotherAgency: await ofLand(health),
      supergraphToTheOwner: urlsIn((await call('GET', '/supergraph', landOwner)).body['sdl']),
      supergraphToAnotherAgency: urlsIn((await call('GET', '/supergraph', health)).body['sdl']),
    }).toEqual({
      historyToTheOwner: [true, true],
      historyToGovernance: [true, true],
      historyToAnotherAgency: [false, false],
      supergraphToTheOwner: ['access=', 'citizens=', 'codes=', 'construction=', 'enterprises=', 'land=url'],
      supergraphToAnotherAgency: ['access=', 'citizens=', 'codes=', 'construction=', 'enterprises=', 'land='],
    });
  });

  it('refuses a publisher from another agency (403), an unknown subgraph (400), and URLs that do not answer as a subgraph', async () => {
    const other = await call('POST', '/publish', official('cong-an', 'owner'), { subgraph: 'land', sdl: withNote, url: subgraphUrl });
    expect(other.status).toBe(403);
    expect(other.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN_AGENCY');
    const unknown = await call('POST', '/publish', landOwner, { subgraph: 'libraries', sdl: withNote, url: subgraphUrl });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.extensions.code).toBe('UNKNOWN_SUBGRAPH');
    for (const url of [await closedPortUrl(), await fakeSubgraph(200, '<html>hello</html>', 'text/html'), await fakeSubgraph(200, '{"data":null}')]) {
      const refused = await call('POST', '/publish', landOwner, { subgraph: 'land', sdl: withNote, url });
      expect({ url, status: refused.status, code: refused.body.errors?.[0]?.extensions.code }).toEqual({ url, status: 400, code: 'SUBGRAPH_UNREACHABLE' });
    }
    const history = await call('GET', '/history?subgraph=land', landOwner);
    expect((history.body['versions'] as unknown[]).length).toBe(2);
  });

  it('keeps a breaking change pending, naming what it breaks, until governance approves it', async () => {
    const pending = await call('POST', '/publish', landOwner, { subgraph: 'land', sdl: breaking, url: subgraphUrl });
    expect(pending.status).toBe(202);
    expect(pending.body).toMatchObject({
      version: { version: 3, status: 'PENDING_APPROVAL' },
      check: {
        outcome: 'needsApproval',
        breakingChanges: { status: 'needsApproval', issues: [expect.objectContaining({ code: 'FIELD_REMOVED', coordinate: 'LandUseCertificate.issuedOn' })] },
      },
    });
    expect((await call('GET', '/supergraph', landOwner)).body['version']).toBe(2);

    const approved = await call('POST', '/approve', governance, { subgraph: 'land', version: 3 });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ version: { version: 3, status: 'PUBLISHED' }, supergraph: { version: 3, cause: { subgraph: 'land', version: 3 } } });
    const current = await call('GET', '/supergraph', landOwner);
    expect(current.body['version']).toBe(3);
    expect(current.body['sdl']).toMatch(/type LandUseCertificate[^}]*\}/);
    expect(/type LandUseCertificate[^}]*\}/.exec(String(current.body['sdl']))?.[0]).not.toContain('issuedOn');
  });

  it('keeps a loosening pending until governance approves it; only governance may approve', async () => {
    const pending = await call('POST', '/publish', landOwner, { subgraph: 'land', sdl: loosened, url: gatewayOnlyUrl });
    expect(pending.status).toBe(202);
    expect(pending.body).toMatchObject({ version: { version: 4, status: 'PENDING_APPROVAL' }, check: { outcome: 'needsApproval' } });
    expect(pending.body).not.toHaveProperty('supergraph');
    expect((await call('GET', '/supergraph', landOwner)).body['version']).toBe(3);
    const history = await call('GET', '/history?subgraph=land', landOwner);
    expect(history.body['versions']).toEqual(expect.arrayContaining([expect.objectContaining({ version: 4, status: 'PENDING_APPROVAL' })]));

    const notGovernance = await call('POST', '/approve', landOwner, { subgraph: 'land', version: 4 });
    expect(notGovernance.status).toBe(403);
    expect(notGovernance.body.errors?.[0]?.extensions.code).toBe('GOVERNANCE_ONLY');

    const approved = await call('POST', '/approve', governance, { subgraph: 'land', version: 4 });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      version: { version: 4, status: 'PUBLISHED', decidedBy: governance.sub },
      supergraph: { version: 4, cause: { subgraph: 'land', version: 4 } },
    });
    const current = await call('GET', '/supergraph', landOwner);
    expect(current.body['version']).toBe(4);
    expect(current.body['sdl']).toMatch(/holder: LandHolder.*DEFAULT/);
    const again = await call('POST', '/approve', governance, { subgraph: 'land', version: 4 });
    expect(again.status).toBe(409);
    expect(again.body.errors?.[0]?.extensions.code).toBe('NOT_PENDING');
    // A version number no registry holds (beyond PostgreSQL's integer) is the caller's mistake.
    for (const [route, body] of [
      ['/approve', { subgraph: 'land', version: 99999999999999 }],
      ['/reject', { subgraph: 'land', version: 99999999999999, reason: 'x' }],
    ] as const) {
      const refused = await call('POST', route, governance, body);
      expect({ route, body, status: refused.status, code: refused.body.errors?.[0]?.extensions.code }).toEqual({ route, body, status: 400, code: 'BAD_REQUEST' });
    }
  });

  it('rejects a pending version only with a reason, and marks it REJECTED', async () => {
    const opened = loosened.replace('holder: LandHolder @personal @sharing(category: DEFAULT)', 'holder: LandHolder @personal @sharing(category: OPEN)');
    const pending = await call('POST', '/publish', landOwner, { subgraph: 'land', sdl: opened, url: subgraphUrl });
    // A personal field is never OPEN: that fails lint, so it is refused rather than pending.
    expect(pending.status).toBe(422);
    const looser = withNote.replace('type LandUseCertificate @sharing(category: DEFAULT)', 'type LandUseCertificate @sharing(category: OPEN)');
    const waiting = await call('POST', '/publish', landOwner, { subgraph: 'land', sdl: looser.replace('holder: LandHolder @personal @sharing(category: SPECIAL_REQUEST)', 'holder: LandHolder @personal @sharing(category: DEFAULT)'), url: subgraphUrl });
    expect(waiting.status).toBe(202);
    const version = (waiting.body['version'] as { version: number }).version;
    expect(version).toBe(5);

    const blank = await call('POST', '/reject', governance, { subgraph: 'land', version, reason: '  ' });
    expect(blank.status).toBe(400);
    expect(blank.body.errors?.[0]?.extensions.code).toBe('REASON_REQUIRED');
    const missing = await call('POST', '/reject', governance, { subgraph: 'land', version });
    expect(missing.status).toBe(400);
    expect((await call('POST', '/reject', landOwner, { subgraph: 'land', version, reason: 'x' })).status).toBe(403);
    // A reason PostgreSQL cannot store (a NUL) is refused before any SQL, and the version stays pending.
    const nul = await call('POST', '/reject', governance, { subgraph: 'land', version, reason: 'a\u0000b' });
    expect({ status: nul.status, code: nul.body.errors?.[0]?.extensions.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    // A reason is at most 2,000 characters, as the access ledger's decisions: every history shows it.
    const long = await call('POST', '/reject', governance, { subgraph: 'land', version, reason: 'x'.repeat(2001) });
    expect({ status: long.status, code: long.body.errors?.[0]?.extensions.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(long.body.errors?.[0]?.message).toMatch(/2000/);
    const zeroWidth = await call('POST', '/reject', governance, { subgraph: 'land', version, reason: '\u200B\u2060 ' });
    expect(zeroWidth.body.errors?.[0]?.extensions.code).toBe('REASON_REQUIRED');
    const reordered = await call('POST', '/reject', governance, { subgraph: 'land', version, reason: 'Sai \u202etxet' });
    expect({ status: reordered.status, code: reordered.body.errors?.[0]?.extensions.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });

    // A reason is counted and kept as people write it: composed (NFC), by character. Typed decomposed,
    // each "ệ" below is three UTF-16 units (over 2,000 in all) but one character (fewer than 800).
    const written = `Chưa có căn cứ pháp lý để công khai (no legal basis). Ghi chú: ${'ệ'.repeat(700)}`;
    const rejected = await call('POST', '/reject', governance, { subgraph: 'land', version, reason: ` ${written.normalize('NFD')} ` });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ version, status: 'REJECTED', decidedBy: governance.sub, decisionReason: written });
    const history = await call('GET', '/history?subgraph=land', landOwner);
    expect((history.body['versions'] as Array<{ version: number; status: string }>).map(({ version: v, status }) => `${v}:${status}`)).toEqual([
      '5:REJECTED',
      '4:PUBLISHED',
      '3:SUPERSEDED',
      '2:SUPERSEDED',
      '1:SUPERSEDED',
    ]);
    expect((await call('GET', '/supergraph', landOwner)).body['version']).toBe(4);
  });

  it('lists the changes between two versions (graphql-inspector), a category change as from → to', async () => {
    const diff = await call('GET', '/diff?subgraph=land&from=1&to=2', landOwner);
    expect(diff.status).toBe(200);
    expect(diff.body['changes']).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'FIELD_ADDED', path: 'LandUseCertificate.note', criticality: 'NON_BREAKING' })]),
    );
    const removal = await call('GET', '/diff?subgraph=land&from=2&to=3', landOwner);
    expect(removal.body['changes']).toEqual([expect.objectContaining({ type: 'FIELD_REMOVED', path: 'LandUseCertificate.issuedOn', criticality: 'BREAKING' })]);
    // The loosening of v4 shows as the field's category change, from → to, and nothing else.
    const loosening = await call('GET', '/diff?subgraph=land&from=2&to=4', landOwner);
    expect(loosening.body['changes']).toEqual([
      { type: 'CATEGORY_LOOSENED', criticality: 'DANGEROUS', path: 'LandUseCertificate.holder', message: expect.stringMatching(/^LandUseCertificate\.holder: SPECIAL_REQUEST → DEFAULT /) },
    ]);
    const missing = await call('GET', '/diff?subgraph=land&from=1&to=99', landOwner);
    expect(missing.status).toBe(404);
    const bad = await call('GET', '/diff?subgraph=land&from=x&to=2', landOwner);
    expect(bad.status).toBe(400);
    // A parameter given twice, or one the route does not take, is named, not resolved one way or the other.
    for (const [path, parameter] of [
      ['/history?subgraph=land&subgraph=codes', 'subgraph'],
      ['/diff?subgraph=land&from=1&to=2&from=3', 'from'],
      ['/history?subgraph=land&extra=1', 'extra'],
      ['/pending?all=1', 'all'],
    ] as const) {
      const refused = await call('GET', path, landOwner);
      expect({ path, status: refused.status, extensions: refused.body['errors'] }).toEqual({ path, status: 400, extensions: [expect.objectContaining({ extensions: { code: 'BAD_REQUEST', parameter } })] });
    }
    // So is a key the body does not take.
    const extraKey = await call('POST', '/approve', landOwner, { subgraph: 'land', version: 1, versoin: 2 });
    expect({ status: extraKey.status, message: (extraKey.body['errors'] as Array<{ message: string }>)[0]?.message }).toEqual({ status: 400, message: expect.stringContaining('versoin') });
  });
});

describe('npm run schema -- publish | history | diff | approve | reject', () => {
  async function cli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runSchemaCli(args, (text) => (out += text), (text) => (err += text));
    return { code, out, err };
  }
  const dir = mkdtempSync(join(tmpdir(), 'registry-cli-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const withArea = loosened.replace('  note: String\n}', '  note: String\n  "Diện tích ghi trên giấy (area on the certificate, m²)."\n  certifiedArea: Float\n}');

  it('says a usage error in Vietnamese, then English, guessing no command or option the user did not ask for', async () => {
    const cases = [
      [['histroy', '--subgraph', 'land'], "Lỗi: lệnh 'histroy' không có; xem --help (unknown command 'histroy'; see --help).\n"],
      [['history'], "Lỗi: thiếu tùy chọn bắt buộc '--subgraph <name>' (required option '--subgraph <name>' not specified).\n"],
      [['history', '--subgraph', 'land', '--subgrahp', 'codes'], "Lỗi: tùy chọn '--subgrahp' không có; xem --help (unknown option '--subgrahp'; see --help).\n"],
      [['history', '--subgraph'], "Lỗi: tùy chọn '--subgraph <name>' cần một giá trị (option '--subgraph <name>' needs a value).\n"],
      // Given twice, one of the two would be dropped without a word.
      [['history', '--subgraph', 'land', '--subgraph=codes'], "Lỗi: tùy chọn '--subgraph' chỉ được nêu một lần (give '--subgraph' once).\n"],
    ] as const;
    for (const [args, said] of cases) expect(await cli(args)).toEqual({ code: 2, out: '', err: said });
  });

  it('publishes, lists the history and the diff through the registry; refuses without a token or a registry', async () => {
    const token = await signDevToken(keys, landOwner);
    const registryArgs = ['--registry', registry.url, '--token', token];
    const saved = process.env['LIENTHONG_TOKEN'];
    delete process.env['LIENTHONG_TOKEN'];
    try {
      const noToken = await cli(['history', '--subgraph', 'land', '--registry', registry.url]);
      expect(noToken.code).toBe(2);
      expect(noToken.err).toContain('--token');
    } finally {
      if (saved !== undefined) process.env['LIENTHONG_TOKEN'] = saved;
    }
    const nowhere = await cli(['history', '--subgraph', 'land', '--registry', (await closedPortUrl()).replace('/graphql', ''), '--token', token]);
    expect(nowhere.code).toBe(1);
    // A subgraph the registry does not know is bad usage (2), as for `check`.
    const unknown = await cli(['history', '--subgraph', 'libraries', ...registryArgs]);
    expect({ code: unknown.code, err: unknown.err }).toEqual({ code: 2, err: expect.stringContaining('UNKNOWN_SUBGRAPH') });
    // So is a request the registry cannot read (an empty schema), and a registry address that is no URL.
    const empty = await cli(['publish', '--subgraph', 'land', '--sdl', file('empty.graphql', ''), '--url', subgraphUrl, ...registryArgs]);
    expect({ code: empty.code, err: empty.err }).toEqual({ code: 2, err: expect.stringContaining('BAD_REQUEST') });
    const notUrl = await cli(['history', '--subgraph', 'land', '--registry', 'not-a-url', '--token', token]);
    expect({ code: notUrl.code, err: notUrl.err }).toEqual({ code: 2, err: expect.stringContaining('Invalid registry address') });

    const published = await cli(['publish', '--subgraph', 'land', '--sdl', file('land.graphql', withArea), '--url', subgraphUrl, ...registryArgs]);
    expect({ code: published.code, err: published.err }).toEqual({ code: 0, err: '' });
    expect(published.out).toContain('ĐÃ CÔNG BỐ (published): land v6');
    const same = await cli(['publish', '--subgraph', 'land', '--sdl', file('land.graphql', withArea), '--url', subgraphUrl, ...registryArgs]);
    expect({ code: same.code, out: same.out }).toEqual({ code: 0, out: expect.stringContaining('KHÔNG ĐỔI (unchanged): land v6') });

    const governanceArgs = ['--registry', registry.url, '--token', await signDevToken(keys, governance)];
    // Removing two fields and tightening a third waits for governance, the report saying what each breaks.
    const breakingFile = file('breaking.graphql', breaking);
    const consumers = file('consumers.json', JSON.stringify([
      { consumer: 'so-y-te', fields: ['LandUseCertificate.issuedOn'] },
      { consumer: 'so-tu-phap', fields: ['LandUseCertificate.holder'] },
      { consumer: 'so-noi-vu', fields: ['LandParcel.area'] },
    ]));
    const waiting = await cli(['publish', '--subgraph', 'land', '--sdl', breakingFile, '--url', subgraphUrl, '--consumers', consumers, ...registryArgs]);
    expect({ code: waiting.code, err: waiting.err }).toEqual({ code: 3, err: '' });
    expect(waiting.out).toMatch(/FIELD_REMOVED {2}LandUseCertificate\.issuedOn\n.*\n {7}Bên đang dùng \(consumers using it\): so-y-te\./);
    expect(waiting.out).toMatch(/CATEGORY_TIGHTENED {2}LandUseCertificate\.holder .*\n.*so-tu-phap/);
    expect(waiting.out).toContain('CHỜ PHÊ DUYỆT (pending governance approval): land v7');
    expect(waiting.out).toContain('npm run schema -- approve --subgraph land --version 7');
    // Governance lists what waits for it, with what each version changes and whom it breaks.
    const queue = await cli(['pending', ...governanceArgs]);
    expect({ code: queue.code, lines: queue.out.split('\n').map((line) => line.replace(/ {2}\S+T\S+Z {2}.*$/, '')) }).toEqual({
      code: 0,
      lines: [
        'land v7',
        '    CATEGORY_TIGHTENED LandUseCertificate.holder: DEFAULT → SPECIAL_REQUEST',
        "    FIELD_REMOVED LandUseCertificate.certifiedArea: Field 'certifiedArea' was removed from object type 'LandUseCertificate'",
        "    FIELD_REMOVED LandUseCertificate.issuedOn: Field 'issuedOn' was removed from object type 'LandUseCertificate'",
        '    bên bị ảnh hưởng (consumers it breaks): so-tu-phap, so-y-te',
        '    Không hỏi sổ cái quyền khai thác: chỉ nêu bên dùng được khai báo. (The access ledger was not asked: only the consumers given are named.)',
        '',
      ],
    });
    // The owning agency sees its own waiting versions; another agency sees none of them.
    expect((await cli(['pending', ...registryArgs])).out).toContain('land v7');
    const otherArgs = ['--registry', registry.url, '--token', await signDevToken(keys, official('so-y-te'))];
    expect((await cli(['pending', ...otherArgs])).out).toBe('Không có phiên bản nào chờ phê duyệt (nothing is waiting for approval).\n');
    const notNow = await cli(['reject', '--subgraph', 'land', '--version', '7', '--reason', 'Sở Y tế còn dùng ngày cấp (a consumer still uses issuedOn).', ...governanceArgs]);
    expect(notNow.code).toBe(0);
    expect((await cli(['pending', ...governanceArgs])).out).toBe('Không có phiên bản nào chờ phê duyệt (nothing is waiting for approval).\n');

    const history = await cli(['history', '--subgraph', 'land', ...registryArgs]);
    expect(history.code).toBe(0);
    expect(history.out.split('\n')[0]).toMatch(/^v7 {2}REJECTED .*a consumer still uses issuedOn/);
    expect(history.out).toMatch(/^v6 {2}PUBLISHED /m);
    expect(history.out).toContain('v5  REJECTED');

    const diff = await cli(['diff', '--subgraph', 'land', '--from', '4', '--to', '6', ...registryArgs]);
    expect(diff.code).toBe(0);
    expect(diff.out).toContain('FIELD_ADDED  LandUseCertificate.certifiedArea');

    const looser = withArea.replace('  certifiedArea: Float\n}', '  certifiedArea: Float @sharing(category: OPEN)\n}');
    const pending = await cli(['publish', '--subgraph', 'land', '--sdl', file('looser.graphql', looser), '--url', subgraphUrl, ...registryArgs]);
    expect(pending.code).toBe(3);
    expect(pending.out).toContain('CHỜ PHÊ DUYỆT (pending governance approval): land v8');
    const rejected = await cli(['reject', '--subgraph', 'land', '--version', '8', '--reason', 'Diện tích chưa được xác minh (area not verified).', ...governanceArgs]);
    expect(rejected.code).toBe(0);
    expect(rejected.out).toContain('REJECTED');
    const again = await cli(['publish', '--subgraph', 'land', '--sdl', file('looser.graphql', looser), '--url', subgraphUrl, ...registryArgs]);
    expect(again.code).toBe(3);
    // The same SDL and URL as the version waiting adds no second one.
    const twice = await cli(['publish', '--subgraph', 'land', '--sdl', file('looser.graphql', looser), '--url', subgraphUrl, ...registryArgs]);
    expect({ code: twice.code, out: twice.out }).toEqual({ code: 3, out: expect.stringContaining('KHÔNG ĐỔI (unchanged): land v9 đang chờ phê duyệt') });
    const approved = await cli(['approve', '--subgraph', 'land', '--version', '9', ...governanceArgs]);
    expect({ code: approved.code, err: approved.err }).toEqual({ code: 0, err: '' });
    expect(approved.out).toContain('ĐÃ CÔNG BỐ (published): land v9');
    // The check that made it wait is not printed again with its exit code 3: this command's is 0.
    expect(approved.out).not.toContain('Mã thoát (exit code) 3');
    // The diff says the category change as the check does, from → to, not as a directive's argument removed and added.
    const loosening = await cli(['diff', '--subgraph', 'land', '--from', '6', '--to', '9', ...registryArgs]);
    expect(loosening.code).toBe(0);
    expect(loosening.out).toMatch(/DANGEROUS {2}CATEGORY_LOOSENED {2}LandUseCertificate\.certifiedArea\n {4}LandUseCertificate\.certifiedArea: DEFAULT → OPEN/);
    expect(loosening.out).not.toContain('DIRECTIVE_USAGE');
  });
});

describe('npm run schema -- check, against a registry', () => {
  async function cli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runSchemaCli(args, (text) => (out += text), (text) => (err += text));
    return { code, out, err };
  }

  it('checks against what the registry has published since the committed supergraph, and offline against the committed one', async () => {
    const own = await seededRegistry('registry_check');
    try {
      const registryArgs = ['--registry', own.url, '--token', await signDevToken(keys, landOwner)];
      const dir = mkdtempSync(join(tmpdir(), 'registry-check-'));
      const withNoteFile = join(dir, 'with-note.graphql');
      writeFileSync(withNoteFile, withNote);
      const published = await cli(['publish', '--subgraph', 'land', '--sdl', withNoteFile, '--url', subgraphUrl, ...registryArgs]);
      expect({ code: published.code, out: published.out }).toEqual({ code: 0, out: expect.stringContaining('ĐÃ CÔNG BỐ (published): land v2') });

      // The committed schema, proposed again: it drops the note the registry now serves.
      const atRegistry = await cli(['check', '--subgraph', 'land', '--sdl', 'subgraphs/land/schema.graphql', ...registryArgs]);
      expect({ code: atRegistry.code, err: atRegistry.err }).toEqual({
        code: 3,
        err: `So với siêu đồ thị hiện hành của sổ đăng ký tại ${own.url} (checked against the registry's current supergraph).\n`,
      });
      expect(atRegistry.out).toMatch(/^3\. Thay đổi phá vỡ so với đồ thị hiện hành \(breaking changes\): .*\n.*LandUseCertificate\.note/m);
      expect(atRegistry.out).toContain('Kết quả (result): CẦN PHÊ DUYỆT');

      const json = await cli(['check', '--subgraph', 'land', '--sdl', 'subgraphs/land/schema.graphql', '--json', ...registryArgs]);
      const result = JSON.parse(json.out) as { outcome: string; breakingChanges: { issues: Array<{ rule: string; coordinate?: string }> } };
      expect({ code: json.code, outcome: result.outcome, breaking: result.breakingChanges.issues.map((i) => i.coordinate) }).toEqual({
        code: 3,
        outcome: 'needsApproval',
        breaking: ['LandUseCertificate.note'],
      });

      const offline = await cli(['check', '--subgraph', 'land', '--sdl', 'subgraphs/land/schema.graphql', '--offline']);
      expect({ code: offline.code, err: offline.err, result: offline.out.match(/Kết quả \(result\): .*/)?.[0] }).toEqual({
        code: 0,
        err: '',
        result: 'Kết quả (result): ĐẠT: có thể công bố (ok: may be published). Mã thoát (exit code) 0.',
      });
      const both = await cli(['check', '--subgraph', 'land', '--sdl', 'subgraphs/land/schema.graphql', '--offline', ...registryArgs]);
      expect({ code: both.code, err: both.err }).toEqual({ code: 2, err: expect.stringContaining('--registry') });
    } finally {
      await own.stop();
    }
  });
});

describe('runRegistry', () => {
  it('migrates a fresh database, seeds it, serializes concurrent publishes, and stops', async () => {
    const own = await seededRegistry('registry_run');
    try {
      const token = await signDevToken(keys, landOwner);
      const get = async (path: string) => (await fetch(`${own.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<Record<string, unknown>>;
      expect(await get('/supergraph')).toMatchObject({ version: 1, cause: null });
      const publish = (sdl: string) =>
        fetch(`${own.url}/publish`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ subgraph: 'land', sdl, url: subgraphUrl }),
        }).then((r) => r.status);
      const second = withNote.replace('  note: String\n}', '  note: String\n  "Mã vạch (barcode)."\n  barcode: String\n}');
      expect(await Promise.all([publish(withNote), publish(second)])).toEqual([201, 201]);
      const history = (await get('/history?subgraph=land'))['versions'] as Array<{ version: number; status: string }>;
      expect(history.map((v) => `${v.version}:${v.status}`)).toEqual(['3:PUBLISHED', '2:SUPERSEDED', '1:SUPERSEDED']);
      expect(await get('/supergraph')).toMatchObject({ version: 3, cause: { subgraph: 'land', version: 3 } });

      // A pending loosening that, against the versions published meanwhile, would also remove a field
      // nobody was asked about stays pending: approving it approves only what was put to governance.
      const looseSecond = second.replace('holder: LandHolder @personal @sharing(category: SPECIAL_REQUEST)', 'holder: LandHolder @personal @sharing(category: DEFAULT)');
      expect(await publish(looseSecond)).toBe(202);
      expect(await publish(second.replace('  barcode: String\n}', '  barcode: String\n  "Số tờ bản đồ (map sheet)."\n  mapSheet: Int\n}'))).toBe(201);
      const approval = await fetch(`${own.url}/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await signDevToken(keys, governance)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subgraph: 'land', version: 4 }),
      });
      const refused = (await approval.json()) as { errors: Array<{ extensions: { code: string; unseen: string[] } }> };
      expect({ status: approval.status, code: refused.errors[0]?.extensions.code, unseen: refused.errors[0]?.extensions.unseen }).toEqual({
        status: 409,
        code: 'CHANGED_SINCE_PROPOSED',
        unseen: ["FIELD_REMOVED LandUseCertificate.mapSheet: Field 'mapSheet' was removed from object type 'LandUseCertificate'"],
      });
      const after = (await get('/history?subgraph=land'))['versions'] as Array<{ version: number; status: string }>;
      expect(after.map((v) => `${v.version}:${v.status}`).slice(0, 2)).toEqual(['5:PUBLISHED', '4:PENDING_APPROVAL']);
      expect(await get('/supergraph')).toMatchObject({ version: 4, cause: { subgraph: 'land', version: 5 } });
      // Published again, the same SDL now makes other changes (it removes mapSheet): a new version puts
      // them to governance, rather than the old one answering "unchanged" and refused again.
      expect(await publish(looseSecond)).toBe(202);
      const queue = (await get('/history?subgraph=land'))['versions'] as Array<{ version: number; status: string }>;
      expect(queue.map((v) => `${v.version}:${v.status}`).slice(0, 3)).toEqual(['6:PENDING_APPROVAL', '5:PUBLISHED', '4:PENDING_APPROVAL']);
      const reject = await fetch(`${own.url}/reject`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await signDevToken(keys, governance)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subgraph: 'land', version: 6, reason: 'Còn dùng số tờ bản đồ (the map sheet is still used).' }),
      });
      expect(reject.status).toBe(200);

      // An approval approves each change as it was shown, categories included: a loosening shown as
      // DEFAULT → OPEN is not approved as SPECIAL_REQUEST → OPEN after a tightening was approved meanwhile.
      const withMapSheet = second.replace('  barcode: String\n}', '  barcode: String\n  "Số tờ bản đồ (map sheet)."\n  mapSheet: Int\n}');
      const noteAs = (category: string) => withMapSheet.replace('  note: String\n', `  note: String @sharing(category: ${category})\n`);
      expect(await publish(noteAs('OPEN'))).toBe(202);
      expect(await publish(noteAs('SPECIAL_REQUEST'))).toBe(202);
      const decide = async (version: number) => {
        const response = await fetch(`${own.url}/approve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await signDevToken(keys, governance)}`, 'content-type': 'application/json' },
          body: JSON.stringify({ subgraph: 'land', version }),
        });
        return { status: response.status, body: (await response.json()) as { errors?: Array<{ extensions: { code: string; unseen: string[] } }> } };
      };
      expect((await decide(8)).status).toBe(200);
      const shownOtherwise = await decide(7);
      expect({ status: shownOtherwise.status, code: shownOtherwise.body.errors?.[0]?.extensions.code, unseen: shownOtherwise.body.errors?.[0]?.extensions.unseen }).toEqual({
        status: 409,
        code: 'CHANGED_SINCE_PROPOSED',
        unseen: ['CATEGORY_LOOSENED LandUseCertificate.note: SPECIAL_REQUEST → OPEN'],
      });
      // The CLI says the same: the change nobody was shown, no report ending in another exit code;
      // with --json, the registry's answer as JSON.
      const run = async (args: readonly string[]) => {
        let out = '';
        let err = '';
        const code = await runSchemaCli([...args, '--registry', own.url, '--token', await signDevToken(keys, governance)], (t) => (out += t), (t) => (err += t));
        return { code, out, err };
      };
      const unshown = await run(['approve', '--subgraph', 'land', '--version', '7']);
      expect({ code: unshown.code, out: unshown.out, err: unshown.err.slice(0, 23) }).toEqual({
        code: 1,
        out: '   ? CATEGORY_LOOSENED LandUseCertificate.note: SPECIAL_REQUEST → OPEN\n',
        err: 'CHANGED_SINCE_PROPOSED:',
      });
      const asJson = await run(['approve', '--subgraph', 'land', '--version', '7', '--json']);
      expect({ code: asJson.code, answer: JSON.parse(asJson.out) as unknown }).toEqual({
        code: 1,
        answer: { errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'CHANGED_SINCE_PROPOSED' }) as unknown })] },
      });
    } finally {
      await own.stop();
    }
  });
});

describe('consumers from the access ledger', () => {
  it('checks all the same when the ledger does not answer, and says that no consumer could be named', async () => {
    const nowhere = (await closedPortUrl()).replace('/graphql', '');
    const own = await seededRegistry('registry_ledger', { ledgerConsumers: ledgerFieldConsumers(nowhere, keys.gatewaySecret) });
    try {
      const answer = await callAt(own.url, 'POST', '/check', landOwner, { subgraph: 'land', sdl: breaking });
      expect({ status: answer.status, outcome: answer.body['outcome'], note: answer.body['consumersNote'] }).toEqual({
        status: 200,
        outcome: 'needsApproval',
        note: 'Sổ cái quyền khai thác không trả lời: báo cáo không nêu được bên dùng. (The access ledger did not answer: consumers are not named.)',
      });
    } finally {
      await own.stop();
    }
  });
});

describe('checks run off the registry\'s thread', () => {
  /** The land subgraph with 1,500 more fields: under the size bound, and a second or more to compose. */
  const bulky = landSdl.replace(
    '  parcel: LandParcel\n}',
    `  parcel: LandParcel\n${Array.from({ length: 1500 }, (_, i) => `  "Trường ${i} (field ${i})."\n  extra${i}: Int @sharing(category: OPEN)`).join('\n')}\n}`,
  );

  it('answers other calls while a large proposal is being composed', async () => {
    expect(bulky).not.toBe(landSdl);
    const finished: string[] = [];
    const check = call('POST', '/check', landOwner, { subgraph: 'land', sdl: bulky }).then((response) => {
      finished.push('check');
      return response;
    });
    // Once the check is composing, other calls are still answered.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const history = await call('GET', '/history?subgraph=land', landOwner);
    finished.push('history');
    expect(history.status).toBe(200);
    const checked = await check;
    expect(checked.status).toBe(200);
    expect(checked.body['composition']).toEqual({ status: 'passed', issues: [] });
    expect(finished).toEqual(['history', 'check']);
  });

  it('refuses a check past its time limit with CHECK_TIMEOUT, then checks again with a fresh worker', async () => {
    const limited = await startTestRegistry({ db, checkTimeLimitMs: 50 });
    try {
      const post = (sdl: string) => callAt(limited.url, 'POST', '/check', landOwner, { subgraph: 'land', sdl });
      const slow = await post(bulky);
      expect(slow.status).toBe(200);
      expect(slow.body).toMatchObject({
        outcome: 'failed',
        composition: {
          status: 'failed',
          issues: [{ code: 'CHECK_TIMEOUT', subgraph: 'land', locations: [], message: expect.stringContaining('The check could not complete: the check ran past 50 ms') as string }],
        },
        lint: { status: 'skipped' },
      });
      // A proposal that does not parse is answered by the next worker at once.
      const unparsable = await post('type Query { x(: Int }');
      expect(unparsable.body).toMatchObject({ outcome: 'failed', composition: { issues: [{ code: 'INVALID_SDL' }] } });
    } finally {
      await limited.stop();
    }
  });
});

describe('when a request is too large or the registry database is down', () => {
  const tooLarge = { status: 413, body: { errors: [{ message: 'Nội dung vượt quá 2097152 byte (request body too large).', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] } };

  it('refuses a body over 2 MB with 413 PAYLOAD_TOO_LARGE, declared or streamed, and keeps serving', async () => {
    const big = JSON.stringify({ subgraph: 'land', sdl: `# ${'x'.repeat(3 * 1024 * 1024)}\n${landSdl}` });
    expect(await call('POST', '/check', landOwner, undefined, big)).toEqual(tooLarge);

    const token = await signDevToken(keys, landOwner);
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 4 MB without a content-length: the limit is enforced on what arrives.
        if (sent >= 64) controller.close();
        else {
          sent++;
          controller.enqueue(chunk);
        }
      },
    });
    const streamed = await fetch(`${registry.url}/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect({ status: streamed.status, body: await streamed.json() }).toEqual(tooLarge);

    const after = await call('POST', '/check', landOwner, { subgraph: 'land', sdl: landSdl });
    expect(after.status).toBe(200);
  });

  it('answers 503 DATABASE_UNAVAILABLE on every route while its database cannot be reached, naming no host', async () => {
    const unreachable = new URL(await closedPortUrl());
    const down = new Database('registry', { connectionString: `postgres://registry@127.0.0.1:${unreachable.port}/registry`, max: 2, statementTimeoutMs: 2000, connectTimeoutMs: 1000 });
    const readerSecret = new TextEncoder().encode('a-test-reader-secret-of-32-bytes!');
    const broken = await startTestRegistry({ db: down, probeTimeoutMs: 2000, gatewayReaderSecret: readerSecret });
    try {
      const headers = { authorization: `Bearer ${await signDevToken(keys, landOwner)}`, 'content-type': 'application/json' };
      const answers = await Promise.all(
        [
          fetch(`${broken.url}/check`, { method: 'POST', headers, body: JSON.stringify({ subgraph: 'land', sdl: landSdl }) }),
          fetch(`${broken.url}/publish`, { method: 'POST', headers, body: JSON.stringify({ subgraph: 'land', sdl: withNote, url: subgraphUrl }) }),
          fetch(`${broken.url}/history?subgraph=land`, { headers }),
          fetch(`${broken.url}/supergraph`, { headers }),
          fetch(`${broken.url}${GATEWAY_SUPERGRAPH_PATH}`, { headers: { [REGISTRY_SERVICE_HEADER]: await signGatewayReader(readerSecret) } }),
        ].map(async (answer) => {
          const response = await answer;
          return { status: response.status, body: await response.text() };
        }),
      );
      const unavailable = {
        status: 503,
        body: JSON.stringify({
          errors: [{ message: 'Cơ sở dữ liệu sổ đăng ký tạm thời không truy cập được (the registry database is unavailable).', extensions: { code: 'DATABASE_UNAVAILABLE' } }],
        }),
      };
      expect(answers).toEqual([unavailable, unavailable, unavailable, unavailable, unavailable]);
    } finally {
      await broken.stop();
      await down.close();
    }
  });
});
