/**
 * The authorisation matrix, generated from the schemas: every field of every subgraph, for every
 * kind of caller in DESIGN.md §5, reached through `_entities` (each agency subgraph called as the
 * gateway calls it) and every root field of the supergraph reached through the gateway. The
 * category of each field is read from its @sharing directive; the expectation is the §5 table,
 * stated once below. A new field is covered the moment it is added.
 */
import { getNamedType, isObjectType, isLeafType, type GraphQLField, type GraphQLSchema } from 'graphql';
import { schemaFieldPolicies, type FieldPolicy } from '../schema/sharing';
import { listAgencies } from '../subgraphs/kit/agency';
import { askedOf, gatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof, type TokenClaims } from '../subgraphs/kit/identity';
import { loadDefinition } from '../subgraphs/kit/registry';
import { callerIsSubject } from '../subgraphs/kit/authorisation';
import { buildSchema } from '../subgraphs/kit/server';
import { citizenIdentity, parcelIdAt, taxCodeAt } from '../subgraphs/kit/seed-plan';
import { bodyOf, execute, official, startTestMesh, type TestMesh } from './support/mesh';

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
};

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
        const required = field.args.filter((a) => a.type.toString().endsWith('!'));
        const values = required.map((a) => {
          const value = SAMPLE_ARGUMENTS[`Query.${field.name}.${a.name}`] ?? SAMPLE_ARGUMENTS[getNamedType(a.type).name];
          if (value === undefined) throw new Error(`no sample value for Query.${field.name}(${a.name}): add one`);
          return `${a.name}: ${JSON.stringify(value)}`;
        });
        const args = values.length > 0 ? `(${values.join(', ')})` : '';
        const subject = required.some((a) => getNamedType(a.type).name === 'PersonalId') ? citizen0 : null;
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
        const claims = caller.claims(root.owner);
        const headers: Record<string, string> = { 'x-purpose': encodeURIComponent('kiểm thử') };
        if (claims) headers['authorization'] = `Bearer ${await mesh.token(claims)}`;
        const response = await execute(`${mesh.gatewayUrl}/graphql`, root.query, undefined, headers);
        const subject = root.selfScoped ? (caller.kind === 'citizen, own records' ? citizen0 : caller.kind === 'citizen, others\' records' ? citizen5 : null) : root.subject;
        const expected = expectedAccess(root.policy, caller.kind, subject, root.owner === 'so-khcn');
        const denied = (response.body.errors ?? []).filter((e) => e.extensions?.['code'] === 'ACCESS_DENIED' && e.extensions['field'] === root.policy.coordinate);
        if (expected === denied.length > 0) mismatches.push(`${root.policy.coordinate} (${root.policy.category}): ${JSON.stringify(response.body)}`);
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
