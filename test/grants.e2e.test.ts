/**
 * Special-request sharing end to end, through the gateway: a consumer asks, the provider decides,
 * the provider's subgraph enforces the grant it reads from the access ledger, and a suspension or a
 * withdrawn consent takes effect within the stated bound.
 */
import { close, listen } from '../subgraphs/kit/http';
import { vietnamDate } from '../subgraphs/kit/calendar';
import { citizenIdentity } from '../subgraphs/kit/seed-plan';
import { execute, official, startTestMesh, type TestMesh } from './support/mesh';

/** How soon a provider must apply a ledger change: its poll interval (1 s) plus margin. */
const EFFECT_BOUND_MS = 5000;
const FIELD = 'Citizen.ethnicGroup';
const citizen0 = citizenIdentity(0).id;
const citizen5 = citizenIdentity(5).id;

let mesh: TestMesh;
let graphql: string;
let consumer: Record<string, string>;
let provider: Record<string, string>;

beforeAll(async () => {
  mesh = await startTestMesh();
  graphql = `${mesh.gatewayUrl}/graphql`;
  const purpose = { 'x-purpose': encodeURIComponent('Thẩm định hồ sơ cấp phép xây dựng') };
  consumer = { authorization: `Bearer ${await mesh.token(official('so-xay-dung'))}`, ...purpose };
  provider = { authorization: `Bearer ${await mesh.token(official('cong-an', 'owner'))}` };
});
afterAll(() => mesh.stop());

async function ethnicGroupOf(id: string, headers: Record<string, string>) {
  const response = await execute<{ citizen: { ethnicGroup: { code: string } | null } | null }, never>(
    graphql,
    `{ citizen(id: "${id}") { id ethnicGroup { code } } }`,
    undefined,
    headers,
  );
  const refusal = response.body.errors?.find((e) => e.extensions?.['field'] === FIELD);
  return { code: response.body.data?.citizen?.ethnicGroup?.code ?? null, reason: (refusal?.extensions?.['reason'] as string | undefined) ?? null };
}

/** Polls until `check` holds; returns the milliseconds it took, or throws after the bound. */
async function within(boundMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < boundMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not within ${boundMs} ms`);
}

async function mutate<T>(headers: Record<string, string>, query: string): Promise<T> {
  const response = await execute<T, never>(graphql, query, undefined, headers);
  if (response.body.errors || !response.body.data) throw new Error(`${query}\n→ ${JSON.stringify(response.body)}`);
  return response.body.data;
}

describe('a special-request grant, from request to suspension', () => {
  it('is refused before approval, usable after, refused within the bound once suspended, usable again when resumed', async () => {
    expect(await ethnicGroupOf(citizen0, consumer)).toEqual({ code: null, reason: 'NO_GRANT' });

    const { requestAccess } = await mutate<{ requestAccess: { id: string; status: string } }>(
      consumer,
      `mutation { requestAccess(input: { provider: "cong-an", fields: ["${FIELD}"], purpose: "Thẩm định hồ sơ", legalBasis: "Nghị định 47/2020/NĐ-CP", validFrom: "2026-01-01" }) { id status } }`,
    );
    expect(requestAccess.status).toBe('PENDING');

    const notOwner = await execute(graphql, `mutation { approveRequest(id: "${requestAccess.id}") { id } }`, undefined, consumer);
    expect(notOwner.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', provider: 'cong-an' });

    const { approveRequest } = await mutate<{ approveRequest: { status: string; grant: { id: string } } }>(
      provider,
      `mutation { approveRequest(id: "${requestAccess.id}") { status grant { id } } }`,
    );
    expect(approveRequest.status).toBe('APPROVED');
    // Deciding it again (a double click, a second official) is refused for its state, which is named.
    const again = await execute(graphql, `mutation { approveRequest(id: "${requestAccess.id}") { status } }`, undefined, provider);
    expect(again.body.errors?.[0]?.extensions).toEqual({ code: 'WRONG_STATE', argument: 'id', state: 'APPROVED', subgraph: 'access' });
    await within(EFFECT_BOUND_MS, async () => (await ethnicGroupOf(citizen0, consumer)).code !== null);

    const { authorization } = consumer;
    expect(await ethnicGroupOf(citizen0, { authorization: authorization ?? '' })).toEqual({ code: null, reason: 'PURPOSE_REQUIRED' });
    // A purpose nobody can read (a zero-width space) is no purpose: the citizen would see a blank one.
    expect(await ethnicGroupOf(citizen0, { authorization: authorization ?? '', 'x-purpose': encodeURIComponent('\u200b') })).toEqual({ code: null, reason: 'PURPOSE_REQUIRED' });

    const grant = approveRequest.grant.id;
    const noReason = await execute(graphql, `mutation { suspendGrant(id: "${grant}", reason: " ") { status } }`, undefined, provider);
    expect(noReason.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    await mutate(provider, `mutation { suspendGrant(id: "${grant}", reason: "Kiểm tra an toàn thông tin") { status } }`);
    const suspendedAfter = await within(EFFECT_BOUND_MS, async () => (await ethnicGroupOf(citizen0, consumer)).reason === 'NO_GRANT');
    process.stdout.write(`suspension took effect after ${suspendedAfter} ms (bound ${EFFECT_BOUND_MS} ms)\n`);

    await mutate(provider, `mutation { resumeGrant(id: "${grant}", reason: "Đã kiểm tra xong") { status } }`);
    await within(EFFECT_BOUND_MS, async () => (await ethnicGroupOf(citizen0, consumer)).code !== null);

    await mutate(provider, `mutation { terminateGrant(id: "${grant}", reason: "Hết nhu cầu") { status } }`);
    await within(EFFECT_BOUND_MS, async () => (await ethnicGroupOf(citizen0, consumer)).reason === 'NO_GRANT');

    const { notifications } = await mutate<{ notifications: { nodes: Array<{ kind: string }> } }>(consumer, '{ notifications(first: 50) { nodes { kind } } }');
    expect(notifications.nodes.map((n) => n.kind)).toEqual(expect.arrayContaining(['REQUEST_APPROVED', 'GRANT_SUSPENDED', 'GRANT_RESUMED', 'GRANT_TERMINATED']));
  }, 60_000);

  it('is refused with a reason, and a refusal without one is rejected', async () => {
    const { requestAccess } = await mutate<{ requestAccess: { id: string } }>(
      consumer,
      `mutation { requestAccess(input: { provider: "cong-an", fields: ["Citizen.household"], purpose: "Xác minh", legalBasis: "Nghị định 47/2020/NĐ-CP", validFrom: "2026-01-01" }) { id } }`,
    );
    const bare = await execute(graphql, `mutation { refuseRequest(id: "${requestAccess.id}", reason: "") { status } }`, undefined, provider);
    expect(bare.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const { refuseRequest } = await mutate<{ refuseRequest: { status: string; decisionReason: string } }>(
      provider,
      `mutation { refuseRequest(id: "${requestAccess.id}", reason: "Mục đích không cần đến dữ liệu hộ gia đình") { status decisionReason } }`,
    );
    expect(refuseRequest).toEqual({ status: 'REFUSED', decisionReason: 'Mục đích không cần đến dữ liệu hộ gia đình' });
  });

  it('refuses a request for a field that is not special-request, or not the provider\'s, saying why', async () => {
    const response = await execute(
      graphql,
      'mutation { requestAccess(input: { provider: "cong-an", fields: ["Citizen.fullName", "Enterprise.charterCapital"], purpose: "x", legalBasis: "y", validFrom: "2026-01-01" }) { id } }',
      undefined,
      consumer,
    );
    // Through the gateway, each refused field with its reason, for a client to act on.
    expect(response.body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      argument: 'input.fields',
      problems: [
        { field: 'Citizen.fullName', reason: 'NOT_SPECIAL_REQUEST', category: 'DEFAULT' },
        { field: 'Enterprise.charterCapital', reason: 'NOT_SPECIAL_REQUEST', category: expect.any(String) },
      ],
      subgraph: 'access',
    });
    expect(response.body.errors?.[0]?.message).toMatch(/Citizen\.fullName/);
    expect(response.body.errors?.[0]?.message).toMatch(/Enterprise\.charterCapital/);
  });
});

describe('a grant approved to start later', () => {
  it('is refused until its first day as GRANT_NOT_STARTED, saying that day, where it was refused as if none had been given', async () => {
    const tomorrow = vietnamDate(new Date(Date.now() + 86_400_000));
    const later = { authorization: `Bearer ${await mesh.token(official('so-noi-vu'))}`, 'x-purpose': encodeURIComponent('Rà soát hồ sơ dân tộc thiểu số') };
    expect(await ethnicGroupOf(citizen0, later)).toEqual({ code: null, reason: 'NO_GRANT' });
    const { requestAccess } = await mutate<{ requestAccess: { id: string } }>(
      later,
      `mutation { requestAccess(input: { provider: "cong-an", fields: ["${FIELD}"], purpose: "Rà soát hồ sơ", legalBasis: "Nghị định 47/2020/NĐ-CP", validFrom: "${tomorrow}" }) { id } }`,
    );
    await mutate(provider, `mutation { approveRequest(id: "${requestAccess.id}") { status } }`);
    await within(EFFECT_BOUND_MS, async () => (await ethnicGroupOf(citizen0, later)).reason === 'GRANT_NOT_STARTED');
    const response = await execute<unknown, never>(graphql, `{ citizen(id: "${citizen0}") { ethnicGroup { code } } }`, undefined, later);
    const refusal = response.body.errors?.find((e) => e.extensions?.['field'] === FIELD);
    expect({ message: refusal?.message, validFrom: refusal?.extensions?.['validFrom'] }).toEqual({
      message: expect.stringContaining(`có hiệu lực từ ngày ${tomorrow}`),
      validFrom: tomorrow,
    });
    // Once a citizen has consented to the same agency seeing the field, rows are judged one by one:
    // that citizen's is served, and another's is still refused as not started, not as no grant.
    const consenting = citizenIdentity(9).id;
    const citizen = { authorization: `Bearer ${await mesh.token({ kind: 'citizen', sub: consenting })}` };
    await mutate(citizen, `mutation { giveConsent(agency: "so-noi-vu", fields: ["${FIELD}"]) { id } }`);
    await within(EFFECT_BOUND_MS, async () => (await ethnicGroupOf(consenting, later)).code !== null);
    expect(await ethnicGroupOf(citizen0, later)).toEqual({ code: null, reason: 'GRANT_NOT_STARTED' });
  });
});

describe('a citizen\'s consent', () => {
  it('opens that citizen\'s records, and only theirs, to the named agency, until withdrawn', async () => {
    const self = { authorization: `Bearer ${await mesh.token({ kind: 'citizen', sub: citizen0 })}` };
    const byOfficial = await execute(graphql, `mutation { giveConsent(agency: "so-xay-dung", fields: ["${FIELD}"]) { id } }`, undefined, provider);
    expect(byOfficial.body.errors?.[0]?.extensions?.['code']).toMatch(/FORBIDDEN|ACCESS_DENIED/);

    const { giveConsent } = await mutate<{ giveConsent: { id: string } }>(self, `mutation { giveConsent(agency: "so-xay-dung", fields: ["${FIELD}"]) { id } }`);
    await within(EFFECT_BOUND_MS, async () => (await ethnicGroupOf(citizen0, consumer)).code !== null);
    expect(await ethnicGroupOf(citizen5, consumer)).toEqual({ code: null, reason: 'NO_GRANT' });

    await mutate(self, `mutation { withdrawConsent(id: "${giveConsent.id}") { status } }`);
    const withdrawnAfter = await within(EFFECT_BOUND_MS, async () => (await ethnicGroupOf(citizen0, consumer)).reason === 'NO_GRANT');
    process.stdout.write(`consent withdrawal took effect after ${withdrawnAfter} ms (bound ${EFFECT_BOUND_MS} ms)\n`);
  }, 30_000);
});

describe('a head of household\'s consent', () => {
  it('opens the household to the named agency, but not the list of its other members', async () => {
    // Seed: citizens 3h, 3h+1 and 3h+2 share household h, headed by 3h (subgraphs/citizens/seed.ts).
    const head = citizenIdentity(3).id;
    const self = { authorization: `Bearer ${await mesh.token({ kind: 'citizen', sub: head })}` };
    await mutate(self, 'mutation { giveConsent(agency: "so-xay-dung", fields: ["Citizen.household", "Household.id", "Household.members"]) { id } }');
    const read = () =>
      execute<{ citizen: { household: { id: string; members: Array<{ id: string }> | null } | null } | null }, never>(
        graphql,
        `{ citizen(id: "${head}") { household { id members { id } } } }`,
        undefined,
        consumer,
      );
    await within(EFFECT_BOUND_MS, async () => (await read()).body.data?.citizen?.household?.id !== undefined);
    const response = await read();
    expect(response.body.data?.citizen?.household?.members ?? null).toBeNull();
    const refusal = response.body.errors?.find((e) => e.extensions?.['field'] === 'Household.members');
    expect(refusal?.extensions?.['reason']).toBe('CONSENT_COVERS_ONLY_THE_PERSON');
  }, 30_000);
});

describe('when the ledger cannot be reached', () => {
  it('fails closed: grant-based access is refused once the provider\'s view is stale, and comes back with the ledger', async () => {
    const ledger = mesh.subgraphs.get('access');
    if (!ledger) throw new Error('no access subgraph');
    const granted = { authorization: `Bearer ${await mesh.token(official('so-y-te'))}`, 'x-purpose': encodeURIComponent('Khám chữa bệnh') };
    // The ledger's seed gives Sở Y tế an open-ended grant on Citizen.ethnicGroup.
    expect((await ethnicGroupOf(citizen0, granted)).code).not.toBeNull();

    const port = Number(new URL(ledger.url).port);
    await close(ledger.server);
    await within(10_000, async () => (await ethnicGroupOf(citizen0, granted)).reason === 'GRANTS_UNAVAILABLE');
    // DEFAULT fields do not depend on the ledger and keep flowing.
    const name = await execute(graphql, `{ citizen(id: "${citizen0}") { fullName } }`, undefined, granted);
    expect(name.body.errors).toBeUndefined();

    await listen(ledger.server, port);
    await within(EFFECT_BOUND_MS, async () => (await ethnicGroupOf(citizen0, granted)).code !== null);
  }, 30_000);
});

describe('refusals', () => {
  it('are explained in English when the caller asks for it, with the field, category, owner and how to ask', async () => {
    const response = await execute(graphql, `{ citizen(id: "${citizen5}") { fullName ethnicGroup { code } } }`, undefined, { ...consumer, 'accept-language': 'en-GB,en;q=0.9' });
    expect(response.body.data).toEqual({ citizen: { fullName: expect.any(String), ethnicGroup: null } });
    expect(response.body.errors).toEqual([
      {
        message: expect.stringMatching(/^Access to Citizen\.ethnicGroup \(SPECIAL_REQUEST, owned by Công an tỉnh Đắk Lắk.*\) refused: your agency has no active grant for this field\.$/),
        path: ['citizen', 'ethnicGroup'],
        extensions: {
          code: 'ACCESS_DENIED',
          reason: 'NO_GRANT',
          field: FIELD,
          category: 'SPECIAL_REQUEST',
          owner: expect.stringContaining('Công an tỉnh Đắk Lắk'),
          ownerAgency: 'cong-an',
          requestAccess: expect.stringContaining('requestAccess(input: { provider: "cong-an", fields: ["Citizen.ethnicGroup"]'),
          subgraph: 'citizens',
        },
      },
    ]);
  });
});
