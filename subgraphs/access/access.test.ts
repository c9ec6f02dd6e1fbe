/**
 * The access ledger's workflow, at unit level: the subgraph schema is executed in-process (no
 * gateway, no sharing rules) with a caller and a clock chosen by each test, on a real PostgreSQL
 * database of this file's own. The providers' service route is tested over real HTTP.
 */
import { join } from 'node:path';
import { execute, parse } from 'graphql';
import { SignJWT } from 'jose';
import pino from 'pino';
import { z } from 'zod';
import { generateDevKeys, DEV_AUDIENCE, DEV_ISSUER, type DevKeys } from '../../scripts/dev-keys';
import { testServerUrl, uniquePrefix } from '../../test/support/mesh';
import { Database, statement } from '../kit/db';
import { NO_GRANTS } from '../kit/grants';
import { createHttpServer, close, listen } from '../kit/http';
import { createTokenVerifier, gatewayProofSecret, type Caller } from '../kit/identity';
import { databaseUrl, ensureDatabase, migrate } from '../kit/migrate';
import { buildSchema, startSubgraph, type RunningSubgraph } from '../kit/server';
import { decisionDueAt } from './calendar';
import { committedCatalogue, FollowedCatalogue } from './catalogue';
import { composeSupergraph, localSubgraphSources } from '../../schema/compose';
import { registryReaderSecret, servedSupergraphFeed } from '../../schema/registry/gateway-feed';
import {
  deliverDisclosures,
  fetchFieldConsumers,
  fetchUsableGrants,
  FIELD_CONSUMERS_PATH,
  fieldConsumersSecret,
  GRANTS_PATH,
  LedgerUnavailableError,
  ledgerReaderSecret,
  REGISTRY_ISSUER,
  signLedgerReaderToken,
} from './client';
import { grantsRoute } from './internal-grants';
import { seedAccess } from './seed';
import { accessLedger } from './server';

let clock = new Date();
/** Sets the ledger's clock to a Vietnamese wall-clock time, e.g. at('2026-03-02 09:00'). */
function at(local: string): void {
  clock = new Date(`${local.replace(' ', 'T')}:00+07:00`);
}

/** Fields a test takes out of the graph, as a later publish may. */
const leftTheGraph = new Set<string>();
const definition = accessLedger({
  now: () => clock,
  catalogue: () => {
    const committed = committedCatalogue();
    return {
      field: (coordinate) => (leftTheGraph.has(coordinate) ? undefined : committed.field(coordinate)),
      fieldsOwnedBy: (agency) => committed.fieldsOwnedBy(agency).filter((coordinate) => !leftTheGraph.has(coordinate)),
    };
  },
});
const schema = buildSchema(definition);
let db: Database;
let dbUrl: string;

const officialOf = (agency: string, role: 'official' | 'owner' | 'governance' = 'official'): Caller => ({
  kind: 'official',
  officialId: `${agency}.${role}`,
  agency,
  roles: [role],
});
const citizenWith = (personalId: string): Caller => ({ kind: 'citizen', personalId });
const ANONYMOUS: Caller = { kind: 'anonymous' };
const SO_Y_TE = officialOf('so-y-te');
const LAND_OWNER = officialOf('so-nn-mt', 'owner');
const GOVERNANCE = officialOf('so-khcn', 'governance');
const UUID = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

interface Response {
  readonly operation: string;
  readonly body: { data: unknown; errors?: Array<{ message: string; path?: unknown; extensions?: Record<string, unknown> }> };
}

/** Executes `operation` as `caller` against the subgraph schema, with a fresh per-request context. */
async function run(caller: Caller, operation: string, variables: Record<string, unknown> = {}): Promise<Response> {
  const result = await execute({
    schema,
    document: parse(operation),
    variableValues: variables,
    contextValue: definition.createContext({ requestId: 'test', db, caller, purpose: null, lang: 'vi', grants: NO_GRANTS, decisions: new Map() }),
  });
  const errors = result.errors?.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions }));
  return { operation, body: JSON.parse(JSON.stringify({ data: result.data ?? null, ...(errors ? { errors } : {}) })) as Response['body'] };
}

/** Asserts the whole response; on failure prints the operation and what came back. */
function expectResponse(response: Response, expected: Response['body']): void {
  try {
    expect(response.body).toEqual(expected);
  } catch (error) {
    if (error instanceof Error) error.message += `\n--- operation:\n${response.operation}\n--- response:\n${JSON.stringify(response.body, null, 2)}`;
    throw error;
  }
}

/** The data of a response that must have succeeded. */
function dataOf<T>(response: Response, shape: z.ZodType<T>): T {
  expectResponse(response, { data: response.body.data });
  return shape.parse(response.body.data);
}

const REQUEST = `
  mutation Request($input: RequestAccessInput!) {
    requestAccess(input: $input) { id status consumer { code name } provider { code name } requestedBy fields validFrom validUntil
      submittedAt decisionDueAt overdue decidedAt decidedBy decisionReason grant { id } }
  }`;
const APPROVE = `
  mutation Approve($id: ID!, $validUntil: Date) {
    approveRequest(id: $id, validUntil: $validUntil) { status decidedAt decidedBy grant { status usable validFrom validUntil } }
  }`;
const REFUSE = 'mutation Refuse($id: ID!, $reason: String!) { refuseRequest(id: $id, reason: $reason) { status decidedBy decisionReason grant { id } } }';
const TRANSITION = (action: 'suspend' | 'resume' | 'terminate') =>
  `mutation Transition($id: ID!, $reason: String!) { ${action}Grant(id: $id, reason: $reason) { status usable statusReason } }`;
const NOTIFICATIONS = 'query Notifications { notifications { nodes { kind message request { status } grant { status } readAt } } }';

const holderRequest = (overrides: Record<string, unknown> = {}) => ({
  provider: 'so-nn-mt',
  fields: ['LandUseCertificate.holder'],
  purpose: 'Xác minh người sử dụng đất khi cấp phép cơ sở khám bệnh',
  legalBasis: 'Nghị định 47/2020/NĐ-CP, Điều 14',
  validFrom: '2026-03-02',
  validUntil: '2026-06-30',
  ...overrides,
});

/** Submits a request from Sở Y tế to Sở NN&MT and returns its id. */
async function submitted(overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await run(SO_Y_TE, REQUEST, { input: holderRequest(overrides) });
  return dataOf(response, z.object({ requestAccess: z.object({ id: z.string() }) })).requestAccess.id;
}

/** Submits and approves a request; returns the grant id. */
async function granted(overrides: Record<string, unknown> = {}): Promise<string> {
  const id = await submitted(overrides);
  const response = await run(LAND_OWNER, 'mutation A($id: ID!) { approveRequest(id: $id) { grant { id } } }', { id });
  return dataOf(response, z.object({ approveRequest: z.object({ grant: z.object({ id: z.string() }) }) })).approveRequest.grant.id;
}

const truncate = statement('truncateLedger', 'TRUNCATE access_requests, grants, grant_events, notifications, consents, disclosures, field_readers', z.unknown());

beforeAll(async () => {
  const name = `${uniquePrefix()}access`;
  await ensureDatabase(testServerUrl(), name);
  dbUrl = databaseUrl(testServerUrl(), name);
  await migrate(dbUrl, join(__dirname, 'migrations'));
  db = new Database('access', { connectionString: dbUrl, max: 4, statementTimeoutMs: 5000, connectTimeoutMs: 3000 });
});

afterAll(async () => {
  await db.close();
});

beforeEach(async () => {
  await db.many(truncate);
  at('2026-03-02 09:00'); // a Monday
});

describe('the special-request workflow (unit level, in-process)', () => {
  it('records a request from the caller\'s agency and puts it in the provider\'s inbox, notifying the provider', async () => {
    expectResponse(await run(SO_Y_TE, REQUEST, { input: holderRequest() }), {
      data: {
        requestAccess: {
          id: UUID,
          status: 'PENDING',
          consumer: { code: 'so-y-te', name: 'Sở Y tế tỉnh Đắk Lắk' },
          provider: { code: 'so-nn-mt', name: 'Sở Nông nghiệp và Môi trường tỉnh Đắk Lắk' },
          requestedBy: 'so-y-te.official',
          fields: ['LandUseCertificate.holder'],
          validFrom: '2026-03-02',
          validUntil: '2026-06-30',
          submittedAt: '2026-03-02T02:00:00.000Z',
          decisionDueAt: '2026-03-04T17:00:00.000Z', // end of Wednesday, Vietnam time
          overdue: false,
          decidedAt: null,
          decidedBy: null,
          decisionReason: null,
          grant: null,
        },
      },
    });
    expectResponse(await run(LAND_OWNER, 'query { inbox(status: PENDING) { nodes { consumer { code } fields status } pageInfo { hasNextPage } } }'), {
      data: { inbox: { nodes: [{ consumer: { code: 'so-y-te' }, fields: ['LandUseCertificate.holder'], status: 'PENDING' }], pageInfo: { hasNextPage: false } } },
    });
    expectResponse(await run(SO_Y_TE, 'query { myRequests { nodes { provider { code } status } } inbox { nodes { id } } }'), {
      data: { myRequests: { nodes: [{ provider: { code: 'so-nn-mt' }, status: 'PENDING' }] }, inbox: { nodes: [] } },
    });
    expectResponse(await run(LAND_OWNER, NOTIFICATIONS), {
      data: {
        notifications: {
          nodes: [
            {
              kind: 'REQUEST_SUBMITTED',
              message:
                'Sở Y tế tỉnh Đắk Lắk yêu cầu khai thác LandUseCertificate.holder từ 2026-03-02 đến 2026-06-30; hạn quyết định 2026-03-04T17:00:00.000Z. ' +
                '(New special-request access request from so-y-te for LandUseCertificate.holder; decision due 2026-03-04T17:00:00.000Z.)',
              request: { status: 'PENDING' },
              grant: null,
              readAt: null,
            },
          ],
        },
      },
    });
  });

  it('approves a pending request into a grant with its window, and notifies the consumer at once', async () => {
    const id = await submitted({ validUntil: null });
    at('2026-03-03 10:30');
    expectResponse(await run(LAND_OWNER, APPROVE, { id, validUntil: '2026-12-31' }), {
      data: {
        approveRequest: {
          status: 'APPROVED',
          decidedAt: '2026-03-03T03:30:00.000Z',
          decidedBy: 'so-nn-mt.owner',
          grant: { status: 'ACTIVE', usable: true, validFrom: '2026-03-02', validUntil: '2026-12-31' },
        },
      },
    });
    expectResponse(await run(SO_Y_TE, NOTIFICATIONS), {
      data: {
        notifications: {
          nodes: [
            {
              kind: 'REQUEST_APPROVED',
              message:
                'Sở Nông nghiệp và Môi trường tỉnh Đắk Lắk đã phê duyệt yêu cầu khai thác LandUseCertificate.holder, hiệu lực từ 2026-03-02 đến 2026-12-31. ' +
                '(Your request for LandUseCertificate.holder was approved, valid from 2026-03-02 to 2026-12-31.)',
              request: { status: 'APPROVED' },
              grant: { status: 'ACTIVE' },
              readAt: null,
            },
          ],
        },
      },
    });
  });

  it('keeps an open-ended window open when the provider approves without an end date (Art. 14.5)', async () => {
    const id = await submitted({ validUntil: null });
    expectResponse(await run(LAND_OWNER, APPROVE, { id }), {
      data: {
        approveRequest: {
          status: 'APPROVED',
          decidedAt: '2026-03-02T02:00:00.000Z',
          decidedBy: 'so-nn-mt.owner',
          grant: { status: 'ACTIVE', usable: true, validFrom: '2026-03-02', validUntil: null },
        },
      },
    });
  });

  it('takes the same request sent again while the first waits as that request, even sent at once; another purpose is another request', async () => {
    const first = await submitted({ purpose: 'Gửi lại khi mạng chập chờn (a retry)' });
    expect(await submitted({ purpose: 'Gửi lại khi mạng chập chờn (a retry)', fields: ['LandUseCertificate.holder'] })).toBe(first);
    const together = await Promise.all(Array.from({ length: 5 }, () => submitted({ purpose: 'Năm lần bấm cùng lúc (five clicks at once)' })));
    expect(new Set(together).size).toBe(1);
    expect(together[0]).not.toBe(first);
    expect(await submitted({ purpose: 'Một mục đích khác (another purpose)' })).not.toBe(first);
    const inbox = await run(LAND_OWNER, '{ inbox(status: PENDING, first: 100) { nodes { id } } }');
    const ids = (inbox.body.data as { inbox: { nodes: Array<{ id: string }> } }).inbox.nodes.map((n) => n.id);
    expect(ids.filter((id) => id === first)).toHaveLength(1);
    expect(ids.filter((id) => id === together[0])).toHaveLength(1);
  });

  it("lets the consumer withdraw a pending request of its own, telling the provider; no one else may, and a decided one stays", async () => {
    at('2026-03-02 09:00');
    const id = await submitted({ purpose: 'Gửi nhầm (sent by mistake)' });
    const WITHDRAW = 'mutation W($id: ID!, $reason: String) { withdrawRequest(id: $id, reason: $reason) { status decidedBy decisionReason grant { id } } }';
    // The provider refuses instead; another agency does not see the request at all.
    const byProvider = await run(LAND_OWNER, WITHDRAW, { id });
    expect(byProvider.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const byStranger = await run(officialOf('so-xay-dung'), WITHDRAW, { id });
    expect(byStranger.body.errors?.[0]?.message).toMatch(/No such request/);
    at('2026-03-02 10:00');
    expectResponse(await run(SO_Y_TE, WITHDRAW, { id, reason: 'Đã có dữ liệu từ nguồn khác (no longer needed).' }), {
      data: { withdrawRequest: { status: 'WITHDRAWN', decidedBy: 'so-y-te.official', decisionReason: 'Đã có dữ liệu từ nguồn khác (no longer needed).', grant: null } },
    });
    const notices = await run(LAND_OWNER, '{ notifications(first: 5) { nodes { kind message request { id status } } } }');
    const first = (notices.body.data as { notifications: { nodes: Array<{ kind: string; message: string; request: { id: string; status: string } | null }> } }).notifications.nodes[0];
    expect(first).toMatchObject({ kind: 'REQUEST_WITHDRAWN', request: { id, status: 'WITHDRAWN' } });
    expect(first?.message).toContain('Đã có dữ liệu từ nguồn khác');
    // Decided now: it can be neither withdrawn again nor approved.
    expect((await run(SO_Y_TE, WITHDRAW, { id })).body.errors?.[0]?.extensions).toMatchObject({ code: 'WRONG_STATE', state: 'WITHDRAWN' });
    expect((await run(LAND_OWNER, APPROVE, { id })).body.errors?.[0]?.extensions).toMatchObject({ code: 'WRONG_STATE', state: 'WITHDRAWN' });
  });

  it('refuses a request only with a reason, which the consumer receives', async () => {
    const id = await submitted();
    expectResponse(await run(LAND_OWNER, REFUSE, { id, reason: '   ' }), {
      data: { refuseRequest: null },
      errors: [{ message: 'Cần nêu lý do từ chối. (A refusal reason is required.)', path: ['refuseRequest'], extensions: { code: 'BAD_USER_INPUT', argument: 'reason' } }],
    });
    // A reason the consumer would read in another order (a bidirectional override), or with a control character, is refused.
    for (const reason of ['Dòng 1\nDòng 2 \u202eđảo', 'Chuông \u0007']) {
      const refused = await run(LAND_OWNER, REFUSE, { id, reason });
      expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'reason' });
      expect(refused.body.errors?.[0]?.message).toMatch(/U\+(202E|0007)/);
    }
    expectResponse(await run(LAND_OWNER, REFUSE, { id, reason: 'Chưa có văn bản giao nhiệm vụ.' }), {
      data: { refuseRequest: { status: 'REFUSED', decidedBy: 'so-nn-mt.owner', decisionReason: 'Chưa có văn bản giao nhiệm vụ.', grant: null } },
    });
    expectResponse(await run(SO_Y_TE, NOTIFICATIONS), {
      data: {
        notifications: {
          nodes: [
            {
              kind: 'REQUEST_REFUSED',
              message:
                'Sở Nông nghiệp và Môi trường tỉnh Đắk Lắk đã từ chối yêu cầu khai thác LandUseCertificate.holder. Lý do: Chưa có văn bản giao nhiệm vụ. ' +
                '(Your request for LandUseCertificate.holder was refused; reason above.)',
              request: { status: 'REFUSED' },
              grant: null,
              readAt: null,
            },
          ],
        },
      },
    });
  });

  it('decides a request only once, saying the state it is in', async () => {
    const id = await submitted();
    dataOf(await run(LAND_OWNER, REFUSE, { id, reason: 'Ngoài phạm vi.' }), z.unknown());
    expectResponse(await run(LAND_OWNER, APPROVE, { id }), {
      data: { approveRequest: null },
      errors: [
        {
          message: 'Yêu cầu đã ở trạng thái REFUSED; chỉ yêu cầu PENDING mới được quyết định. (The request is already REFUSED; only a PENDING request can be decided.)',
          path: ['approveRequest'],
          extensions: { code: 'WRONG_STATE', argument: 'id', state: 'REFUSED' },
        },
      ],
    });
  });

  it('lets only an owner of the provider decide: another agency\'s owner, the provider\'s plain official and a citizen are refused', async () => {
    const id = await submitted();
    const refusals = [
      [officialOf('so-y-te', 'owner'), 'Chỉ bên cung cấp (so-nn-mt) được quyết định; cơ quan của bạn là so-y-te. (Only the provider (so-nn-mt) may decide; your agency is so-y-te.)', { provider: 'so-nn-mt' }],
      [officialOf('so-nn-mt'), 'Cần vai trò owner (chủ quản dữ liệu) của so-nn-mt để quyết định. (The owner role of so-nn-mt is required to decide.)', { provider: 'so-nn-mt', requiredRole: 'owner' }],
      [citizenWith('054090000123'), 'Chỉ cán bộ của cơ quan nhà nước được thực hiện thao tác này. (Only state agency officials may do this.)', {}],
    ] as const;
    for (const [caller, message, extensions] of refusals) {
      expectResponse(await run(caller, APPROVE, { id }), {
        data: { approveRequest: null },
        errors: [{ message, path: ['approveRequest'], extensions: { code: 'FORBIDDEN', ...extensions } }],
      });
    }
    expectResponse(await run(SO_Y_TE, 'query Q($id: ID!) { accessRequest(id: $id) { status } }', { id }), { data: { accessRequest: { status: 'PENDING' } } });
  });

  it('answers an agency that is no party to a request as if it did not exist, as accessRequest(id) does', async () => {
    const id = await submitted();
    const outsider = officialOf('so-vhttdl', 'owner');
    expectResponse(await run(outsider, APPROVE, { id }), {
      data: { approveRequest: null },
      errors: [{ message: 'Không tìm thấy yêu cầu. (No such request.)', path: ['approveRequest'], extensions: { code: 'BAD_USER_INPUT', argument: 'id' } }],
    });
    expectResponse(await run(outsider, 'query Q($id: ID!) { accessRequest(id: $id) { status } }', { id }), { data: { accessRequest: null } });
  });

  it('refuses a request naming a field that is not SPECIAL_REQUEST, unknown, or another provider\'s, naming each field and why', async () => {
    const fields = ['LandUseCertificate.serial', 'Citizen.ethnicGroup', 'LandUseCertificate.owner', 'holder', 'LandUseCertificate.holder'];
    expectResponse(await run(SO_Y_TE, REQUEST, { input: holderRequest({ fields }) }), {
      data: { requestAccess: null },
      errors: [
        {
          message:
            'Không chấp nhận các trường: LandUseCertificate.serial thuộc nhóm DEFAULT, không phải chia sẻ theo yêu cầu riêng; ' +
            'Citizen.ethnicGroup do cong-an quản lý, không phải so-nn-mt; LandUseCertificate.owner không có trong đồ thị dữ liệu hợp nhất; ' +
            'holder không đúng dạng Type.field. (Fields refused: LandUseCertificate.serial is DEFAULT, not SPECIAL_REQUEST; ' +
            'Citizen.ethnicGroup is owned by cong-an, not so-nn-mt; LandUseCertificate.owner is not in the composed graph; holder is not of the form Type.field.)',
          path: ['requestAccess'],
          extensions: {
            code: 'BAD_USER_INPUT',
            argument: 'input.fields',
            problems: [
              { field: 'LandUseCertificate.serial', reason: 'NOT_SPECIAL_REQUEST', category: 'DEFAULT' },
              { field: 'Citizen.ethnicGroup', reason: 'OTHER_PROVIDER', category: 'SPECIAL_REQUEST', owners: ['cong-an'] },
              { field: 'LandUseCertificate.owner', reason: 'UNKNOWN_FIELD' },
              { field: 'holder', reason: 'MALFORMED' },
            ],
          },
        },
      ],
    });
    expectResponse(await run(SO_Y_TE, 'query { myRequests { nodes { id } } }'), { data: { myRequests: { nodes: [] } } });
  });

  it("refuses a request naming the ledger's own fields, which no grant opens", async () => {
    // PageInfo's fields are resolved by every subgraph, the ledger among them: not the ledger's own.
    const response = await run(SO_Y_TE, REQUEST, { input: holderRequest({ provider: 'so-khcn', fields: ['Mutation.giveConsent', 'Query.myDisclosures', 'PageInfo.endCursor'] }) });
    expect(response.body).toMatchObject({
      data: { requestAccess: null },
      errors: [{
        extensions: {
          code: 'BAD_USER_INPUT',
          argument: 'input.fields',
          problems: [
            { field: 'Mutation.giveConsent', reason: 'LEDGER_FIELD' },
            { field: 'Query.myDisclosures', reason: 'LEDGER_FIELD' },
            { field: 'PageInfo.endCursor', reason: 'NOT_SPECIAL_REQUEST' },
          ],
        },
      }],
    });
    expect(response.body.errors?.[0]?.message).toContain("Mutation.giveConsent is the access ledger's own, which no grant or consent opens");
  });

  it('refuses a request with a window that ends before it starts or has passed, a blank purpose or legal basis, or an unknown provider or its own agency as provider', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ validFrom: '2026-05-01', validUntil: '2026-04-30' }, 'Ngày kết thúc 2026-04-30 trước ngày bắt đầu 2026-05-01. (validUntil 2026-04-30 is before validFrom 2026-05-01.)', 'input.validUntil'],
      [{ validFrom: '2026-01-01', validUntil: '2026-03-01' }, 'Ngày kết thúc 2026-03-01 đã qua (hôm nay 2026-03-02). (validUntil 2026-03-01 has already passed; today is 2026-03-02.)', 'input.validUntil'],
      [{ purpose: ' ' }, 'Cần nêu mục đích khai thác. (A purpose is required.)', 'input.purpose'],
      [{ legalBasis: '' }, 'Cần nêu căn cứ pháp lý. (A legal basis is required.)', 'input.legalBasis'],
      [{ provider: 'so-khong-co' }, 'Không có cơ quan mã "so-khong-co" trong danh bạ. (Unknown agency "so-khong-co": give the code of an agency, e.g. cong-an.)', 'input.provider'],
      [
        { provider: 'so-y-te' },
        'provider là chính cơ quan của bạn (so-y-te): dữ liệu của mình thì không cần yêu cầu; hãy nêu cơ quan cung cấp các trường này. (provider names your own agency, so-y-te: an agency needs no request for its own data; name the agency that provides these fields.)',
        'input.provider',
      ],
    ];
    for (const [overrides, message, argument] of cases) {
      expectResponse(await run(SO_Y_TE, REQUEST, { input: holderRequest(overrides) }), {
        data: { requestAccess: null },
        errors: [{ message, path: ['requestAccess'], extensions: { code: 'BAD_USER_INPUT', argument } }],
      });
    }
  });

  it('takes requests only from officials: a citizen and an anonymous caller are refused', async () => {
    for (const caller of [citizenWith('054090000123'), ANONYMOUS]) {
      expectResponse(await run(caller, REQUEST, { input: holderRequest() }), {
        data: { requestAccess: null },
        errors: [{ message: 'Chỉ cán bộ của cơ quan nhà nước được thực hiện thao tác này. (Only state agency officials may do this.)', path: ['requestAccess'], extensions: { code: 'FORBIDDEN' } }],
      });
    }
  });

  it('flags a request overdue after 2 working days, skipping the weekend, and keeps the flag when it is decided late', async () => {
    at('2026-03-06 10:00'); // a Friday: Monday and Tuesday count, the decision is due by the end of Tuesday
    const id = await submitted({ validFrom: '2026-03-09' });
    const OVERDUE = 'query Q($id: ID!) { accessRequest(id: $id) { decisionDueAt overdue } }';
    at('2026-03-10 23:59');
    expectResponse(await run(SO_Y_TE, OVERDUE, { id }), { data: { accessRequest: { decisionDueAt: '2026-03-10T17:00:00.000Z', overdue: false } } });
    at('2026-03-11 00:00');
    expectResponse(await run(SO_Y_TE, OVERDUE, { id }), { data: { accessRequest: { decisionDueAt: '2026-03-10T17:00:00.000Z', overdue: true } } });
    dataOf(await run(LAND_OWNER, APPROVE, { id }), z.unknown());
    at('2026-03-20 09:00');
    expectResponse(await run(SO_Y_TE, OVERDUE, { id }), { data: { accessRequest: { decisionDueAt: '2026-03-10T17:00:00.000Z', overdue: true } } });
  });

  it('counts the deadline from the day after receipt, in Vietnam time, Monday to Friday', () => {
    const due = (local: string) => decisionDueAt(new Date(`${local}+07:00`)).toISOString();
    expect({
      mondayMorning: due('2026-03-02T08:00:00'),
      mondayLate: due('2026-03-02T23:30:00'), // still Monday in Đắk Lắk, already Monday 16:30 UTC
      thursday: due('2026-03-05T15:00:00'),
      saturday: due('2026-03-07T09:00:00'),
      sunday: due('2026-03-08T09:00:00'),
    }).toEqual({
      mondayMorning: '2026-03-04T17:00:00.000Z', // Tue, Wed → end of Wednesday
      mondayLate: '2026-03-04T17:00:00.000Z',
      thursday: '2026-03-09T17:00:00.000Z', // Fri, Mon → end of Monday
      saturday: '2026-03-10T17:00:00.000Z', // Mon, Tue → end of Tuesday
      sunday: '2026-03-10T17:00:00.000Z',
    });
  });
});

describe('a request whose field left the graph before the decision', () => {
  afterEach(() => leftTheGraph.clear());

  it('cannot be approved (no grant for a field nobody serves), and stays pending for a refusal with a reason', async () => {
    at('2026-03-02 09:00');
    const id = await submitted();
    leftTheGraph.add('LandUseCertificate.holder');
    const approving = await run(LAND_OWNER, APPROVE, { id });
    expect(approving.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
    expect(approving.body.errors?.[0]?.message).toMatch(/LandUseCertificate\.holder is not in the composed graph/);
    const refusing = await run(LAND_OWNER, REFUSE, { id, reason: 'Trường không còn được cung cấp (the field is no longer served).' });
    expect(refusing.body.errors).toBeUndefined();
    expect(refusing.body.data).toMatchObject({ refuseRequest: { status: 'REFUSED', grant: null } });
  });
});

describe('grants', () => {
  const GRANT = 'query G($id: ID!) { grant(id: $id) { status usable statusReason history { fromStatus toStatus actor actorAgency { code } reason at } } }';

  it('answers an agency that is no party to a grant as if it did not exist', async () => {
    const id = await granted();
    expectResponse(await run(officialOf('so-vhttdl', 'owner'), TRANSITION('suspend'), { id, reason: 'Thử.' }), {
      data: { suspendGrant: null },
      errors: [{ message: 'Không tìm thấy quyền khai thác. (No such grant.)', path: ['suspendGrant'], extensions: { code: 'BAD_USER_INPUT', argument: 'id' } }],
    });
  });

  it('suspends, resumes and terminates a grant, each with a reason, auditing and notifying every transition', async () => {
    const id = await granted();
    at('2026-03-02 10:00');
    expectResponse(await run(LAND_OWNER, TRANSITION('suspend'), { id, reason: '' }), {
      data: { suspendGrant: null },
      errors: [{ message: 'Cần nêu lý do. (A reason is required.)', path: ['suspendGrant'], extensions: { code: 'BAD_USER_INPUT', argument: 'reason' } }],
    });
    expectResponse(await run(LAND_OWNER, TRANSITION('suspend'), { id, reason: 'Nghi vượt phạm vi mục đích.' }), {
      data: { suspendGrant: { status: 'SUSPENDED', usable: false, statusReason: 'Nghi vượt phạm vi mục đích.' } },
    });
    expectResponse(await run(LAND_OWNER, TRANSITION('suspend'), { id, reason: 'Lần nữa.' }), {
      data: { suspendGrant: null },
      errors: [{ message: 'Không thể tạm dừng quyền đang ở trạng thái SUSPENDED. (Cannot suspend a grant that is SUSPENDED.)', path: ['suspendGrant'], extensions: { code: 'WRONG_STATE', argument: 'id', state: 'SUSPENDED' } }],
    });
    at('2026-03-02 11:00');
    expectResponse(await run(LAND_OWNER, TRANSITION('resume'), { id, reason: 'Đã giải trình.' }), {
      data: { resumeGrant: { status: 'ACTIVE', usable: true, statusReason: 'Đã giải trình.' } },
    });
    at('2026-03-02 12:00');
    expectResponse(await run(LAND_OWNER, TRANSITION('terminate'), { id, reason: 'Hết nhu cầu.' }), {
      data: { terminateGrant: { status: 'TERMINATED', usable: false, statusReason: 'Hết nhu cầu.' } },
    });
    expectResponse(await run(LAND_OWNER, TRANSITION('resume'), { id, reason: 'Mở lại.' }), {
      data: { resumeGrant: null },
      errors: [{ message: 'Không thể khôi phục quyền đang ở trạng thái TERMINATED. (Cannot resume a grant that is TERMINATED.)', path: ['resumeGrant'], extensions: { code: 'WRONG_STATE', argument: 'id', state: 'TERMINATED' } }],
    });
    const event = (fromStatus: string | null, toStatus: string, reason: string, time: string) => ({
      fromStatus, toStatus, actor: 'so-nn-mt.owner', actorAgency: { code: 'so-nn-mt' }, reason, at: time,
    });
    expectResponse(await run(SO_Y_TE, GRANT, { id }), {
      data: {
        grant: {
          status: 'TERMINATED',
          usable: false,
          statusReason: 'Hết nhu cầu.',
          history: [
            event(null, 'ACTIVE', 'Phê duyệt yêu cầu (request approved)', '2026-03-02T02:00:00.000Z'),
            event('ACTIVE', 'SUSPENDED', 'Nghi vượt phạm vi mục đích.', '2026-03-02T03:00:00.000Z'),
            event('SUSPENDED', 'ACTIVE', 'Đã giải trình.', '2026-03-02T04:00:00.000Z'),
            event('ACTIVE', 'TERMINATED', 'Hết nhu cầu.', '2026-03-02T05:00:00.000Z'),
          ],
        },
      },
    });
    const kinds = await run(SO_Y_TE, 'query { notifications { nodes { kind grant { status } } } }');
    expectResponse(kinds, {
      data: {
        notifications: {
          nodes: ['GRANT_TERMINATED', 'GRANT_RESUMED', 'GRANT_SUSPENDED', 'REQUEST_APPROVED'].map((kind) => ({ kind, grant: { status: 'TERMINATED' } })),
        },
      },
    });
  });

  it('expires a grant by itself once its last day has passed, in Vietnam time, and refuses to revive it', async () => {
    const id = await granted({ validUntil: '2026-03-31' });
    const STATUS = 'query G($id: ID!) { grant(id: $id) { status usable } grants(filter: { status: EXPIRED }) { nodes { id } } }';
    at('2026-03-31 23:59');
    expectResponse(await run(SO_Y_TE, STATUS, { id }), { data: { grant: { status: 'ACTIVE', usable: true }, grants: { nodes: [] } } });
    at('2026-04-01 00:00');
    expectResponse(await run(SO_Y_TE, STATUS, { id }), { data: { grant: { status: 'EXPIRED', usable: false }, grants: { nodes: [{ id }] } } });
    expectResponse(await run(LAND_OWNER, TRANSITION('suspend'), { id, reason: 'Thử.' }), {
      data: { suspendGrant: null },
      errors: [{ message: 'Không thể tạm dừng quyền đang ở trạng thái EXPIRED. (Cannot suspend a grant that is EXPIRED.)', path: ['suspendGrant'], extensions: { code: 'WRONG_STATE', argument: 'id', state: 'EXPIRED' } }],
    });
  });

  it('is not usable before its first day', async () => {
    const id = await granted({ validFrom: '2026-04-01' });
    expectResponse(await run(SO_Y_TE, 'query G($id: ID!) { grant(id: $id) { status usable } }', { id }), { data: { grant: { status: 'ACTIVE', usable: false } } });
  });

  it('lets only an owner of the provider suspend, resume or terminate', async () => {
    const id = await granted();
    for (const action of ['suspend', 'resume', 'terminate'] as const) {
      expectResponse(await run(officialOf('so-y-te', 'owner'), TRANSITION(action), { id, reason: 'Thử.' }), {
        data: { [`${action}Grant`]: null },
        errors: [{
          message: 'Chỉ bên cung cấp (so-nn-mt) được quyết định; cơ quan của bạn là so-y-te. (Only the provider (so-nn-mt) may decide; your agency is so-y-te.)',
          path: [`${action}Grant`],
          extensions: { code: 'FORBIDDEN', provider: 'so-nn-mt' },
        }],
      });
    }
  });

  it('shows a request and its grant to the consumer, the provider and governance only, through root fields and references alike', async () => {
    const grantId = await granted();
    const VISIBLE = 'query { requests: myRequests { nodes { id } } grants { nodes { id consumer { code } provider { code } } } }';
    const listing = { nodes: [{ id: grantId, consumer: { code: 'so-y-te' }, provider: { code: 'so-nn-mt' } }] };
    expectResponse(await run(LAND_OWNER, 'query { grants { nodes { id consumer { code } provider { code } } } }'), { data: { grants: listing } });
    expectResponse(await run(GOVERNANCE, 'query { grants { nodes { id consumer { code } provider { code } } } requests { nodes { status } } }'), {
      data: { grants: listing, requests: { nodes: [{ status: 'APPROVED' }] } },
    });
    expectResponse(await run(officialOf('so-xay-dung'), VISIBLE), { data: { requests: { nodes: [] }, grants: { nodes: [] } } });
    const ONE = 'query G($id: ID!) { grant(id: $id) { id } }';
    for (const caller of [officialOf('so-xay-dung'), citizenWith('054090000123'), ANONYMOUS]) {
      expectResponse(await run(caller, ONE, { id: grantId }), { data: { grant: null } });
    }
    const ENTITIES = 'query E($r: [_Any!]!) { _entities(representations: $r) { ... on AccessGrant { status } } }';
    const representations = [{ __typename: 'AccessGrant', id: grantId }];
    expectResponse(await run(SO_Y_TE, ENTITIES, { r: representations }), { data: { _entities: [{ status: 'ACTIVE' }] } });
    expectResponse(await run(officialOf('so-xay-dung'), ENTITIES, { r: representations }), { data: { _entities: [null] } });
    expectResponse(await run(officialOf('so-xay-dung', 'owner'), 'query { requests { nodes { id } } }'), {
      data: { requests: null },
      errors: [{ message: 'Chỉ vai trò quản trị (governance) được xem toàn bộ sổ cái. (Only the governance role may see the whole ledger.)', path: ['requests'], extensions: { code: 'FORBIDDEN' } }],
    });
  });

  it('pages listings and states the page-size bound', async () => {
    await submitted();
    at('2026-03-02 09:01');
    await submitted({ fields: ['Citizen.landCertificates'] });
    const first = await run(SO_Y_TE, 'query { myRequests(first: 1) { nodes { fields } pageInfo { hasNextPage endCursor } } }');
    const { endCursor } = dataOf(first, z.object({ myRequests: z.object({ pageInfo: z.object({ endCursor: z.string() }) }) })).myRequests.pageInfo;
    expectResponse(first, { data: { myRequests: { nodes: [{ fields: ['Citizen.landCertificates'] }], pageInfo: { hasNextPage: true, endCursor } } } });
    // A request submitted meanwhile goes to the top of the list: the next page still starts after the
    // row the cursor names, so nothing of the first page comes again.
    at('2026-03-02 09:02');
    await submitted({ fields: ['Citizen.landCertificates', 'LandUseCertificate.holder'] });
    const NEXT = 'query N($after: String) { myRequests(first: 1, after: $after) { nodes { fields } pageInfo { hasNextPage } } }';
    expectResponse(await run(SO_Y_TE, NEXT, { after: endCursor }), {
      data: { myRequests: { nodes: [{ fields: ['LandUseCertificate.holder'] }], pageInfo: { hasNextPage: false } } },
    });
    // Cursors that do not name a row of this list are refused, not passed to SQL: an offset, an
    // impossible time, a key of the wrong shape, and a row of another list of the same shape.
    const cursor = (position: string) => Buffer.from(position).toString('base64url');
    const row = '["2026-03-02T02:01:00.000000Z","3f1e0c2a-8b7d-4e7b-9a51-2d6a8f0b1c3e"]';
    expect((await run(SO_Y_TE, NEXT, { after: cursor(`k:Query.myRequests:${row}`) })).body).not.toHaveProperty('errors');
    for (const after of [
      cursor('o:Query.myRequests:0'),
      cursor('k:Query.myRequests:["2026-13-02T02:01:00.000000Z","3f1e0c2a-8b7d-4e7b-9a51-2d6a8f0b1c3e"]'),
      cursor('k:Query.myRequests:["0000-03-02T02:01:00.000000Z","3f1e0c2a-8b7d-4e7b-9a51-2d6a8f0b1c3e"]'),
      cursor('k:Query.myRequests:["2026-03-02T02:01:00.000000Z","1 OR 1=1"]'),
      cursor('k:Query.myRequests:["2026-03-02T02:01:00.000000Z"]'),
      cursor(`k:Query.grants:${row}`),
      cursor(`k:${row}`),
    ]) {
      expectResponse(await run(SO_Y_TE, NEXT, { after }), {
        data: { myRequests: null },
        errors: [{ message: 'Con trỏ `after` không hợp lệ; hãy dùng `pageInfo.endCursor` của trang trước. (Invalid cursor.)', path: ['myRequests'], extensions: { code: 'BAD_USER_INPUT', argument: 'after' } }],
      });
    }
    expectResponse(await run(SO_Y_TE, 'query { myRequests(first: 101) { nodes { id } } }'), {
      data: { myRequests: null },
      errors: [{ message: 'Tối đa 100 bản ghi mỗi trang. (At most 100 items per page; got 101.)', path: ['myRequests'], extensions: { code: 'PAGE_SIZE_EXCEEDED', maximum: 100, argument: 'first' } }],
    });
  });
});

describe('notifications', () => {
  it('are marked read only by their recipient agency', async () => {
    await submitted();
    const list = await run(LAND_OWNER, 'query { notifications(unreadOnly: true) { nodes { id } } }');
    const [note] = dataOf(list, z.object({ notifications: z.object({ nodes: z.array(z.object({ id: z.string() })) }) })).notifications.nodes;
    const MARK = 'mutation M($id: ID!) { markNotificationRead(id: $id) { kind readAt } }';
    expectResponse(await run(SO_Y_TE, MARK, { id: note?.id }), { data: { markNotificationRead: null } });
    at('2026-03-02 09:30');
    expectResponse(await run(officialOf('so-nn-mt'), MARK, { id: note?.id }), { data: { markNotificationRead: { kind: 'REQUEST_SUBMITTED', readAt: '2026-03-02T02:30:00.000Z' } } });
    expectResponse(await run(LAND_OWNER, 'query { notifications(unreadOnly: true) { nodes { id } } }'), { data: { notifications: { nodes: [] } } });
  });
});

describe('citizens\' consent', () => {
  const CITIZEN = '054090000123';
  const GIVE = `mutation G($agency: String!, $fields: [String!]!, $validUntil: Date) {
    giveConsent(agency: $agency, fields: $fields, validUntil: $validUntil) { id personalId agency agencyName fields givenAt validUntil withdrawnAt status } }`;

  it('is given by a citizen for their own records only, and refused to an official', async () => {
    const response = await run(citizenWith(CITIZEN), GIVE, { agency: 'so-y-te', fields: ['Citizen.ethnicGroup', 'LandUseCertificate.holder'], validUntil: '2026-12-31' });
    expectResponse(response, {
      data: {
        giveConsent: {
          id: UUID,
          personalId: CITIZEN,
          agency: 'so-y-te',
          agencyName: 'Sở Y tế tỉnh Đắk Lắk',
          fields: ['Citizen.ethnicGroup', 'LandUseCertificate.holder'],
          givenAt: '2026-03-02T02:00:00.000Z',
          validUntil: '2026-12-31',
          withdrawnAt: null,
          status: 'ACTIVE',
        },
      },
    });
    expectResponse(await run(officialOf('so-y-te', 'owner'), GIVE, { agency: 'so-y-te', fields: ['Citizen.ethnicGroup'] }), {
      data: { giveConsent: null },
      errors: [{ message: 'Chỉ công dân, về dữ liệu của chính mình, được thực hiện thao tác này. (Only a citizen, about their own records, may do this.)', path: ['giveConsent'], extensions: { code: 'FORBIDDEN' } }],
    });
    expectResponse(await run(citizenWith(CITIZEN), GIVE, { agency: 'so-y-te', fields: ['LandParcel.area'] }), {
      data: { giveConsent: null },
      errors: [{
        message: 'Không chấp nhận các trường: LandParcel.area là dữ liệu mở, không cần sự đồng ý. (Fields refused: LandParcel.area is open data and needs no consent.)',
        path: ['giveConsent'],
        extensions: { code: 'BAD_USER_INPUT', argument: 'fields', problems: [{ field: 'LandParcel.area', reason: 'OPEN_FIELD', category: 'OPEN' }] },
      }],
    });
    expect((await run(citizenWith(CITIZEN), GIVE, { agency: 'so-y-te', fields: ['Query.myDisclosures', 'Citizen.fullName'] })).body).toMatchObject({
      data: { giveConsent: null },
      errors: [{
        extensions: {
          code: 'BAD_USER_INPUT',
          argument: 'fields',
          problems: [
            { field: 'Query.myDisclosures', reason: 'LEDGER_FIELD' },
            // Every state agency reads a DEFAULT field already: a consent to it would change nothing.
            { field: 'Citizen.fullName', reason: 'DEFAULT_FIELD', category: 'DEFAULT' },
          ],
        },
      }],
    });
    // Công an owns Citizen.ethnicGroup and reads it already: a consent to it would change nothing.
    expect((await run(citizenWith(CITIZEN), GIVE, { agency: 'cong-an', fields: ['Citizen.ethnicGroup'] })).body).toMatchObject({
      data: { giveConsent: null },
      errors: [{ extensions: { code: 'BAD_USER_INPUT', argument: 'fields', problems: [{ field: 'Citizen.ethnicGroup', reason: 'OWN_FIELD', category: 'SPECIAL_REQUEST' }] } }],
    });
    expectResponse(await run(citizenWith('054090000999'), 'query { myConsents { nodes { id } } }'), { data: { myConsents: { nodes: [] } } });
    expectResponse(await run(officialOf('so-y-te'), 'query { myConsents { nodes { id } } }'), {
      data: { myConsents: null },
      errors: [{ message: 'Chỉ công dân, về dữ liệu của chính mình, được thực hiện thao tác này. (Only a citizen, about their own records, may do this.)', path: ['myConsents'], extensions: { code: 'FORBIDDEN' } }],
    });
  });

  it('given again while in force, at once or later, is the same consent, so that one withdrawal ends it', async () => {
    const person = '054090000321';
    const consent = { agency: 'so-y-te', fields: ['Citizen.ethnicGroup', 'LandUseCertificate.holder'], validUntil: '2026-12-31' };
    const idOf = (response: Awaited<ReturnType<typeof run>>) => dataOf(response, z.object({ giveConsent: z.object({ id: z.string() }) })).giveConsent.id;
    const atOnce = await Promise.all([1, 2, 3, 4].map(() => run(citizenWith(person), GIVE, consent)));
    const ids = new Set(atOnce.map(idOf));
    expect(ids.size).toBe(1);
    // The same fields in another order are the same consent; another end date is another consent.
    expect(idOf(await run(citizenWith(person), GIVE, { ...consent, fields: [...consent.fields].reverse() }))).toBe([...ids][0]);
    const longer = idOf(await run(citizenWith(person), GIVE, { ...consent, validUntil: '2027-06-30' }));
    expect(ids.has(longer)).toBe(false);
    const WITHDRAW = 'mutation W($id: ID!) { withdrawConsent(id: $id) { status } }';
    for (const id of [...ids, longer]) expectResponse(await run(citizenWith(person), WITHDRAW, { id }), { data: { withdrawConsent: { status: 'WITHDRAWN' } } });
    expectResponse(await run(citizenWith(person), 'query { myConsents { nodes { status } } }'), { data: { myConsents: { nodes: [{ status: 'WITHDRAWN' }, { status: 'WITHDRAWN' }] } } });
    // Withdrawn, it is given anew.
    expect(ids.has(idOf(await run(citizenWith(person), GIVE, consent)))).toBe(false);
  });

  it('is withdrawn only by the citizen who gave it, once', async () => {
    const given = await run(citizenWith(CITIZEN), GIVE, { agency: 'so-y-te', fields: ['Citizen.ethnicGroup'] });
    const { id } = dataOf(given, z.object({ giveConsent: z.object({ id: z.string() }) })).giveConsent;
    const WITHDRAW = 'mutation W($id: ID!) { withdrawConsent(id: $id) { status withdrawnAt } }';
    expectResponse(await run(citizenWith('054090000999'), WITHDRAW, { id }), { data: { withdrawConsent: null } });
    at('2026-03-05 08:00');
    expectResponse(await run(citizenWith(CITIZEN), WITHDRAW, { id }), { data: { withdrawConsent: { status: 'WITHDRAWN', withdrawnAt: '2026-03-05T01:00:00.000Z' } } });
    expectResponse(await run(citizenWith(CITIZEN), WITHDRAW, { id }), {
      data: { withdrawConsent: null },
      errors: [{ message: 'Sự đồng ý đã được rút lại lúc 2026-03-05T01:00:00.000Z. (The consent was already withdrawn.)', path: ['withdrawConsent'], extensions: { code: 'WRONG_STATE', argument: 'id', state: 'WITHDRAWN' } }],
    });
    expectResponse(await run(citizenWith(CITIZEN), 'query { myConsents { nodes { status } } }'), { data: { myConsents: { nodes: [{ status: 'WITHDRAWN' }] } } });
  });
});

describe('the seed', () => {
  it('replays a ledger in every state through the workflow, once', async () => {
    await seedAccess(db, committedCatalogue);
    await seedAccess(db, committedCatalogue);
    at('2026-03-02 09:00');
    const QUERY = 'query { requests(first: 100) { nodes { consumer { code } provider { code } fields status overdue grant { status validUntil } } } }';
    expectResponse(await run(GOVERNANCE, QUERY), {
      data: {
        requests: {
          nodes: [
            { consumer: { code: 'ubnd-tuy-hoa' }, provider: { code: 'cong-an' }, fields: ['Citizen.household'], status: 'PENDING', overdue: true, grant: null },
            { consumer: { code: 'so-xay-dung' }, provider: { code: 'so-nn-mt' }, fields: ['Citizen.landCertificates'], status: 'REFUSED', overdue: false, grant: null },
            { consumer: { code: 'so-noi-vu' }, provider: { code: 'cong-an' }, fields: ['Household.members', 'Household.head'], status: 'APPROVED', overdue: false, grant: { status: 'SUSPENDED', validUntil: '2030-12-31' } },
            { consumer: { code: 'so-y-te' }, provider: { code: 'cong-an' }, fields: ['Citizen.ethnicGroup'], status: 'APPROVED', overdue: false, grant: { status: 'ACTIVE', validUntil: null } },
            { consumer: { code: 'so-y-te' }, provider: { code: 'so-nn-mt' }, fields: ['LandUseCertificate.holder'], status: 'APPROVED', overdue: false, grant: { status: 'ACTIVE', validUntil: '2030-12-31' } },
          ],
        },
      },
    });
    // A filter by a code the directory does not know finds nothing because it is mistyped: said so.
    const REQUESTS = 'query F($filter: AccessRequestFilter) { requests(filter: $filter) { nodes { id } } }';
    const GRANTS = 'query F($filter: AccessGrantFilter) { grants(filter: $filter) { nodes { id } } }';
    for (const [key, code] of [['consumer', 'SO-Y-TE'], ['provider', 'cong_an'], ['consumer', 'so-y-t']] as const) {
      for (const query of [REQUESTS, GRANTS]) {
        const response = await run(GOVERNANCE, query, { filter: { [key]: code } });
        expect(response.body.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument: `filter.${key}` }]);
      }
    }
    // A known agency that is party to nothing is an empty page.
    expectResponse(await run(GOVERNANCE, REQUESTS, { filter: { consumer: 'so-tai-chinh' } }), { data: { requests: { nodes: [] } } });
    expectResponse(await run(GOVERNANCE, GRANTS, { filter: { provider: 'so-tai-chinh' } }), { data: { grants: { nodes: [] } } });
  });
});

describe('GET /internal/grants (over HTTP)', () => {
  let keys: DevKeys;
  let ledger: RunningSubgraph;
  const landSecret = () => ledgerReaderSecret(keys.gatewaySecret, 'so-nn-mt');

  beforeAll(async () => {
    keys = await generateDevKeys();
    ledger = await startSubgraph(definition, {
      db,
      port: 0,
      logger: pino({ level: 'silent' }),
      trust: {
        verifyToken: createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: keys.jwks }),
        proofSecret: gatewayProofSecret(keys.gatewaySecret, 'access'),
        serviceSecret: (purpose) => gatewayProofSecret(keys.gatewaySecret, purpose),
      },
    });
  });

  afterAll(async () => {
    await ledger.stop();
  });

  async function usable() {
    const snapshot = await fetchUsableGrants(ledger.url, 'so-nn-mt', landSecret());
    expect(snapshot.asOf).toBe(clock.toISOString());
    return { grants: snapshot.grants, consents: snapshot.consents };
  }

  it('serves a provider its grants in force only: not once suspended, again once resumed, not once terminated or expired; those yet to start too', async () => {
    const id = await granted({ validUntil: '2026-03-31' });
    const served = { id, consumerAgency: 'so-y-te', fields: ['LandUseCertificate.holder'], validFrom: '2026-03-02', validUntil: '2026-03-31' };
    expect(await usable()).toEqual({ grants: [served], consents: [] });
    expect(await fetchUsableGrants(ledger.url, 'cong-an', ledgerReaderSecret(keys.gatewaySecret, 'cong-an'))).toEqual({ asOf: clock.toISOString(), grants: [], consents: [] });
    dataOf(await run(LAND_OWNER, TRANSITION('suspend'), { id, reason: 'Tạm dừng kiểm tra.' }), z.unknown());
    expect(await usable()).toEqual({ grants: [], consents: [] });
    dataOf(await run(LAND_OWNER, TRANSITION('resume'), { id, reason: 'Đã kiểm tra.' }), z.unknown());
    expect(await usable()).toEqual({ grants: [served], consents: [] });
    at('2026-03-02 10:00');
    const other = await granted({ validUntil: null, fields: ['Citizen.landCertificates'] });
    const otherServed = { id: other, consumerAgency: 'so-y-te', fields: ['Citizen.landCertificates'], validFrom: '2026-03-02', validUntil: null };
    expect(await usable()).toEqual({ grants: [served, otherServed], consents: [] });
    dataOf(await run(LAND_OWNER, TRANSITION('terminate'), { id: other, reason: 'Chấm dứt.' }), z.unknown());
    expect(await usable()).toEqual({ grants: [served], consents: [] });
    at('2026-04-01 00:00');
    expect(await usable()).toEqual({ grants: [], consents: [] });
    // A grant approved to start later is served too, with its first day, so that the provider can say
    // when it takes effect (it uses it only from that day, kit/grants.ts).
    const later = await granted({ validFrom: '2026-05-01', validUntil: '2026-05-31' });
    expect(await usable()).toEqual({ grants: [{ id: later, consumerAgency: 'so-y-te', fields: ['LandUseCertificate.holder'], validFrom: '2026-05-01', validUntil: '2026-05-31' }], consents: [] });
  });

  it('serves the consents in force on the provider\'s own fields, and drops a withdrawn one', async () => {
    const given = await run(citizenWith('054090000123'), 'mutation { giveConsent(agency: "so-y-te", fields: ["Citizen.ethnicGroup", "Citizen.landCertificates", "LandUseCertificate.holder"]) { id } }');
    const { id } = dataOf(given, z.object({ giveConsent: z.object({ id: z.string() }) })).giveConsent;
    expect(await usable()).toEqual({
      grants: [],
      consents: [{ id, personalId: '054090000123', agency: 'so-y-te', fields: ['Citizen.landCertificates', 'LandUseCertificate.holder'], validUntil: null }],
    });
    dataOf(await run(citizenWith('054090000123'), 'mutation W($id: ID!) { withdrawConsent(id: $id) { id } }', { id }), z.unknown());
    expect(await usable()).toEqual({ grants: [], consents: [] });
  });

  it('answers only the provider itself: no token, another provider\'s key or a wrong audience get a 401', async () => {
    const url = `${ledger.url}${GRANTS_PATH}?provider=so-nn-mt`;
    const statusWith = async (headers: Record<string, string>) => (await fetch(url, { headers })).status;
    const wrongAudience = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' }).setIssuer('so-nn-mt').setAudience('someone-else').setIssuedAt().setExpirationTime('60s').sign(landSecret());
    expect({
      none: await statusWith({}),
      otherProvidersKey: await statusWith({ 'x-lienthong-service': await signLedgerReaderToken('so-nn-mt', ledgerReaderSecret(keys.gatewaySecret, 'so-y-te')) }),
      otherIssuer: await statusWith({ 'x-lienthong-service': await signLedgerReaderToken('so-y-te', landSecret()) }),
      wrongAudience: await statusWith({ 'x-lienthong-service': wrongAudience }),
      malformedProvider: (await fetch(`${ledger.url}${GRANTS_PATH}?provider=../x`)).status,
    }).toEqual({ none: 401, otherProvidersKey: 401, otherIssuer: 401, wrongAudience: 401, malformedProvider: 400 });
    await expect(fetchUsableGrants(ledger.url, 'so-nn-mt', ledgerReaderSecret(keys.gatewaySecret, 'so-y-te'))).rejects.toThrow(
      new LedgerUnavailableError('access ledger answered 401: Chưa xác thực: token dịch vụ bị từ chối (unauthenticated: service token rejected)'),
    );
  });

  it('tells the schema registry, and only it, who holds grants: suspended holders too, not terminated or expired ones', async () => {
    const holders = async () => (await fetchFieldConsumers(ledger.url, fieldConsumersSecret(keys.gatewaySecret))).grantHolders;
    expect(await holders()).toEqual([]);
    const id = await granted({ validUntil: '2026-03-31' });
    expect(await holders()).toEqual([{ consumer: 'so-y-te', fields: ['LandUseCertificate.holder'] }]);
    dataOf(await run(LAND_OWNER, TRANSITION('suspend'), { id, reason: 'Tạm dừng kiểm tra.' }), z.unknown());
    expect(await holders()).toEqual([{ consumer: 'so-y-te', fields: ['LandUseCertificate.holder'] }]);
    const other = await granted({ validUntil: null, fields: ['Citizen.landCertificates'] });
    expect(await holders()).toEqual([{ consumer: 'so-y-te', fields: ['Citizen.landCertificates', 'LandUseCertificate.holder'] }]);
    dataOf(await run(LAND_OWNER, TRANSITION('terminate'), { id: other, reason: 'Chấm dứt.' }), z.unknown());
    expect(await holders()).toEqual([{ consumer: 'so-y-te', fields: ['LandUseCertificate.holder'] }]);
    at('2026-04-01 00:00');
    expect(await holders()).toEqual([]);

    const url = `${ledger.url}${FIELD_CONSUMERS_PATH}`;
    const statusWith = async (token: string) => (await fetch(url, { headers: { 'x-lienthong-service': token } })).status;
    expect({
      none: (await fetch(url)).status,
      aProvider: await statusWith(await signLedgerReaderToken('so-nn-mt', landSecret())),
      theRegistryWithAProvidersKey: await statusWith(await signLedgerReaderToken(REGISTRY_ISSUER, landSecret())),
    }).toEqual({ none: 401, aProvider: 401, theRegistryWithAProvidersKey: 401 });
  });

  it('tells the schema registry which agencies read which fields in the last 90 days, from what providers delivered', async () => {
    const read = (seq: number, recordedAt: string, consumerAgency: string | null, fields: string[]) => ({
      seq, recordedAt, requestId: `r-${seq}`, callerKind: consumerAgency ? 'official' : 'citizen', consumerAgency,
      official: consumerAgency ? 'can-bo-1' : null, citizenId: consumerAgency ? null : '054090000123', purpose: 'Kiểm tra', operationName: null,
      fields: fields.map((field) => ({ field, category: 'DEFAULT' })), subjects: [], used: [], refused: [],
    });
    await deliverDisclosures(ledger.url, 'so-nn-mt', landSecret(), [
      read(1, '2025-11-20T03:00:00Z', 'so-noi-vu', ['LandParcel.area']),
      read(2, '2026-02-27T03:00:00Z', 'so-y-te', ['LandParcel.area']),
      read(3, '2026-03-01T03:00:00Z', 'so-y-te', ['Citizen.landCertificates', 'LandParcel.area']),
      read(4, '2026-03-01T04:00:00Z', null, ['LandParcel.useType']),
    ]);
    // Delivered again (a lost acknowledgement): nothing changes.
    await deliverDisclosures(ledger.url, 'so-nn-mt', landSecret(), [read(3, '2026-03-01T03:00:00Z', 'so-y-te', ['Citizen.landCertificates', 'LandParcel.area'])]);
    const answer = await fetchFieldConsumers(ledger.url, fieldConsumersSecret(keys.gatewaySecret));
    expect(answer).toEqual({
      asOf: clock.toISOString(),
      grantHolders: [],
      // so-noi-vu last read more than 90 days ago; a citizen reading their own records is no agency.
      readers: [{ consumer: 'so-y-te', fields: ['Citizen.landCertificates', 'LandParcel.area'] }],
      readersSince: new Date(clock.getTime() - 90 * 86_400_000).toISOString(),
    });
  });

  it('refuses everyone with a 503 when no service secret is configured', async () => {
    const server = createHttpServer({ [GRANTS_PATH]: grantsRoute(db, null, { now: () => clock, catalogue: committedCatalogue }) }, () => undefined);
    const url = await listen(server, 0);
    try {
      await expect(fetchUsableGrants(url, 'so-nn-mt', landSecret())).rejects.toThrow(
        new LedgerUnavailableError('access ledger answered 503: Sổ cái chưa được cấu hình khóa dịch vụ. (Service keys are not configured.)'),
      );
    } finally {
      await close(server);
    }
  });
});

describe('the field catalogue, following the registry', () => {
  const REVENUE = 'AccommodationEstablishment.revenueLastYear';
  const quiet = pino({ level: 'silent' });
  const withTourism = composeSupergraph(localSubgraphSources('all'));
  if (!withTourism.ok) throw new Error(`the local subgraphs do not compose:\n${withTourism.errors.join('\n')}`);
  const published = { id: 'registry-v2-tourism', supergraphSdl: withTourism.supergraphSdl };

  /** A port nothing listens on: a registry that cannot be reached. */
  async function closedPort(): Promise<string> {
    const server = createHttpServer({}, () => undefined);
    const url = await listen(server, 0);
    await close(server);
    return url;
  }

  it('starts from the committed supergraph, where a field not yet published is unknown', () => {
    const catalogue = new FollowedCatalogue();
    expect({ version: catalogue.version(), revenue: catalogue.current().field(REVENUE), household: catalogue.current().field('Citizen.household')?.category }).toEqual({
      version: null,
      revenue: undefined,
      household: 'SPECIAL_REQUEST',
    });
  });

  it('takes a published supergraph that builds, with the fields of the subgraph it added and their owner', async () => {
    const catalogue = new FollowedCatalogue();
    expect(await catalogue.refresh(async () => published)).toBe(true);
    expect({ version: catalogue.version(), revenue: catalogue.current().field(REVENUE) }).toEqual({
      version: 'registry-v2-tourism',
      revenue: { coordinate: REVENUE, category: 'SPECIAL_REQUEST', personal: false, owners: ['so-vhttdl'], ledger: false, listing: false },
    });
    expect(await catalogue.refresh(async () => published)).toBe(false);
  });

  it('keeps the catalogue in use when the registry cannot be reached, has no supergraph, or serves one that does not build', async () => {
    const catalogue = new FollowedCatalogue();
    await catalogue.refresh(async () => published);
    const unreachable = servedSupergraphFeed(await closedPort(), registryReaderSecret('a master secret of at least thirty-two characters'), 1000);
    await expect(catalogue.refresh(unreachable)).rejects.toThrow();
    expect(await catalogue.refresh(async () => null)).toBe(false);
    const broken = { id: 'registry-v3-broken', supergraphSdl: 'type Query { nothing: Int }' };
    await expect(catalogue.refresh(async () => broken)).rejects.toThrow('supergraph registry-v3-broken does not build: the catalogue in use is kept');
    expect(await catalogue.refresh(async () => broken)).toBe(false);
    expect({ version: catalogue.version(), revenue: catalogue.current().field(REVENUE)?.category }).toEqual({ version: 'registry-v2-tourism', revenue: 'SPECIAL_REQUEST' });
  });

  it('follows until stopped, then returns to the committed supergraph', async () => {
    const catalogue = new FollowedCatalogue();
    const following = await catalogue.follow(async () => published, quiet, 60_000);
    expect(catalogue.current().field(REVENUE)?.category).toBe('SPECIAL_REQUEST');
    following.stop();
    expect({ version: catalogue.version(), revenue: catalogue.current().field(REVENUE) }).toEqual({ version: null, revenue: undefined });
  });
});
