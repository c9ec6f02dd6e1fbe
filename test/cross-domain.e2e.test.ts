import { OUTBOX_STATEMENTS } from '../subgraphs/kit/outbox';
import {
  citizenIdentity,
  holderOfParcel,
  parcelIdAt,
  parcelOfPermit,
  parcelsOfEnterprise,
  representativeOf,
  seedSizes,
  taxCodeAt,
} from '../subgraphs/kit/seed-plan';
import {
  CitizenBusinessFootprintDocument,
  CurrentUnitOfDocument,
  EnterprisesByBusinessLineDocument,
  PermitsInCommuneDocument,
} from './__generated__/operations';
import { execute, official, startTestMesh, TEST_SCALE , type TestMesh } from './support/mesh';
import { idealStatementsPerSubgraph, queryPlan } from './support/query-plan';
import { print } from 'graphql';
import { foldVietnamese } from '../subgraphs/kit/text';
import { loadAdministrativeUnits } from '../subgraphs/codes/data/administrative-units';

const sizes = seedSizes(TEST_SCALE);
let mesh: TestMesh;
/** An official of a consuming agency (Sở Y tế): sees OPEN and DEFAULT fields. */
let asOfficial: Record<string, string>;
let graphql: string;

beforeAll(async () => {
  // The batching tests count statements per planned fetch: with open data kept at the gateway, a
  // fetch of units already seen would not be sent at all (test/open-data-cache.e2e.test.ts).
  mesh = await startTestMesh({ openDataCacheBytes: 0 });
  graphql = `${mesh.gatewayUrl}/graphql`;
  asOfficial = { authorization: `Bearer ${await mesh.token(official('so-y-te'))}` };
});
afterAll(() => mesh.stop());

/**
 * The statements each subgraph sends while `run` runs, by name in order sent. The access ledger is
 * left out (providers poll it every second, whatever the request), and so are the outbox relay's
 * statements, which follow an answer and belong to no request.
 */
async function statementsDuring(run: () => Promise<void>): Promise<Record<string, string[]>> {
  const statements: Record<string, string[]> = {};
  const unsubscribe = [...mesh.subgraphs]
    .filter(([name]) => name !== 'access')
    .map(([name, subgraph]) =>
      subgraph.db.onStatement((statement) => {
        if (!OUTBOX_STATEMENTS.has(statement)) (statements[name] ??= []).push(statement);
      }),
    );
  try {
    await run();
  } finally {
    for (const stop of unsubscribe) stop();
  }
  return statements;
}

/** How many statements each subgraph sent. */
function counts(statements: Record<string, string[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(statements).map(([name, list]) => [name, list.length]));
}

/** The variables of query 2 that find permit 0000001/GPXD: its commune and the year it was issued. */
async function yearOfPermit1(): Promise<{ commune: string; edition: 'THREE_LEVEL' | 'TWO_LEVEL'; from: string; to: string }> {
  const lookup = await execute(graphql, `{ constructionPermit(number: "0000001/GPXD") { issuedOn commune { code edition } } }`, undefined, asOfficial);
  const permit = (lookup.body.data as { constructionPermit: { issuedOn: string; commune: { code: string; edition: 'THREE_LEVEL' | 'TWO_LEVEL' } } })
    .constructionPermit;
  const year = permit.issuedOn.slice(0, 4);
  return { commune: permit.commune.code, edition: permit.commune.edition, from: `${year}-01-01`, to: `${year}-12-31` };
}

/** The variables of query 3 that find enterprise 0: its commune and its main business line. */
async function businessLineOfEnterprise0(): Promise<{ commune: string; edition: 'THREE_LEVEL' | 'TWO_LEVEL'; line: string }> {
  const lookup = await execute(
    graphql,
    `{ enterprise(taxCode: "${taxCodeAt(0)}") { commune { code edition } businessLines { isMain activity { code } } } }`,
    undefined,
    asOfficial,
  );
  const enterprise = (lookup.body.data as {
    enterprise: { commune: { code: string; edition: 'THREE_LEVEL' | 'TWO_LEVEL' }; businessLines: Array<{ isMain: boolean; activity: { code: string } }> };
  }).enterprise;
  return {
    commune: enterprise.commune.code,
    edition: enterprise.commune.edition,
    line: enterprise.businessLines.find((line) => line.isMain)?.activity.code ?? '',
  };
}

describe('the four example cross-domain queries, through the gateway', () => {
  it('1. follows a citizen to the enterprises they represent, their parcels and the permits on them', async () => {
    const citizen = citizenIdentity(0);
    const response = await execute(graphql, CitizenBusinessFootprintDocument, { id: citizen.id }, asOfficial);

    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const found = response.body.data?.citizen;
    // The links are exactly the seed plan's: the enterprises citizen 0 represents, and their parcels.
    const represented = Array.from({ length: sizes.enterprises }, (_, j) => j).filter((j) => representativeOf(j, sizes) === 0);
    expect(found?.enterprises?.map((e) => e.taxCode).sort()).toEqual(represented.map(taxCodeAt).sort());
    for (const enterprise of found?.enterprises ?? []) {
      const j = represented.find((index) => taxCodeAt(index) === enterprise.taxCode) ?? -1;
      expect(enterprise.landParcels?.map((p) => p.id).sort()).toEqual(parcelsOfEnterprise(j, sizes).map(parcelIdAt).sort());
    }
    const permits = found?.enterprises?.flatMap((e) => e.landParcels?.flatMap((p) => p.constructionPermits ?? []) ?? []) ?? [];
    expect(permits.length).toBeGreaterThan(0);
    // Every address is expanded to unit names, up to the province.
    const communes = [found?.commune, ...(found?.enterprises ?? []).flatMap((e) => [e.commune, ...(e.landParcels ?? []).map((p) => p.commune)])];
    for (const commune of communes) expect(commune?.fullName).toMatch(/, Tỉnh (Phú Yên|Đắk Lắk)$/);
    // And the whole response, names included, is pinned.
    expect(response.body).toMatchSnapshot();
  });

  it('2. lists permits issued in a commune within a date range, with parcel area, land use and applicant', async () => {
    const variables = await yearOfPermit1();
    const year = variables.from.slice(0, 4);
    const response = await execute(graphql, PermitsInCommuneDocument, variables, asOfficial);

    expect(response.body.errors).toBeUndefined();
    const nodes = response.body.data?.constructionPermits?.nodes ?? [];
    const ours = nodes.find((n) => n.number === '0000001/GPXD');
    const holder = holderOfParcel(parcelOfPermit(0, sizes), sizes);
    expect(ours?.parcel?.id).toBe(parcelIdAt(parcelOfPermit(0, sizes)));
    expect(ours?.applicant).toEqual(
      holder.kind === 'CITIZEN'
        ? { __typename: 'Citizen', id: citizenIdentity(holder.index).id, fullName: expect.any(String) }
        : { __typename: 'Enterprise', taxCode: taxCodeAt(holder.index), name: expect.any(String) },
    );
    for (const node of nodes) expect(node.issuedOn.slice(0, 4)).toBe(year);
    expect(response.body).toMatchSnapshot();
  });

  it('3. lists enterprises in a commune with a business line, with their legal representative\'s name', async () => {
    const variables = await businessLineOfEnterprise0();
    const mainLine = variables.line;
    const response = await execute(graphql, EnterprisesByBusinessLineDocument, variables, asOfficial);

    expect(response.body.errors).toBeUndefined();
    const nodes = response.body.data?.enterprises?.nodes ?? [];
    const ours = nodes.find((n) => n.taxCode === taxCodeAt(0));
    expect(ours?.legalRepresentative?.id).toBe(citizenIdentity(representativeOf(0, sizes)).id);
    for (const node of nodes) expect((node.businessLines ?? []).map((l) => l.activity?.code)).toContain(mainLine);
    expect(response.body).toMatchSnapshot();
  });

  it('4. resolves a pre-2025 commune code to the unit that replaced it', async () => {
    const response = await execute(graphql, CurrentUnitOfDocument, { code: '22015' }, asOfficial);

    expect(response.body).toEqual({
      data: {
        administrativeUnit: {
          code: '22015',
          edition: 'THREE_LEVEL',
          name: 'Phường 1',
          fullName: 'Phường 1, Thành phố Tuy Hoà, Tỉnh Phú Yên',
          validUntil: '2025-06-30',
          district: { code: '555', name: 'Thành phố Tuy Hoà' },
          province: { code: '54', name: 'Tỉnh Phú Yên' },
          successors: [
            {
              code: '22015',
              edition: 'TWO_LEVEL',
              name: 'Phường Tuy Hòa',
              fullName: 'Phường Tuy Hòa, Tỉnh Đắk Lắk',
              validFrom: '2025-07-01',
              province: { code: '66', name: 'Tỉnh Đắk Lắk' },
            },
          ],
        },
      },
    });
  });
});

// The ideal comes from the gateway's own plan: one statement per entity type per subgraph fetch,
// whatever the number of rows (several enterprises, several parcels each, several business lines).
describe('batching', () => {
  it('runs query 1 with one SQL statement per entity type per subgraph fetch', async () => {
    const statements = await statementsDuring(async () => {
      const response = await execute(graphql, CitizenBusinessFootprintDocument, { id: citizenIdentity(0).id }, asOfficial);
      expect(response.body.errors).toBeUndefined();
    });

    expect(counts(statements)).toEqual(idealStatementsPerSubgraph(queryPlan(print(CitizenBusinessFootprintDocument))));
    // Which statements: the batched lookups, never a per-row one.
    for (const list of Object.values(statements)) list.sort();
    expect(statements).toEqual({
      citizens: ['citizensByIds'],
      enterprises: ['enterprisesByRepresentatives'],
      land: ['currentParcelsByEnterprises'],
      construction: ['permitsByParcels'],
      codes: expect.any(Array),
    });
    expect(new Set(statements['codes'])).toEqual(new Set(['unitLineages', 'landUseTypesByCodes']));
  });

  it('runs query 2 with one SQL statement per entity type per subgraph fetch', async () => {
    const variables = await yearOfPermit1();
    let applicants: string[] = [];
    const statements = await statementsDuring(async () => {
      const response = await execute(graphql, PermitsInCommuneDocument, variables, asOfficial);
      expect(response.body.errors).toBeUndefined();
      applicants = (response.body.data?.constructionPermits?.nodes ?? []).map((node) => node.applicant?.__typename ?? 'none');
    });

    // The gateway skips the citizens fetch when no applicant in the page is a citizen.
    const ideal = idealStatementsPerSubgraph(queryPlan(print(PermitsInCommuneDocument)));
    const fetched = applicants.includes('Citizen') ? ideal : Object.fromEntries(Object.entries(ideal).filter(([name]) => name !== 'citizens'));
    expect(counts(statements)).toEqual(fetched);
  });

  it('runs query 3 with the enterprises\' business lines in the search\'s one statement', async () => {
    const variables = await businessLineOfEnterprise0();
    let nodes: ReadonlyArray<{ businessLines?: ReadonlyArray<unknown> | null }> = [];
    const statements = await statementsDuring(async () => {
      const response = await execute(graphql, EnterprisesByBusinessLineDocument, variables, asOfficial);
      expect(response.body.errors).toBeUndefined();
      nodes = response.body.data?.enterprises?.nodes ?? [];
    });

    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((node) => (node.businessLines?.length ?? 0) > 0)).toBe(true);
    expect(counts(statements)).toEqual(idealStatementsPerSubgraph(queryPlan(print(EnterprisesByBusinessLineDocument))));
    expect(statements).toEqual({ enterprises: ['searchEnterprises'], citizens: ['citizensByIds'], codes: ['vsicActivitiesByCodes'] });
  });

  it('serves each page size of business lines from the search\'s one statement, the same lines as a lookup by tax code', async () => {
    const lines = 'isMain activity { code }';
    const query = `{ enterprises(first: 30) { nodes { taxCode main: businessLines(first: 1) { ${lines} } all: businessLines { ${lines} } } } }`;
    type Line = { isMain: boolean; activity: { code: string } };
    let nodes: Array<{ taxCode: string; main: Line[]; all: Line[] }> = [];
    const statements = await statementsDuring(async () => {
      const response = await execute(graphql, query, undefined, asOfficial);
      expect(response.body.errors).toBeUndefined();
      nodes = (response.body.data as { enterprises: { nodes: typeof nodes } }).enterprises.nodes;
    });

    expect(counts(statements)).toEqual(idealStatementsPerSubgraph(queryPlan(query)));
    expect(statements['enterprises']).toEqual(['searchEnterprises']);
    expect(nodes).toHaveLength(30);
    for (const node of nodes.slice(0, 5)) {
      const lookup = await execute(graphql, `{ enterprise(taxCode: "${node.taxCode}") { businessLines { ${lines} } } }`, undefined, asOfficial);
      const { businessLines } = (lookup.body.data as { enterprise: { businessLines: Line[] } }).enterprise;
      expect(node.all).toEqual(businessLines);
      expect(node.main).toEqual(businessLines.slice(0, 1));
    }
    expect(nodes.some((node) => node.all.length > 1)).toBe(true);
  });

  it('runs query 4 with a unit, its successors and all their names up to the province in one statement', async () => {
    const statements = await statementsDuring(async () => {
      const response = await execute(graphql, CurrentUnitOfDocument, { code: '22015' }, asOfficial);
      expect(response.body.errors).toBeUndefined();
    });

    expect(counts(statements)).toEqual(idealStatementsPerSubgraph(queryPlan(print(CurrentUnitOfDocument))));
    expect(statements).toEqual({ codes: ['unitLineages'] });
  });

  it('resolves the successors of many addresses, with their names, in one statement', async () => {
    const query = `{
      landParcels(first: 40) {
        nodes { id commune { code edition fullName successors { code edition fullName province { code } } } }
      }
    }`;
    type Unit = { code: string; edition: string; fullName: string };
    let nodes: Array<{ id: string; commune: Unit & { successors: Array<Unit & { province: { code: string } }> } }> = [];
    const statements = await statementsDuring(async () => {
      const response = await execute(graphql, query, undefined, asOfficial);
      expect(response.body.errors).toBeUndefined();
      nodes = (response.body.data as { landParcels: { nodes: typeof nodes } }).landParcels.nodes;
    });

    expect(counts(statements)).toEqual(idealStatementsPerSubgraph(queryPlan(query)));
    expect(statements['codes']).toEqual(['unitLineages']);
    // Both systems are among the addresses: old communes have their successors, new ones none.
    const { crosswalk } = loadAdministrativeUnits();
    const editions = new Set(nodes.map((node) => node.commune.edition));
    expect(editions).toEqual(new Set(['THREE_LEVEL', 'TWO_LEVEL']));
    for (const { commune } of nodes) {
      const expected = commune.edition === 'THREE_LEVEL' ? crosswalk.filter((row) => row.oldCode === commune.code).map((row) => row.newCode) : [];
      expect(commune.successors.map((unit) => unit.code)).toEqual(expected.sort());
      for (const successor of commune.successors) {
        expect(successor).toEqual({
          code: successor.code,
          edition: 'TWO_LEVEL',
          fullName: expect.stringMatching(/^[^,]+, Tỉnh Đắk Lắk$/),
          province: { code: '66' },
        });
      }
    }
  });
});

describe('name search', () => {
  it('finds a citizen by name typed without diacritics', async () => {
    const id = citizenIdentity(3).id;
    const lookup = await execute(graphql, `{ citizen(id: "${id}") { fullName } }`, undefined, asOfficial);
    const fullName = (lookup.body.data as { citizen: { fullName: string } }).citizen.fullName;
    const plain = foldVietnamese(fullName).toUpperCase();
    expect(plain).not.toBe(fullName.toUpperCase()); // the seeded name does carry diacritics

    const response = await execute(graphql, 'query ($name: String!) { citizens(filter: { name: $name }, first: 100) { nodes { id fullName } } }', {
      name: plain,
    }, asOfficial);
    expect(response.body.errors).toBeUndefined();
    const nodes = (response.body.data as { citizens: { nodes: Array<{ id: string; fullName: string }> } }).citizens.nodes;
    expect(nodes).toContainEqual({ id, fullName });
    for (const node of nodes) expect(foldVietnamese(node.fullName)).toContain(foldVietnamese(fullName));
  });
});

describe('cursors', () => {
  it('page the citizens by offset, so that no cursor carries a personal id', async () => {
    const query = 'query ($after: String) { citizens(first: 3, after: $after) { nodes { id } pageInfo { endCursor } } }';
    type Citizens = { citizens: { nodes: Array<{ id: string }>; pageInfo: { endCursor: string } } };
    const first = (await execute(graphql, query, { after: null }, asOfficial)).body.data as Citizens;
    const second = (await execute(graphql, query, { after: first.citizens.pageInfo.endCursor }, asOfficial)).body.data as Citizens;
    const ids = [...first.citizens.nodes, ...second.citizens.nodes].map((node) => node.id);
    expect(new Set(ids).size).toBe(6);
    for (const cursor of [first.citizens.pageInfo.endCursor, second.citizens.pageInfo.endCursor]) {
      const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
      for (const id of ids) expect(decoded).not.toContain(id.slice(-6));
    }
  });

  it('page the parcels by key: the cursor names the last parcel shown', async () => {
    const query = 'query ($after: String) { landParcels(first: 3, after: $after) { nodes { id } pageInfo { endCursor } } }';
    type Parcels = { landParcels: { nodes: Array<{ id: string }>; pageInfo: { endCursor: string } } };
    const first = (await execute(graphql, query, { after: null }, asOfficial)).body.data as Parcels;
    expect(Buffer.from(first.landParcels.pageInfo.endCursor, 'base64url').toString('utf8')).toContain(first.landParcels.nodes[2]?.id);
    const second = (await execute(graphql, query, { after: first.landParcels.pageInfo.endCursor }, asOfficial)).body.data as Parcels;
    const six = (await execute(graphql, '{ landParcels(first: 6) { nodes { id } } }', undefined, asOfficial)).body.data as Parcels;
    expect([...first.landParcels.nodes, ...second.landParcels.nodes]).toEqual(six.landParcels.nodes);
  });
});
