/**
 * The authorisation matrix, generated from the schemas: every field of every subgraph, for every
 * kind of caller in DESIGN.md §5, reached through `_entities` (each agency subgraph called as the
 * gateway calls it), and through the gateway every root field, every field below a root down to the
 * entities (connections, the ledger's records, a citizen's consents and disclosures), and every
 * mutation. The category of each field is read from its @sharing directive; the expectation is the
 * §5 table, stated once below. A new field is covered the moment it is added, and a test fails if
 * one is reached by no path.
 */
import { getNamedType, isObjectType, isLeafType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { schemaFieldPolicies, type FieldPolicy } from '../schema/sharing';
import { listAgencies } from '../subgraphs/kit/agency';
import { askedOf, gatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof, type TokenClaims } from '../subgraphs/kit/identity';
import { loadDefinition } from '../subgraphs/kit/registry';
import { callerIsSubject } from '../subgraphs/kit/authorisation';
import { buildSchema } from '../subgraphs/kit/server';
import { citizenIdentity, parcelIdAt, taxCodeAt } from '../subgraphs/kit/seed-plan';
import { bodyOf, eventually, execute, official, startTestMesh, type TestMesh } from './support/mesh';

const citizen0 = citizenIdentity(0).id; // represents enterprise 0, heads household 0
const citizen5 = citizenIdentity(5).id;

/** One sample row per entity, by its key, and whose personal data it is (null: nobody's). */
const SAMPLES: Record<string, { key: Record<string, string>; subject: string | null }> = {
  Citizen: { key: { id: citizen0 }, subject: citizen0 },
  Household: { key: { id: 'HK00000000' }, subject: citizen0 },
  Enterprise: { key: { taxCode: taxCodeAt(0) }, subject: citizen0 },
  LandParcel: { key: { id: parcelIdAt(0) }, subject: null },
  ConstructionPermit: { key: { number: '0000001/GPXD' }, subject: null },
  AdministrativeUnit: { key: { code: '22015', edition: 'TWO_LEVEL' }, subject: null },
  EthnicGroup: { key: { code: '01' }, subject: null },
  LandUseType: { key: { code: 'ONT' }, subject: null },
  VsicActivity: { key: { code: '0111' }, subject: null },
};
/**
 * Where a subgraph knows less about a sample than its owner: land knows an enterprise only by its
 * tax code, so there no citizen is the subject of an enterprise's rows.
 */
const SUBJECT_UNKNOWN_IN: Record<string, readonly string[]> = { Enterprise: ['land'] };

/**
 * Whose data the rows one field below a sample are, by that field (default: nobody's): citizen 0's
 * own certificates are theirs; parcel 0's certificate is held by enterprise 0, a company.
 */
const NESTED_SUBJECT: Record<string, string | null> = { 'Citizen.landCertificates': citizen0, 'LandParcel.certificate': null };

/**
 * Entities left out of the `_entities` matrix, with the reason. The ledger's records resolve only for
 * the parties to them (a workflow rule, not a category), so a stranger sees null rather than a
 * refusal; subgraphs/access/access.test.ts covers who sees them.
 */
const NOT_SAMPLED: Record<string, string> = {
  AccessRequest: 'visible to its parties only',
  AccessGrant: 'visible to its parties only',
};

type CallerKind = 'consumer official' | 'consumer with grants' | 'owner official' | 'governance' | 'citizen, own records' | 'citizen, others\' records' | 'anonymous';

interface Caller {
  readonly kind: CallerKind;
  readonly claims: (ownerAgency: string) => TokenClaims | null;
}

const CALLERS: readonly Caller[] = [
  { kind: 'consumer official', claims: () => official('ubnd-tuy-hoa') },
  { kind: 'consumer with grants', claims: () => official('so-y-te') },
  { kind: 'owner official', claims: (owner) => official(owner) },
  { kind: 'governance', claims: () => official('so-khcn', 'governance') },
  { kind: 'citizen, own records', claims: () => ({ kind: 'citizen', sub: citizen0 }) },
  { kind: 'citizen, others\' records', claims: () => ({ kind: 'citizen', sub: citizen5 }) },
  { kind: 'anonymous', claims: () => null },
];

/** DESIGN.md §5, for a caller with a purpose but no grant and no consent. */
function expectedAccess(policy: FieldPolicy, caller: CallerKind, subject: string | null, ownerIsGovernance: boolean): boolean {
  if (policy.category === 'OPEN') return true;
  switch (caller) {
    case 'owner official':
      return true;
    case 'consumer official':
      return policy.category === 'DEFAULT';
    case 'consumer with grants':
      return policy.category === 'DEFAULT' || grantedToSoYTe.has(policy.coordinate);
    case 'governance':
      return ownerIsGovernance || (policy.category === 'DEFAULT' && !policy.personal);
    case 'citizen, own records':
      return subject === citizen0;
    case 'citizen, others\' records':
      return subject === citizen5;
    case 'anonymous':
      return false;
  }
}

function selectionOf(field: GraphQLField<unknown, unknown>): string {
  return isLeafType(getNamedType(field.type)) ? field.name : `${field.name} { __typename }`;
}

let mesh: TestMesh;
/** The fields Sở Y tế holds usable grants for, as the access ledger says (its seed approves some). */
const grantedToSoYTe = new Set<string>();
beforeAll(async () => {
  mesh = await startTestMesh();
  const grants = await execute<{ grants: { nodes: Array<{ fields: string[]; usable: boolean }> } }, never>(
    `${mesh.gatewayUrl}/graphql`,
    '{ grants(first: 100) { nodes { fields usable } } }',
    undefined,
    { authorization: `Bearer ${await mesh.token(official('so-y-te'))}` },
  );
  for (const grant of grants.body.data?.grants.nodes ?? []) if (grant.usable) grant.fields.forEach((f) => grantedToSoYTe.add(f));
});
afterAll(() => mesh.stop());

async function callSubgraph(subgraph: string, query: string, variables: Record<string, unknown>, claims: TokenClaims | null) {
  const running = mesh.subgraphs.get(subgraph);
  if (!running) throw new Error(`no subgraph ${subgraph}`);
  const token = claims ? await mesh.token(claims) : null;
  const purpose = encodeURIComponent('kiểm thử ma trận phân quyền');
  const proof = await signGatewayProof(gatewayProofSecret(mesh.keys.gatewaySecret, subgraph), subgraph, 'matrix-test-request', token, askedOf(bodyOf(query, variables), purpose));
  const headers: Record<string, string> = { [GATEWAY_PROOF_HEADER]: proof, 'x-purpose': purpose };
  if (token) headers['authorization'] = `Bearer ${token}`;
  return execute(`${running.url}/graphql`, query, variables, headers);
}

interface Case {
  readonly subgraph: string;
  readonly coordinate: string;
  readonly policy: FieldPolicy;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly subject: string | null;
  readonly ownerAgency: string;
  /** Fields on the path to this one that must be allowed for the case to say anything. */
  readonly path: readonly FieldPolicy[];
}

/** Every (field, path) of every subgraph reachable through `_entities` from a sample entity. */
function entityCases(): Case[] {
  const cases: Case[] = [];
  for (const agency of listAgencies()) {
    const schema: GraphQLSchema = buildSchema(loadDefinition(agency));
    const policies = schemaFieldPolicies(schema);
    for (const [typeName, sample] of Object.entries(SAMPLES)) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) continue;
      const variables = { representations: [{ __typename: typeName, ...sample.key }] };
      const wrap = (selection: string) => `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typeName} { ${selection} } } }`;
      for (const field of Object.values(type.getFields())) {
        const policy = policies.get(`${typeName}.${field.name}`);
        if (!policy) throw new Error(`${agency.subgraph}: ${typeName}.${field.name} has no category`);
        const subject = SUBJECT_UNKNOWN_IN[typeName]?.includes(agency.subgraph) ? null : sample.subject;
        cases.push({ subgraph: agency.subgraph, coordinate: policy.coordinate, policy, query: wrap(selectionOf(field)), variables, subject, ownerAgency: agency.agencyCode, path: [] });
        const nested = getNamedType(field.type);
        if (!isObjectType(nested) || nested.name in SAMPLES || nested.name === 'PageInfo' || field.args.some((a) => a.type.toString().endsWith('!'))) continue;
        for (const inner of Object.values(nested.getFields())) {
          const innerPolicy = policies.get(`${nested.name}.${inner.name}`);
          if (!innerPolicy) throw new Error(`${agency.subgraph}: ${nested.name}.${inner.name} has no category`);
          cases.push({
            subgraph: agency.subgraph,
            coordinate: innerPolicy.coordinate,
            policy: innerPolicy,
            query: wrap(`${field.name} { ${selectionOf(inner)} }`),
            variables,
            subject: NESTED_SUBJECT[policy.coordinate] ?? null,
            ownerAgency: agency.agencyCode,
            path: [policy],
          });
        }
      }
    }
  }
  return cases;
}

const CASES = entityCases();

describe('the authorisation matrix through _entities', () => {
  it('has a consumer with grants to test against (the ledger seed gives Sở Y tế some)', () => {
    expect(grantedToSoYTe.size).toBeGreaterThan(0);
  });

  it('covers every field of every entity in every subgraph', () => {
    for (const agency of listAgencies()) {
      const schema = buildSchema(loadDefinition(agency));
      const entities = schema.getType('_Entity');
      const names = entities && 'getTypes' in entities ? entities.getTypes().map((t) => t.name) : [];
      for (const name of names) expect({ entity: name, sampled: name in SAMPLES || name in NOT_SAMPLED }).toEqual({ entity: name, sampled: true });
    }
    const covered = new Set(CASES.map((c) => c.coordinate));
    for (const [typeName] of Object.entries(SAMPLES)) {
      for (const agency of listAgencies()) {
        const type = buildSchema(loadDefinition(agency)).getType(typeName);
        if (isObjectType(type)) for (const name of Object.keys(type.getFields())) expect(covered).toContain(`${typeName}.${name}`);
      }
    }
  });

  it.each(CALLERS.map((c) => [c.kind, c] as const))('gives a %s exactly the access its category allows', async (_kind, caller) => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const testCase of CASES) {
      const ownerIsGovernance = testCase.ownerAgency === 'so-khcn';
      const pathAllowed = testCase.path.every((p) => expectedAccess(p, caller.kind, SAMPLES[p.coordinate.split('.')[0] ?? '']?.subject ?? null, ownerIsGovernance));
      if (!pathAllowed) continue;
      const expected = expectedAccess(testCase.policy, caller.kind, testCase.subject, ownerIsGovernance);
      const response = await callSubgraph(testCase.subgraph, testCase.query, testCase.variables, caller.claims(testCase.ownerAgency));
      const denied = (response.body.errors ?? []).filter((e) => e.extensions?.['code'] === 'ACCESS_DENIED');
      const other = (response.body.errors ?? []).filter((e) => e.extensions?.['code'] !== 'ACCESS_DENIED');
      checked++;
      if (response.status !== 200 || other.length > 0) {
        mismatches.push(`${testCase.coordinate}: unexpected ${response.status} ${JSON.stringify(other)}`);
      } else if (expected && denied.length > 0) {
        mismatches.push(`${testCase.coordinate}: refused but ${testCase.policy.category} should be allowed — ${denied[0]?.message}`);
      } else if (!expected && !denied.some((e) => e.extensions?.['field'] === testCase.coordinate && e.extensions?.['category'] === testCase.policy.category)) {
        mismatches.push(`${testCase.coordinate}: ${testCase.policy.category} should be refused, got ${JSON.stringify(response.body)}`);
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(mismatches).toEqual([]);
  });
});

/** A value for each required root argument, by its type: the sample rows above. */
const SAMPLE_ARGUMENTS: Record<string, string> = {
  PersonalId: citizen0,
  TaxCode: taxCodeAt(0),
  AdministrativeUnitCode: '22015',
  EthnicGroupCode: '01',
  LandUseTypeCode: 'ONT',
  VsicCode: '0111',
  'Query.household.id': 'HK00000000',
  'Query.landParcel.id': parcelIdAt(0),
  'Query.constructionPermit.number': '0000001/GPXD',
  'Query.landUseCertificate.serial': 'AA 000000',
  'Query.accessRequest.id': '5eed0000-0000-4000-8000-000000000001',
  'Query.grant.id': '5eed0000-0000-4000-8000-000000000002',
  'Query.openDataFeedbackTicket.id': '5eed0000-0000-4000-8000-000000000003',
  Date: '2026-01-01',
  // The usage figures of the days the tests run on (the ledger counts by the provider's day).
  'Query.disclosureUsage.from': new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
  'Query.disclosureUsage.to': new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
};

/**
 * An error no refusal or turned-down argument gives: a resolver that threw (INTERNAL_SERVER_ERROR) or
 * an error with no code. An allowed field whose resolver crashes is not "allowed".
 */
function crashed(error: { extensions?: Record<string, unknown> }): boolean {
  const code = error.extensions?.['code'];
  return typeof code !== 'string' || code === 'INTERNAL_SERVER_ERROR';
}

/** The headers a caller of the gateway sends: its token, if it has one, and a purpose. */
async function gatewayHeaders(caller: Caller, owner: string): Promise<Record<string, string>> {
  const claims = caller.claims(owner);
  const headers: Record<string, string> = { 'x-purpose': encodeURIComponent('kiểm thử') };
  if (claims) headers['authorization'] = `Bearer ${await mesh.token(claims)}`;
  return headers;
}

/** Whose records a root field scoped to its caller returns: the citizen's own, or nobody's for an official. */
function ownRecords(caller: CallerKind): string | null {
  return caller === 'citizen, own records' ? citizen0 : caller === 'citizen, others\' records' ? citizen5 : null;
}

/**
 * `consumer` asks `provider` for `field`, the provider approves and at once terminates the grant: the
 * consumer then has requests, a grant with its history, and notifications, and no access it lacked.
 */
async function grantAndTerminate(consumer: string, provider: string, field: string): Promise<void> {
  const gateway = `${mesh.gatewayUrl}/graphql`;
  const as = async (agency: string, role: 'official' | 'owner') => ({ authorization: `Bearer ${await mesh.token(official(agency, role))}` });
  const asked = await execute<{ requestAccess: { id: string } }, never>(
    gateway,
    `mutation { requestAccess(input: { provider: "${provider}", fields: ["${field}"], purpose: "Kiểm thử ma trận phân quyền", legalBasis: "Nghị định 47/2020/NĐ-CP", validFrom: "2026-01-01" }) { id } }`,
    undefined,
    await as(consumer, 'official'),
  );
  const requestId = asked.body.data?.requestAccess.id;
  if (!requestId) throw new Error(`${consumer} could not ask: ${JSON.stringify(asked.body)}`);
  const owner = await as(provider, 'owner');
  const approved = await execute<{ approveRequest: { grant: { id: string } | null } }, never>(gateway, `mutation { approveRequest(id: "${requestId}") { grant { id } } }`, undefined, owner);
  const grantId = approved.body.data?.approveRequest.grant?.id;
  if (!grantId) throw new Error(`${provider} could not approve: ${JSON.stringify(approved.body)}`);
  const ended = await execute(gateway, `mutation { terminateGrant(id: "${grantId}", reason: "Kết thúc kiểm thử ma trận") { status } }`, undefined, owner);
  expect(ended.body.errors).toBeUndefined();
}

/** A root field's required arguments, written out from SAMPLE_ARGUMENTS, and the citizen they name (the row's subject). */
function rootArguments(field: GraphQLField<unknown, unknown>): { args: string; subject: string | null } {
  const required = field.args.filter((a) => a.type.toString().endsWith('!'));
  const values = required.map((a) => {
    const value = SAMPLE_ARGUMENTS[`Query.${field.name}.${a.name}`] ?? SAMPLE_ARGUMENTS[getNamedType(a.type).name];
    if (value === undefined) throw new Error(`no sample value for Query.${field.name}(${a.name}): add one`);
    return `${a.name}: ${JSON.stringify(value)}`;
  });
  const subject = required.some((a) => getNamedType(a.type).name === 'PersonalId') ? citizen0 : null;
  return { args: values.length > 0 ? `(${values.join(', ')})` : '', subject };
}

describe('the authorisation matrix through root fields, via the gateway', () => {
  const roots = listAgencies().flatMap((agency) => {
    const definition = loadDefinition(agency);
    const schema = buildSchema(definition);
    const policies = schemaFieldPolicies(schema);
    return Object.values(schema.getQueryType()?.getFields() ?? {})
      .filter((field) => !field.name.startsWith('_'))
      .map((field) => {
        const policy = policies.get(`Query.${field.name}`);
        if (!policy) throw new Error(`Query.${field.name} has no category`);
        const { args, subject } = rootArguments(field);
        // A root field the subgraph scopes to the caller (a citizen's own consents) has the caller as subject.
        const selfScoped = definition.subjects?.[`Query.${field.name}`] === callerIsSubject;
        return { policy, query: `{ ${field.name}${args} ${isLeafType(getNamedType(field.type)) ? '' : '{ __typename }'} }`, owner: agency.agencyCode, subject, selfScoped };
      });
  });

  it.each(CALLERS.filter((c) => c.kind !== 'anonymous').map((c) => [c.kind, c] as const))(
    'gives a %s exactly the access each root field\'s category allows',
    async (_kind, caller) => {
      const mismatches: string[] = [];
      for (const root of roots) {
        const response = await execute(`${mesh.gatewayUrl}/graphql`, root.query, undefined, await gatewayHeaders(caller, root.owner));
        const subject = root.selfScoped ? ownRecords(caller.kind) : root.subject;
        const expected = expectedAccess(root.policy, caller.kind, subject, root.owner === 'so-khcn');
        const denied = (response.body.errors ?? []).filter((e) => e.extensions?.['code'] === 'ACCESS_DENIED' && e.extensions['field'] === root.policy.coordinate);
        if (expected === denied.length > 0 || (response.body.errors ?? []).some(crashed)) mismatches.push(`${root.policy.coordinate} (${root.policy.category}): ${JSON.stringify(response.body)}`);
      }
      expect(roots.length).toBeGreaterThanOrEqual(20);
      expect(mismatches).toEqual([]);
    },
  );

  it('refuses /graphql without a token, and serves only OPEN root fields at /open/graphql', async () => {
    const closed = await execute(`${mesh.gatewayUrl}/graphql`, '{ __typename }');
    expect(closed.status).toBe(401);
    expect(closed.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const open = await execute<{ __schema: { queryType: { fields: Array<{ name: string }> } } }, never>(
      `${mesh.gatewayUrl}/open/graphql`,
      '{ __schema { queryType { fields { name } } } }',
    );
    const openRoots = open.body.data?.__schema.queryType.fields.map((f) => f.name).sort();
    expect(openRoots).toEqual(roots.filter((r) => r.policy.category === 'OPEN').map((r) => r.policy.coordinate.split('.')[1]).sort());
  });

  it('shows, in /open/graphql introspection, only OPEN fields and only types they reach', async () => {
    const open = await execute<{ __schema: { types: Array<{ name: string; kind: string; fields: Array<{ name: string }> | null }> } }, never>(
      `${mesh.gatewayUrl}/open/graphql`,
      '{ __schema { types { name kind fields { name } } } }',
    );
    const categories = new Map<string, string>();
    for (const agency of listAgencies()) {
      for (const [coordinate, policy] of schemaFieldPolicies(buildSchema(loadDefinition(agency)))) categories.set(coordinate, policy.category);
    }
    const shown = (open.body.data?.__schema.types ?? []).filter((t) => !t.name.startsWith('__'));
    const notOpen = shown.flatMap((t) => (t.fields ?? []).map((f) => `${t.name}.${f.name}`)).filter((c) => categories.get(c) !== 'OPEN');
    expect(notOpen).toEqual([]);
    const names = new Set(shown.map((t) => t.name));
    for (const hidden of ['Citizen', 'Household', 'LandUseCertificate', 'AccessRequest', 'CitizenFilter', 'PersonalId', 'Gender']) expect(names.has(hidden)).toBe(false);
    expect(names.has('Enterprise')).toBe(true);
  });
});

/**
 * A field below a root field that the `_entities` matrix does not sample: a connection's nodes and
 * page info, the ledger's requests, grants and notifications, a citizen's consents and disclosures,
 * governance's usage figures. Each is asked for alone, along one path from its root.
 */
interface NestedCase {
  readonly coordinate: string;
  readonly policy: FieldPolicy;
  readonly owner: string;
  /** The operation, written when it is sent: a root's sample arguments may be rows the tests made. */
  readonly query: () => string;
  /** The fields from the root down to this one's parent: each must be allowed for the case to say anything. */
  readonly path: readonly FieldPolicy[];
  /** The response keys from the root down to this field. */
  readonly keys: readonly string[];
  /** The root scopes its rows to the caller (a citizen's own consents): the caller is every row's subject. */
  readonly selfScoped: boolean;
  /** The citizen the root's arguments name, if any. */
  readonly rootSubject: string | null;
}

/** Deep enough for the longest path to a field not reachable more shallowly (notifications → grant → history → actor). */
const MAX_DEPTH = 5;

function nestedCases(): NestedCase[] {
  const cases: NestedCase[] = [];
  for (const agency of listAgencies()) {
    const definition = loadDefinition(agency);
    const schema = buildSchema(definition);
    const policies = schemaFieldPolicies(schema);
    const policyOf = (coordinate: string): FieldPolicy => {
      const policy = policies.get(coordinate);
      if (!policy) throw new Error(`${agency.subgraph}: ${coordinate} has no category`);
      return policy;
    };
    for (const root of Object.values(schema.getQueryType()?.getFields() ?? {})) {
      const type = getNamedType(root.type);
      if (root.name.startsWith('_') || !isObjectType(type) || type.name in SAMPLES) continue;
      const { subject: rootSubject } = rootArguments(root);
      const selfScoped = definition.subjects?.[`Query.${root.name}`] === callerIsSubject;
      const walk = (parent: GraphQLObjectType, path: readonly FieldPolicy[], keys: readonly string[], seen: ReadonlySet<string>): void => {
        for (const field of Object.values(parent.getFields())) {
          const policy = policyOf(`${parent.name}.${field.name}`);
          const inner = keys.slice(1).reduceRight((selection, key) => `${key} { ${selection} }`, selectionOf(field));
          cases.push({ coordinate: policy.coordinate, policy, owner: agency.agencyCode, query: () => `{ ${root.name}${rootArguments(root).args} { ${inner} } }`, path, keys: [...keys, field.name], selfScoped, rootSubject });
          const next = getNamedType(field.type);
          if (!isObjectType(next) || next.name in SAMPLES || seen.has(next.name) || keys.length >= MAX_DEPTH) continue;
          if (field.args.some((a) => a.type.toString().endsWith('!'))) continue;
          walk(next, [...path, policy], [...keys, field.name], new Set([...seen, next.name]));
        }
      };
      walk(type, [policyOf(`Query.${root.name}`)], [root.name], new Set([type.name]));
    }
  }
  return cases;
}

/** The objects at `keys` in a response's data, lists flattened. */
function objectsAt(data: unknown, keys: readonly string[]): Array<Record<string, unknown>> {
  const flatten = (value: unknown): unknown[] => (Array.isArray(value) ? value.flatMap(flatten) : [value]);
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  let level: unknown[] = [data];
  for (const key of keys) level = level.filter(isObject).flatMap((object) => flatten(object[key]));
  return level.filter(isObject);
}

/**
 * Fields no caller sees a row of in the test mesh, so that neither an allowed read nor a refusal
 * can be observed here, with the test that shows each one's access instead.
 */
const UNOBSERVABLE: Record<string, { readonly callers?: readonly CallerKind[]; readonly reason: string }> = {
  DisclosureGapNotice: {
    reason: 'the mesh relays every record, so no citizen has a gap; disclosure.e2e.test.ts ("the ledger checks each chain as it arrives") shows a citizen the period of one',
  },
  DisclosureGap: { reason: 'as DisclosureGapNotice: disclosure.e2e.test.ts shows governance the gaps it makes' },
  OpenDataFeedback: {
    callers: ['consumer official', 'consumer with grants'],
    reason: 'feedback reaches the agency owning the dataset, or the governing one; these agencies own none',
  },
};

function unobservable(coordinate: string, caller: CallerKind): boolean {
  const excuse = UNOBSERVABLE[coordinate.split('.')[0] ?? ''];
  return excuse !== undefined && (excuse.callers === undefined || excuse.callers.includes(caller));
}

describe('the authorisation matrix below root fields, via the gateway', () => {
  const nested = nestedCases();

  /** Rows for every path to hold something to observe: a consent and a disclosure of each citizen caller's, a feedback ticket. */
  beforeAll(async () => {
    const gateway = `${mesh.gatewayUrl}/graphql`;
    const purpose = { 'x-purpose': encodeURIComponent('kiểm thử ma trận phân quyền') };
    const soYTe = { ...purpose, authorization: `Bearer ${await mesh.token(official('so-y-te'))}` };
    for (const citizen of [citizen0, citizen5]) {
      // To an agency that is none of the callers above: no case's expectation changes.
      const asCitizen = { authorization: `Bearer ${await mesh.token({ kind: 'citizen', sub: citizen })}` };
      const consent = await execute(gateway, `mutation { giveConsent(agency: "so-noi-vu", fields: ["Citizen.ethnicGroup"]) { id } }`, undefined, asCitizen);
      expect(consent.body.errors).toBeUndefined();
      const read = await execute(gateway, `{ citizen(id: "${citizen}") { fullName } }`, undefined, soYTe);
      expect(read.body.errors).toBeUndefined();
      // The relay brings the read to the ledger within seconds (disclosure.e2e.test.ts states the delay).
      await eventually(20_000, async () => {
        const mine = await execute<{ myDisclosures: { nodes: unknown[] } }, never>(gateway, '{ myDisclosures { nodes { at } } }', undefined, asCitizen);
        return (mine.body.data?.myDisclosures.nodes.length ?? 0) > 0 ? true : undefined;
      });
    }
    // A grant, ended, and its notifications, for the consumer without grants and for the ledger's own agency.
    for (const consumer of ['ubnd-tuy-hoa', 'so-khcn']) await grantAndTerminate(consumer, 'cong-an', 'Citizen.ethnicGroup');
    const certificate = await execute<{ landParcel: { certificate: { serial: string } | null } | null }, never>(
      gateway,
      `{ landParcel(id: "${parcelIdAt(0)}") { certificate { serial } } }`,
      undefined,
      { ...purpose, authorization: `Bearer ${await mesh.token(official('so-nn-mt'))}` },
    );
    const serial = certificate.body.data?.landParcel?.certificate?.serial;
    if (!serial) throw new Error(`parcel 0 has no certificate: ${JSON.stringify(certificate.body)}`);
    SAMPLE_ARGUMENTS['Query.landUseCertificate.serial'] = serial;
    const ticket = await execute<{ sendOpenDataFeedback: { id: string } }, never>(
      `${mesh.gatewayUrl}/open/graphql`,
      'mutation { sendOpenDataFeedback(input: { kind: NEW_DATA_REQUEST, message: "Đề nghị công bố danh mục chợ (kiểm thử ma trận)" }) { id } }',
    );
    const id = ticket.body.data?.sendOpenDataFeedback.id;
    if (!id) throw new Error(`no feedback ticket: ${JSON.stringify(ticket.body)}`);
    SAMPLE_ARGUMENTS['Query.openDataFeedbackTicket.id'] = id;
  });

  it('reaches every field of every subgraph: through _entities, a root field, or a path below one', () => {
    const covered = new Set([...CASES.map((c) => c.coordinate), ...nested.map((c) => c.coordinate), ...MUTATIONS.map((m) => m.policy.coordinate)]);
    const missed: string[] = [];
    for (const agency of listAgencies()) {
      const schema = buildSchema(loadDefinition(agency));
      for (const coordinate of schemaFieldPolicies(schema).keys()) {
        if (!coordinate.startsWith('Query.') && !covered.has(coordinate)) missed.push(`${agency.subgraph} ${coordinate}`);
      }
    }
    expect(missed).toEqual([]);
  });

  it.each(CALLERS.filter((c) => c.kind !== 'anonymous').map((c) => [c.kind, c] as const))(
    'gives a %s exactly the access each field below a root allows',
    async (_kind, caller) => {
      const mismatches: string[] = [];
      const reachable = new Set<string>();
      const observed = new Set<string>();
      for (const testCase of nested) {
        const ownerIsGovernance = testCase.owner === 'so-khcn';
        const rowSubject = testCase.selfScoped ? ownRecords(caller.kind) : null;
        const rootSubject = testCase.selfScoped ? rowSubject : testCase.rootSubject;
        if (!testCase.path.every((step, depth) => expectedAccess(step, caller.kind, depth === 0 ? rootSubject : rowSubject, ownerIsGovernance))) continue;
        const expected = expectedAccess(testCase.policy, caller.kind, rowSubject, ownerIsGovernance);
        const query = testCase.query();
        const response = await execute(`${mesh.gatewayUrl}/graphql`, query, undefined, await gatewayHeaders(caller, testCase.owner));
        const errors = response.body.errors ?? [];
        // A root the ledger keeps to some callers (the whole ledger to governance): a workflow rule, not a
        // category, that access.test.ts covers; below it this caller can observe nothing.
        if (errors.some((e) => e.extensions?.['code'] === 'FORBIDDEN' && e.path?.length === 1)) continue;
        reachable.add(testCase.coordinate);
        const refused = errors.filter((e) => e.extensions?.['code'] === 'ACCESS_DENIED' && e.extensions['field'] === testCase.coordinate && e.extensions['category'] === testCase.policy.category);
        const other = errors.filter((e) => !refused.includes(e));
        const leaf = testCase.keys[testCase.keys.length - 1] ?? '';
        const reached = objectsAt(response.body.data, testCase.keys.slice(0, -1)).some((row) => leaf in row);
        if (response.status !== 200 || other.length > 0) {
          mismatches.push(`${testCase.coordinate}: unexpected ${response.status} ${JSON.stringify(other)} to ${query}`);
        } else if (expected && refused.length > 0) {
          mismatches.push(`${testCase.coordinate}: refused but ${testCase.policy.category} should be allowed — ${refused[0]?.message}`);
        } else if (!expected && refused.length === 0 && reached) {
          mismatches.push(`${testCase.coordinate}: ${testCase.policy.category} should be refused, got ${JSON.stringify(response.body.data)}`);
        } else if (expected ? reached : refused.length > 0) {
          observed.add(testCase.coordinate);
        }
      }
      expect(mismatches).toEqual([]);
      const unseen = [...reachable].filter((coordinate) => !observed.has(coordinate) && !unobservable(coordinate, caller.kind));
      expect(unseen).toEqual([]);
      expect(observed.size).toBeGreaterThan(10);
    },
  );
});

const UNKNOWN_ID = '00000000-0000-4000-8000-00000000dead';
/**
 * Arguments for each mutation that pass validation but fail in the resolver once the field is
 * allowed (an unknown id, an unknown agency, an empty message): the matrix changes no state.
 */
const MUTATION_ARGUMENTS: Record<string, string> = {
  requestAccess: 'input: { provider: "khong-ton-tai", fields: ["Citizen.ethnicGroup"], purpose: "kiểm thử ma trận", legalBasis: "kiểm thử", validFrom: "2026-01-01" }',
  approveRequest: `id: "${UNKNOWN_ID}"`,
  refuseRequest: `id: "${UNKNOWN_ID}", reason: "kiểm thử ma trận"`,
  withdrawRequest: `id: "${UNKNOWN_ID}"`,
  suspendGrant: `id: "${UNKNOWN_ID}", reason: "kiểm thử ma trận"`,
  resumeGrant: `id: "${UNKNOWN_ID}", reason: "kiểm thử ma trận"`,
  terminateGrant: `id: "${UNKNOWN_ID}", reason: "kiểm thử ma trận"`,
  markNotificationRead: `id: "${UNKNOWN_ID}"`,
  giveConsent: 'agency: "khong-ton-tai", fields: ["Citizen.ethnicGroup"]',
  withdrawConsent: `id: "${UNKNOWN_ID}"`,
  sendOpenDataFeedback: 'input: { kind: OTHER, message: "" }',
  answerOpenDataFeedback: `id: "${UNKNOWN_ID}", reply: "kiểm thử ma trận"`,
};

/** Every mutation of every subgraph, with its arguments from MUTATION_ARGUMENTS. */
const MUTATIONS = listAgencies().flatMap((agency) => {
  const definition = loadDefinition(agency);
  const schema = buildSchema(definition);
  const policies = schemaFieldPolicies(schema);
  return Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) => {
    const policy = policies.get(`Mutation.${field.name}`);
    if (!policy) throw new Error(`Mutation.${field.name} has no category`);
    const args = MUTATION_ARGUMENTS[field.name];
    if (args === undefined) throw new Error(`no arguments for Mutation.${field.name}: add them to MUTATION_ARGUMENTS`);
    const selection = isLeafType(getNamedType(field.type)) ? '' : '{ __typename }';
    return { name: field.name, policy, owner: agency.agencyCode, query: `mutation { ${field.name}(${args}) ${selection} }`, selfScoped: definition.subjects?.[`Mutation.${field.name}`] === callerIsSubject };
  });
});

describe('the authorisation matrix through mutations, via the gateway', () => {
  it.each(CALLERS.filter((c) => c.kind !== 'anonymous').map((c) => [c.kind, c] as const))(
    'gives a %s exactly the access each mutation\'s category allows, and changes nothing',
    async (_kind, caller) => {
      const mismatches: string[] = [];
      for (const mutation of MUTATIONS) {
        const subject = mutation.selfScoped ? ownRecords(caller.kind) : null;
        const expected = expectedAccess(mutation.policy, caller.kind, subject, mutation.owner === 'so-khcn');
        const response = await execute<Record<string, unknown>, never>(`${mesh.gatewayUrl}/graphql`, mutation.query, undefined, await gatewayHeaders(caller, mutation.owner));
        const errors = response.body.errors ?? [];
        const refused = errors.filter((e) => e.extensions?.['code'] === 'ACCESS_DENIED' && e.extensions['field'] === mutation.policy.coordinate);
        const changed = response.body.data?.[mutation.name];
        if (response.status !== 200 || changed || errors.some(crashed) || errors.length > 1) {
          mismatches.push(`${mutation.policy.coordinate}: did not fail as its arguments should: ${response.status} ${JSON.stringify(response.body)}`);
        } else if (expected && refused.length > 0) {
          mismatches.push(`${mutation.policy.coordinate}: should be allowed, got ${JSON.stringify(response.body)}`);
        } else if (!expected && refused.length === 0) {
          mismatches.push(`${mutation.policy.coordinate}: ${mutation.policy.category} should be refused, got ${JSON.stringify(response.body)}`);
        }
      }
      expect(MUTATIONS.length).toBeGreaterThanOrEqual(10);
      expect(mismatches).toEqual([]);
    },
  );
});
