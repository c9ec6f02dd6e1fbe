/**
 * A new agency joins the running mesh, as README "Adding your agency's subgraph: a walk" tells it
 * to (DESIGN.md §8): Sở Văn hóa, Thể thao và Du lịch runs its own `tourism` subgraph as a process of
 * its own on a database of its own, checks its schema, publishes it to the registry with the CLI, and
 * the gateway serves it, joined with the other agencies' data, and lists it in the catalogue, and
 * the access ledger takes requests for its special-request field, with nothing restarted.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Catalogue } from '../schema/catalogue';
import { readAgency } from '../subgraphs/kit/agency';
import { databaseUrl, ensureDatabase } from '../subgraphs/kit/migrate';
import { loadAdministrativeUnits } from '../subgraphs/codes/data/administrative-units';
import { eventually, execute, official, startTestMesh, testServerUrl, TEST_SCALE, uniquePrefix, type TestMesh } from './support/mesh';

const root = join(__dirname, '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const SDL = 'subgraphs/tourism/schema.graphql';
const agency = readAgency('tourism');

let mesh: TestMesh;
let tourism: ChildProcess | undefined;
let tourismUrl: string;
let ownerUrl: string;
let keysDir: string;

/**
 * Starts `npm run subgraph -- tourism` (the same entry point) as its own process, on its own
 * database, trusting this mesh's identity provider and gateway, and resolves with its /graphql URL.
 */
async function startTourismProcess(): Promise<string> {
  keysDir = mkdtempSync(join(tmpdir(), 'lienthong-new-agency-'));
  const jwksPath = join(keysDir, 'jwks.json');
  writeFileSync(jwksPath, JSON.stringify(mesh.keys.jwks));
  const database = `${uniquePrefix()}tourism`;
  await ensureDatabase(testServerUrl(), database);
  ownerUrl = databaseUrl(testServerUrl(), database);
  const child = spawn(tsx, ['subgraphs/kit/run.ts', 'tourism'], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: ownerUrl,
      PORT: '0',
      SEED: 'true',
      SEED_SCALE: String(TEST_SCALE),
      LIENTHONG_JWKS: jwksPath,
      LIENTHONG_GATEWAY_SECRET: mesh.keys.gatewaySecret,
      ACCESS_LEDGER_URL: mesh.subgraphs.get('access')?.url ?? '',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  tourism = child;
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`tourism did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const url = /"url":"(http:\/\/[^"]+\/graphql)"/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tourism exited with ${code}:\n${output}`));
    });
  });
}

/** Runs `npm run schema -- <args>` as its own process; the mesh keeps serving meanwhile. */
async function schemaCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(tsx, ['schema/cli.ts', ...args], { cwd: root, env: { PATH: process.env['PATH'] ?? '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function catalogue(): Promise<Catalogue> {
  return (await (await fetch(`${mesh.gatewayUrl}/catalog.json`)).json()) as Catalogue;
}

beforeAll(async () => {
  mesh = await startTestMesh({ registry: true });
  tourismUrl = await startTourismProcess();
}, 180_000);

afterAll(async () => {
  if (tourism && tourism.exitCode === null) {
    const exited = new Promise((resolve) => tourism?.once('exit', resolve));
    tourism.kill('SIGTERM');
    await exited;
  }
  await mesh.stop();
  rmSync(keysDir, { recursive: true, force: true });
});

const SITE = '{ heritageSite(code: "DT-0001") { code name rank commune { code edition name } } }';
/** Tourism's special-request field: business information shared only under a grant. */
const REVENUE = 'AccommodationEstablishment.revenueLastYear';
const REQUEST_REVENUE = `mutation { requestAccess(input: { provider: "${agency.agencyCode}", fields: ["${REVENUE}"], purpose: "Thống kê doanh thu du lịch", legalBasis: "Nghị định 47/2020/NĐ-CP", validFrom: "2026-01-01" }) { id status fields } }`;
const ACCOMMODATION =
  '{ accommodation(recognitionNumber: "0001/LT") { recognitionNumber name kind operator { taxCode name } guestArrivalsLastYear } }';

it('walks a new agency from its own subgraph to the gateway and the catalogue, restarting nothing', async () => {
  const reader = { authorization: `Bearer ${await mesh.token(official('so-y-te'))}` };
  const gatewayBefore = mesh.gateway.currentVersion();

  // Before: the gateway knows nothing of tourism, and neither does the catalogue.
  const before = await execute(`${mesh.gatewayUrl}/graphql`, SITE, undefined, reader);
  expect({ status: before.status, codes: before.body.errors?.map((e) => e.extensions?.['code']) }).toEqual({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'] });
  expect((await catalogue()).agencies.map((a) => a.code)).not.toContain(agency.agencyCode);
  // Nor does the access ledger: tourism's special-request field cannot be requested yet.
  const consumer = { ...reader, 'x-purpose': encodeURIComponent('Thống kê doanh thu du lịch') };
  const unknown = await execute(`${mesh.gatewayUrl}/graphql`, REQUEST_REVENUE, undefined, consumer);
  expect({ data: unknown.body.data, errors: unknown.body.errors?.map((e) => ({ message: e.message, code: e.extensions?.['code'] })) }).toEqual({
    data: { requestAccess: null },
    errors: [
      {
        message: `Không chấp nhận các trường: ${REVENUE} không có trong đồ thị dữ liệu hợp nhất. (Fields refused: ${REVENUE} is not in the composed graph.)`,
        code: 'BAD_USER_INPUT',
      },
    ],
  });

  // The check passes against the graph the registry serves.
  const token = await mesh.token(official(agency.agencyCode, 'owner'));
  const check = await schemaCli('check', '--subgraph', 'tourism', '--sdl', SDL, '--registry', mesh.registryUrl ?? '', '--token', token);
  expect({ code: check.code, against: check.stderr, result: check.stdout.match(/Kết quả \(result\): .*/)?.[0] }).toEqual({
    code: 0,
    against: `So với siêu đồ thị hiện hành của sổ đăng ký tại ${mesh.registryUrl ?? ''} (checked against the registry's current supergraph).\n`,
    result: 'Kết quả (result): ĐẠT: có thể công bố (ok: may be published). Mã thoát (exit code) 0.',
  });

  // Another agency may not publish it; its own official may.
  const stranger = await schemaCli('publish', '--subgraph', 'tourism', '--sdl', SDL, '--url', tourismUrl, '--registry', mesh.registryUrl ?? '', '--token', await mesh.token(official('so-y-te', 'owner')));
  expect({ code: stranger.code, refused: /FORBIDDEN_AGENCY/.test(stranger.stderr) }).toEqual({ code: 1, refused: true });
  // The gateway's own URL is no subgraph's: a gateway that called it would call itself, again and again.
  const looped = await schemaCli('publish', '--subgraph', 'tourism', '--sdl', SDL, '--url', `${mesh.gatewayUrl}/graphql`, '--registry', mesh.registryUrl ?? '', '--token', token);
  expect({ code: looped.code, refused: /SUBGRAPH_UNREACHABLE/.test(looped.stderr) }).toEqual({ code: 1, refused: true });
  // Another agency's subgraph answers at its URL, refusing the probe as it refuses any call without
  // the gateway's proof; it names itself, so the mistake is refused before the gateway calls it.
  const citizensUrl = `${mesh.subgraphs.get('citizens')?.url ?? ''}/graphql`;
  const mistaken = await schemaCli('publish', '--subgraph', 'tourism', '--sdl', SDL, '--url', citizensUrl, '--registry', mesh.registryUrl ?? '', '--token', token);
  expect({ code: mistaken.code, refused: mistaken.stderr.match(/SUBGRAPH_MISMATCH.*/)?.[0] }).toEqual({
    code: 1,
    refused: expect.stringContaining('là của một subgraph khác, không phải "tourism"'),
  });
  const published = await schemaCli('publish', '--subgraph', 'tourism', '--sdl', SDL, '--url', tourismUrl, '--registry', mesh.registryUrl ?? '', '--token', token);
  expect({ code: published.code, stdout: published.stdout.trim() }).toEqual({ code: 0, stdout: expect.stringMatching(/^ĐÃ CÔNG BỐ \(published\): tourism v1; siêu đồ thị \(supergraph\) v2 [0-9a-f]{64}$/) });

  // The same gateway picks the new supergraph up.
  const started = Date.now();
  while (mesh.gateway.currentVersion() === gatewayBefore && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(mesh.gateway.currentVersion()).toMatch(/^registry-v2-/);

  // Tourism data, joined with the codes subgraph's commune names and the enterprises subgraph's names.
  const db = new pg.Client({ connectionString: ownerUrl });
  await db.connect();
  const site = await db.query<{ name: string; rank: string; commune_code: string }>(
    '/* firstSite */ SELECT name, rank, commune_code FROM heritage_sites WHERE code = $1',
    ['DT-0001'],
  );
  const stay = await db.query<{ name: string; kind: string; operator_tax_code: string; guest_arrivals_last_year: number; revenue_last_year: number | null }>(
    '/* firstAccommodation */ SELECT name, kind, operator_tax_code, guest_arrivals_last_year, revenue_last_year FROM accommodation_establishments WHERE recognition_number = $1',
    ['0001/LT'],
  );
  await db.end();
  const siteRow = site.rows[0];
  const stayRow = stay.rows[0];
  if (!siteRow || !stayRow) throw new Error('the tourism seed has no DT-0001 or 0001/LT');
  const commune = loadAdministrativeUnits().units.find((u) => u.edition === 'TWO_LEVEL' && u.code === siteRow.commune_code);
  const joinedSite = await execute(`${mesh.gatewayUrl}/graphql`, SITE, undefined, reader);
  expect(joinedSite.body).toEqual({
    data: { heritageSite: { code: 'DT-0001', name: siteRow.name, rank: siteRow.rank, commune: { code: siteRow.commune_code, edition: 'TWO_LEVEL', name: commune?.name } } },
  });
  expect(commune?.name).toEqual(expect.any(String));
  const operator = await execute<{ enterprise: { name: string } | null }, never>(
    `${mesh.gatewayUrl}/graphql`,
    `{ enterprise(taxCode: "${stayRow.operator_tax_code}") { name } }`,
    undefined,
    reader,
  );
  const joined = await execute(`${mesh.gatewayUrl}/graphql`, ACCOMMODATION, undefined, reader);
  expect(joined.body).toEqual({
    data: {
      accommodation: {
        recognitionNumber: '0001/LT',
        name: stayRow.name,
        kind: stayRow.kind,
        operator: { taxCode: stayRow.operator_tax_code, name: operator.body.data?.enterprise?.name },
        guestArrivalsLastYear: stayRow.guest_arrivals_last_year,
      },
    },
  });
  expect(operator.body.data?.enterprise?.name).toEqual(expect.any(String));

  // The access ledger follows the registry too: the special-request field may be requested at
  // once, the agency approves, and the consumer reads it under the grant, nothing restarted.
  const request = await eventually(5000, async () => {
    const answer = await execute<{ requestAccess: { id: string; status: string; fields: string[] } }, never>(`${mesh.gatewayUrl}/graphql`, REQUEST_REVENUE, undefined, consumer);
    return answer.body.data?.requestAccess ?? undefined;
  });
  expect({ status: request.status, fields: request.fields }).toEqual({ status: 'PENDING', fields: [REVENUE] });
  const revenueOf = async () => {
    const answer = await execute<{ accommodation: { revenueLastYear: number | null } | null }, never>(
      `${mesh.gatewayUrl}/graphql`,
      '{ accommodation(recognitionNumber: "0001/LT") { revenueLastYear } }',
      undefined,
      consumer,
    );
    return { revenue: answer.body.data?.accommodation?.revenueLastYear ?? null, reason: answer.body.errors?.[0]?.extensions?.['reason'] ?? null };
  };
  expect(await revenueOf()).toEqual({ revenue: null, reason: 'NO_GRANT' });
  const owner = { authorization: `Bearer ${token}` };
  const approved = await execute(`${mesh.gatewayUrl}/graphql`, `mutation { approveRequest(id: "${request.id}") { status } }`, undefined, owner);
  expect(approved.body).toEqual({ data: { approveRequest: { status: 'APPROVED' } } });
  const granted = await eventually(5000, async () => {
    const answer = await revenueOf();
    return answer.revenue === null ? undefined : answer;
  });
  expect(granted).toEqual({ revenue: stayRow.revenue_last_year, reason: null });
  expect(stayRow.revenue_last_year).toEqual(expect.any(Number));

  // The gateway's own routes follow the served supergraph as well: /health reports the new agency's
  // readiness, and its officials read its disclosure log through the gateway, the read just made in it.
  const health = (await (await fetch(`${mesh.gatewayUrl}/health`)).json()) as { subgraphs: Array<{ subgraph: string; agency: string; status: string }> };
  expect(health.subgraphs).toContainEqual({ subgraph: 'tourism', agency: agency.name, status: 'ready' });
  const log = await fetch(`${mesh.gatewayUrl}/disclosure-log?subgraph=tourism&consumer=so-y-te&field=${REVENUE}`, { headers: owner });
  expect(log.status).toBe(200);
  const { records } = (await log.json()) as { records: Array<{ consumer_agency: string; fields: Array<{ field: string }> }> };
  expect(records.length).toBeGreaterThan(0);
  expect(records[0]).toMatchObject({ consumer_agency: 'so-y-te', fields: expect.arrayContaining([expect.objectContaining({ field: REVENUE })]) });

  // A later version is checked against what is now published, not the committed files: dropping
  // the revenue field breaks the grant just made, which the offline check cannot know. It would wait
  // for governance (exit 3), the report naming the grant's holder, which the registry read from the
  // access ledger: nobody told it.
  const withoutRevenue = join(keysDir, 'tourism-without-revenue.graphql');
  writeFileSync(withoutRevenue, readFileSync(join(root, SDL), 'utf8').split('\n').filter((line) => !/revenueLastYear|Doanh thu năm trước/.test(line)).join('\n'));
  const breaking = await schemaCli('check', '--subgraph', 'tourism', '--sdl', withoutRevenue, '--registry', mesh.registryUrl ?? '', '--token', token);
  expect({
    code: breaking.code,
    removed: /FIELD_REMOVED {2}AccommodationEstablishment\.revenueLastYear\n.*\n {7}Bên đang dùng \(consumers using it\): so-y-te\./.test(breaking.stdout),
    from: /Consumers from the access ledger as of \S+: grant holders, and agencies that read the fields since /.test(breaking.stdout),
  }).toEqual({ code: 3, removed: true, from: true });
  // Whom a change breaks is the owning agency's and governance's to read: another agency's official
  // checking the same proposal is told nothing of who reads what.
  const stranger2 = await schemaCli('check', '--subgraph', 'tourism', '--sdl', withoutRevenue, '--registry', mesh.registryUrl ?? '', '--token', await mesh.token(official('so-xay-dung')));
  expect({
    code: stranger2.code,
    named: /consumers using it/.test(stranger2.stdout),
    note: /\(Consumers are named to the owning agency and governance only\.\)/.test(stranger2.stdout),
  }).toEqual({ code: 3, named: false, note: true });
  const offline = await schemaCli('check', '--subgraph', 'tourism', '--sdl', withoutRevenue, '--offline');
  expect({ code: offline.code, removed: /revenueLastYear/.test(offline.stdout) }).toEqual({ code: 0, removed: false });

  // The open endpoint serves its OPEN fields, and nothing else.
  const open = await execute(`${mesh.gatewayUrl}/open/graphql`, '{ heritageSite(code: "DT-0001") { name } accommodation(recognitionNumber: "0001/LT") { guestArrivalsLastYear } }');
  expect(open.body.errors?.map((e) => e.message)).toEqual(['Truy vấn không khớp lược đồ (Cannot query field "guestArrivalsLastYear" on type "AccommodationEstablishment".)']);

  // The catalogue lists the agency, its contact officer, its datasets and every field's category.
  const listed = (await catalogue()).agencies.find((a) => a.code === agency.agencyCode);
  const database = listed?.databases.find((d) => d.subgraph === 'tourism');
  expect({ agency: listed?.name, database: database?.name, contact: database?.contact }).toEqual({
    agency: 'Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk',
    database: agency.name,
    contact: { name: 'Đầu mối dữ liệu văn hóa, du lịch', title: 'Phòng Quản lý Du lịch', email: 'dulieudulich@example.invalid', phone: '0262 000 0107' },
  });
  const fields = (dataset: string) => database?.datasets.find((d) => d.name === dataset)?.fields.map((f) => `${f.name}:${f.category}${f.personal ? ':personal' : ''}`);
  expect({ HeritageSite: fields('HeritageSite'), AccommodationEstablishment: fields('AccommodationEstablishment'), Query: fields('Query') }).toEqual({
    HeritageSite: ['code:OPEN', 'commune:OPEN', 'kind:OPEN', 'name:OPEN', 'rank:OPEN', 'rankedOn:OPEN'],
    AccommodationEstablishment: [
      'addressLine:OPEN',
      'commune:OPEN',
      'guestArrivalsLastYear:DEFAULT',
      'kind:OPEN',
      'name:OPEN',
      'operator:DEFAULT',
      'recognitionNumber:OPEN',
      'revenueLastYear:SPECIAL_REQUEST',
      'rooms:OPEN',
      'stars:OPEN',
    ],
    Query: ['accommodation:OPEN', 'accommodations:OPEN', 'heritageSite:OPEN', 'heritageSites:OPEN'],
  });
  expect(database?.datasets.find((d) => d.name === 'HeritageSite')?.description).toBe(
    'Di tích đã được xếp hạng, trong sổ di tích do Sở Văn hóa, Thể thao và Du lịch quản lý (a ranked heritage site).',
  );
  const page = await (await fetch(`${mesh.gatewayUrl}/catalog`)).text();
  expect(page).toContain(`Đầu mối: Đầu mối dữ liệu văn hóa, du lịch, Phòng Quản lý Du lịch · <a href="mailto:dulieudulich@example.invalid">`);
}, 120_000);
