/**
 * Open-data downloads at the gateway: every list of the open contract as one CSV or NDJSON file, for
 * anyone, streamed page by page through the open graph; and their catalogue in DCAT.
 */
import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { supergraphFields } from '../schema/catalogue';
import { OPEN_SUPERGRAPH_PATH, SUPERGRAPH_PATH } from '../schema/compose';
import jsonld from 'jsonld';
import { agencyDirectory, readAgency } from '../subgraphs/kit/agency';
import { DEFAULT_OPEN_DATA_LICENSE } from '../gateway/dcat';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cannotStart, csvField, write } from '../gateway/open-download';
import { startGatewayOver, startTestMesh, type TestMesh } from './support/mesh';

interface IndexEntry {
  readonly name: string;
  readonly description: string | null;
  readonly columns: readonly string[];
  readonly parameters: ReadonlyArray<{ name: string; type: string; default: string | null }>;
  readonly csv: string;
  readonly ndjson: string;
}

let mesh: TestMesh;
let index: IndexEntry[];
beforeAll(async () => {
  mesh = await startTestMesh();
  const response = await fetch(`${mesh.gatewayUrl}/open/download`);
  expect(response.status).toBe(200);
  index = ((await response.json()) as { datasets: IndexEntry[] }).datasets;
});
afterAll(() => mesh.stop());

/** Every row of `field` (under `filter`, GraphQL input text), paged through /open/graphql as any client would, with `selection` per node. */
async function pagedThroughOpenGraph(field: string, selection: string, filter?: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let after: string | null = null;
  for (;;) {
    const response = await fetch(`${mesh.gatewayUrl}/open/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `query($after: String) { ${field}(${filter ? `filter: ${filter}, ` : ''}first: 100, after: $after) { nodes { ${selection} } pageInfo { hasNextPage endCursor } } }`, variables: { after } }),
    });
    const body = (await response.json()) as { data: Record<string, { nodes: Record<string, unknown>[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }> };
    const page = body.data[field];
    if (!page) throw new Error(`no ${field} in ${JSON.stringify(body)}`);
    rows.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

/** The rows of an RFC 4180 CSV text (quoted fields, doubled quotes, CRLF line ends). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') rows.push([...row, field]), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

/** The value at a column path (`commune.code`) of an NDJSON row, as the CSV writes it. */
function cell(row: Record<string, unknown>, column: string): string {
  const [head = '', tail] = column.split('.');
  const value = tail === undefined ? row[head] : (row[head] as Record<string, unknown> | null)?.[tail];
  return value === null || value === undefined ? '' : String(value);
}

describe('GET /open/download', () => {
  it('lists the lists of the open contract (paginated ones and code tables), each with its columns and its two files', () => {
    expect(index.map((dataset) => dataset.name)).toEqual([
      'populationByCommune',
      'administrativeUnits',
      'ethnicGroups',
      'landUseTypes',
      'vsicActivities',
      'constructionPermits',
      'enterprises',
      'landParcels',
    ]);
    for (const dataset of index) {
      expect(dataset).toEqual({
        name: dataset.name,
        description: expect.any(String) as string,
        columns: expect.arrayContaining([expect.any(String)]) as string[],
        parameters: expect.arrayContaining([]) as unknown[],
        csv: `/open/download/${dataset.name}.csv`,
        ndjson: `/open/download/${dataset.name}.ndjson`,
      });
    }
  });

  it('offers only OPEN fields, as the @sharing directives of the served supergraph say', () => {
    const categories = new Map(supergraphFields(readFileSync(SUPERGRAPH_PATH, 'utf8')).map((field) => [field.coordinate, field.category]));
    const open: GraphQLSchema = Supergraph.build(readFileSync(OPEN_SUPERGRAPH_PATH, 'utf8')).apiSchema().toGraphQLJSSchema();
    // The type of a row: a connection's node, or the item of a bounded list.
    const nodeType = (name: string): GraphQLObjectType => {
      const returned = getNamedType(open.getQueryType()?.getFields()[name]?.type);
      const nodes = isObjectType(returned) ? returned.getFields()['nodes'] : undefined;
      const node = nodes ? getNamedType(nodes.type) : returned;
      if (!isObjectType(node)) throw new Error(`${name} is not a list of objects`);
      return node;
    };
    for (const dataset of index) {
      const node = nodeType(dataset.name);
      const coordinates = dataset.columns.map((column) => {
        const [head = '', tail] = column.split('.');
        const field = node.getFields()[head];
        const inner = getNamedType(field?.type);
        return tail === undefined ? `${node.name}.${head}` : `${isObjectType(inner) ? inner.name : '?'}.${tail}`;
      });
      expect({ dataset: dataset.name, categories: [...new Set(coordinates.map((c) => categories.get(c) ?? `uncategorised ${c}`))] }).toEqual({ dataset: dataset.name, categories: ['OPEN'] });
    }
  });
});

/** A node of the catalogue, flattened and expanded by a JSON-LD processor: every name a full IRI. */
type LinkedNode = Readonly<Record<string, unknown>>;
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';

/** The IRIs a node refers to under `property`. */
function refs(node: LinkedNode | undefined, property: string): string[] {
  return ((node?.[property] ?? []) as Array<{ '@id': string }>).map((ref) => ref['@id']);
}

/** The literal values of a node's `property`, as `value@language` (or the bare value). */
function literals(node: LinkedNode | undefined, property: string): string[] {
  return ((node?.[property] ?? []) as Array<{ '@value': string; '@language'?: string }>).map((v) => (v['@language'] ? `${v['@value']}@${v['@language']}` : v['@value']));
}

// Before the downloads' tests: the last of those stops a subgraph.
describe('GET /open/catalog.jsonld (DCAT)', () => {
  let nodes: Map<string, LinkedNode>;
  let datasets: LinkedNode[];
  beforeAll(async () => {
    const response = await fetch(`${mesh.gatewayUrl}/open/catalog.jsonld`);
    expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({ status: 200, type: 'application/ld+json; charset=utf-8' });
    // A real JSON-LD processor reads it: the context must map every term to its vocabulary.
    const flat = (await jsonld.flatten((await response.json()) as jsonld.JsonLdDocument)) as unknown as LinkedNode[];
    nodes = new Map(flat.map((node) => [node['@id'] as string, node]));
    datasets = flat.filter((node) => (node['@type'] as string[] | undefined)?.includes(`${DCAT}Dataset`));
  });

  it('lists every open download as a dataset, each with a CSV and an NDJSON file that download', async () => {
    expect(datasets.map((dataset) => literals(dataset, `${DCT}identifier`)[0]).sort()).toEqual(index.map((entry) => entry.name).sort());
    for (const entry of index) {
      const dataset = datasets.find((node) => literals(node, `${DCT}identifier`)[0] === entry.name);
      const files = refs(dataset, `${DCAT}distribution`).flatMap((id) => refs(nodes.get(id), `${DCAT}downloadURL`));
      expect({ dataset: entry.name, files: files.sort() }).toEqual({ dataset: entry.name, files: [`${mesh.gatewayUrl}${entry.csv}`, `${mesh.gatewayUrl}${entry.ndjson}`] });
      for (const file of files) expect({ file, status: (await fetch(file, { method: 'HEAD' })).status }).toEqual({ file, status: 200 });
    }
  });

  it("gives each dataset its owning agency's title, update frequency, publisher and contact officer", () => {
    const owners = new Map(supergraphFields(readFileSync(OPEN_SUPERGRAPH_PATH, 'utf8')).filter((f) => f.typeName === 'Query').map((f) => [f.fieldName, f.subgraphs[0] ?? '']));
    const directory = agencyDirectory();
    for (const dataset of datasets) {
      const name = literals(dataset, `${DCT}identifier`)[0] ?? '';
      const agency = readAgency(owners.get(name) ?? '');
      // Every open dataset of the committed graph has its metadata declared by the agency serving it.
      const declared = agency.openData[name];
      if (!declared) throw new Error(`subgraphs/${agency.subgraph}/agency.json declares nothing for the open dataset ${name}`);
      const publisher = nodes.get(refs(dataset, `${DCT}publisher`)[0] ?? '');
      const contact = nodes.get(refs(dataset, `${DCAT}contactPoint`)[0] ?? '');
      expect({
        name,
        title: literals(dataset, `${DCT}title`),
        frequency: refs(dataset, `${DCT}accrualPeriodicity`),
        publisher: literals(publisher, 'http://xmlns.com/foaf/0.1/name'),
        email: refs(contact, 'http://www.w3.org/2006/vcard/ns#hasEmail'),
      }).toEqual({
        name,
        title: [`${declared.title}@vi`, `${declared.englishTitle}@en`],
        frequency: [`http://publications.europa.eu/resource/authority/frequency/${declared.updateFrequency}`],
        publisher: [directory.get(agency.agencyCode)?.name],
        email: [`mailto:${agency.contact.email}`],
      });
    }
  });

  it('names the licence for the catalogue and every dataset and file, and the open GraphQL service that serves them all', () => {
    const catalogue = [...nodes.values()].find((node) => (node['@type'] as string[] | undefined)?.includes(`${DCAT}Catalog`));
    const service = nodes.get(`${mesh.gatewayUrl}/open/graphql`);
    const files = datasets.flatMap((dataset) => refs(dataset, `${DCAT}distribution`).map((id) => nodes.get(id)));
    expect(refs(catalogue, `${DCT}license`)).toEqual([DEFAULT_OPEN_DATA_LICENSE]);
    for (const node of [...datasets, ...files, service]) expect(refs(node, `${DCT}license`)).toEqual([DEFAULT_OPEN_DATA_LICENSE]);
    expect(refs(service, `${DCAT}endpointURL`)).toEqual([`${mesh.gatewayUrl}/open/graphql`]);
    expect(refs(service, `${DCAT}servesDataset`).sort()).toEqual(datasets.map((dataset) => dataset['@id']).sort());
    expect(refs(catalogue, `${DCAT}dataset`).sort()).toEqual(datasets.map((dataset) => dataset['@id']).sort());
  });

  it("links from the address the gateway is given (PUBLIC_URL, behind a proxy) and names the licence it is given", async () => {
    const gateway = await startGatewayOver(mesh, { publicUrl: 'https://dulieu.daklak.example/', openDataLicense: 'https://dulieu.daklak.example/giay-phep' });
    try {
      const flat = (await jsonld.flatten((await (await fetch(`${gateway.url}/open/catalog.jsonld`)).json()) as jsonld.JsonLdDocument)) as unknown as LinkedNode[];
      const iris = flat.flatMap((node) => [node['@id'] as string, ...Object.values(node).flatMap((value) => (Array.isArray(value) ? (value as Array<{ '@id'?: string }>).map((v) => v['@id']) : []))]);
      const own = iris.filter((iri): iri is string => typeof iri === 'string' && !iri.startsWith('_:') && !/^(mailto|tel):|publications\.europa\.eu|iana\.org/.test(iri));
      expect(own.length).toBeGreaterThan(index.length * 3);
      expect(own.filter((iri) => !iri.startsWith('https://dulieu.daklak.example/'))).toEqual([]);
      expect(new Set(flat.flatMap((node) => refs(node, `${DCT}license`)))).toEqual(new Set(['https://dulieu.daklak.example/giay-phep']));
    } finally {
      await gateway.stop();
    }
  });

  it("is among the entry points GET / names, each of which answers there", async () => {
    const entries = (await (await fetch(`${mesh.gatewayUrl}/`)).json()) as Record<string, { path?: string } | string>;
    const paths = Object.values(entries).flatMap((entry) => (typeof entry === 'object' && entry.path ? [entry.path] : []));
    expect(paths).toEqual(expect.arrayContaining(['/graphql', '/open/graphql', '/open/download', '/open/catalog.jsonld', '/catalog', '/health']));
    for (const path of paths) {
      const { status } = await fetch(`${mesh.gatewayUrl}${path}`);
      // Found: served, or refused for want of a token (or a query), never an unknown route.
      expect({ path, found: [200, 400, 401].includes(status) }).toEqual({ path, found: true });
    }
  });

  it('sends a route asked for with a slash after it to the route (308, method and query kept), and an unknown one to 404', async () => {
    for (const [asked, location] of [['/open/download/', '/open/download'], ['/catalog/?x=1', '/catalog?x=1'], ['/catalog///', '/catalog'], ['/graphql/', '/graphql']] as const) {
      const response = await fetch(`${mesh.gatewayUrl}${asked}`, { method: asked === '/graphql/' ? 'POST' : 'GET', redirect: 'manual' });
      expect({ asked, status: response.status, location: response.headers.get('location') }).toEqual({ asked, status: 308, location });
    }
    const unknown = await fetch(`${mesh.gatewayUrl}/nowhere/`);
    expect(unknown.status).toBe(404);
  });

  it('answers a preflight from another site with the methods each takes', async () => {
    const preflight = (path: string) =>
      fetch(`${mesh.gatewayUrl}${path}`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    for (const [path, methods] of [['/open/graphql', 'GET, POST'], ['/open/download/landParcels.csv', 'GET, HEAD'], ['/open/catalog.jsonld', 'GET, HEAD']] as const) {
      const answer = await preflight(path);
      expect({ path, status: answer.status, origin: answer.headers.get('access-control-allow-origin'), methods: answer.headers.get('access-control-allow-methods') }).toEqual({ path, status: 204, origin: '*', methods });
    }
    for (const path of ['/graphql', '/disclosure-log']) expect({ path, origin: (await preflight(path)).headers.get('access-control-allow-origin') }).toEqual({ path, origin: null });
  });

  it('is linked from the downloads index and the catalogue page', async () => {
    const downloads = (await (await fetch(`${mesh.gatewayUrl}/open/download`)).json()) as { catalog: string };
    expect(downloads.catalog).toBe('/open/catalog.jsonld');
    expect(await (await fetch(`${mesh.gatewayUrl}/catalog`)).text()).toContain('<a href="/open/catalog.jsonld">');
  });
});

describe('GET /open/download/<dataset>.ndjson and .csv', () => {
  it('streams every row of a list, in order, the same as paging /open/graphql, without an account', async () => {
    const response = await fetch(`${mesh.gatewayUrl}/open/download/landParcels.ndjson`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="landParcels.ndjson"');
    const lines = (await response.text()).split('\n');
    expect(lines.pop()).toBe('');
    const rows = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const paged = await pagedThroughOpenGraph('landParcels', 'id');
    // More than one page, so that the download had to follow the cursors.
    expect(paged.length).toBeGreaterThan(100);
    expect(rows.map((row) => row['id'])).toEqual(paged.map((row) => row['id']));
  });

  it('serves a bounded list (a code table) whole, the same rows as /open/graphql gives', async () => {
    const dataset = index.find((entry) => entry.name === 'ethnicGroups');
    if (!dataset) throw new Error('no ethnicGroups dataset');
    const response = await fetch(`${mesh.gatewayUrl}${dataset.csv}`);
    expect(response.status).toBe(200);
    const [header, ...body] = parseCsv(await response.text());
    const graph = await fetch(`${mesh.gatewayUrl}/open/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ ethnicGroups { ${dataset.columns.join(' ')} } }` }),
    });
    const rows = ((await graph.json()) as { data: { ethnicGroups: Record<string, unknown>[] } }).data.ethnicGroups;
    expect(rows.length).toBeGreaterThan(50);
    expect(header).toEqual(dataset.columns);
    expect(body).toEqual(rows.map((row) => dataset.columns.map((column) => cell(row, column))));
  });

  it("narrows a list by its arguments and its filter's fields, given as query parameters, the same as /open/graphql does", async () => {
    const units = index.find((entry) => entry.name === 'administrativeUnits');
    expect(units?.parameters).toEqual(
      expect.arrayContaining([
        { name: 'edition', type: 'AdministrativeEdition', default: 'TWO_LEVEL', values: ['THREE_LEVEL', 'TWO_LEVEL'] },
        { name: 'parentCode', type: 'AdministrativeUnitCode', default: null },
      ]),
    );
    // The units before the 2025 reorganisation, which most records still refer to: not in the default download.
    const older = (await (await fetch(`${mesh.gatewayUrl}/open/download/administrativeUnits.ndjson?edition=THREE_LEVEL`)).text()).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const paged = await pagedThroughOpenGraph('administrativeUnits', 'code edition', '{ edition: THREE_LEVEL }');
    expect(older.length).toBeGreaterThan(0);
    expect(older.map((row) => [row['code'], row['edition']])).toEqual(paged.map((row) => [row['code'], row['edition']]));
    expect(new Set(older.map((row) => row['edition']))).toEqual(new Set(['THREE_LEVEL']));

    const [first] = older;
    const commune = String(first?.['code']);
    const parcels = await fetch(`${mesh.gatewayUrl}/open/download/landParcels.csv?communeCode=${commune}&communeEdition=THREE_LEVEL`);
    const [header, ...rows] = parseCsv(await parcels.text());
    const communeColumn = header?.indexOf('commune.code') ?? -1;
    const inCommune = await pagedThroughOpenGraph('landParcels', 'id', `{ communeCode: "${commune}", communeEdition: THREE_LEVEL }`);
    expect(rows.map((row) => row[0])).toEqual(inCommune.map((row) => row['id']));
    expect(rows.filter((row) => row[communeColumn] !== commune)).toEqual([]);
  });

  it('refuses a parameter the list does not take, one given twice, or a value it cannot take, with a 400 and a code', async () => {
    const cases: Array<[string, string]> = [
      ['/open/download/landParcels.csv?first=5', 'first'],
      ['/open/download/ethnicGroups.csv?edition=TWO_LEVEL', 'edition'],
      ['/open/download/landParcels.csv?communeCode=22015&communeCode=22018', 'communeCode'],
      ['/open/download/landParcels.csv?=22015', ''],
    ];
    for (const [path, parameter] of cases) {
      const response = await fetch(`${mesh.gatewayUrl}${path}`);
      expect({ path, status: response.status, body: await response.json() }).toEqual({
        path,
        status: 400,
        body: { errors: [{ message: expect.stringContaining(parameter) as string, extensions: { code: 'BAD_USER_INPUT', parameter } }] },
      });
    }
    const values: Array<[string, string, string]> = [
      ['/open/download/landParcels.csv?communeCode=not-a-code', 'communeCode', 'Invalid AdministrativeUnitCode'],
      ['/open/download/administrativeUnits.csv?edition=FOUR_LEVEL', 'edition', 'Value "FOUR_LEVEL" does not exist in "AdministrativeEdition" enum.'],
      ['/open/download/populationByCommune.csv?edition=FOUR_LEVEL', 'edition', 'Value "FOUR_LEVEL" does not exist'],
      // Refused by the subgraph rather than by GraphQL: named by its argument.
      ['/open/download/enterprises.csv?name=a', 'name', 'at least 2'],
    ];
    for (const [path, parameter, reason] of values) {
      const response = await fetch(`${mesh.gatewayUrl}${path}`);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect({ path, status: response.status, error: body.errors[0] }).toEqual({
        path,
        status: 400,
        error: { message: expect.stringContaining(`(The value of parameter ${parameter} is not valid: `) as string, extensions: { code: 'BAD_USER_INPUT', parameter } },
      });
      expect(body.errors[0]?.message).toContain(reason);
      // Said as the query parameter, not as the query the gateway ran for it.
      expect(body.errors[0]?.message).not.toContain('$');
    }
  });

  /** The status and first error of the answer at `url` (a file served instead shows as its first line, for the failure to read). */
  async function refusal(url: string): Promise<{ status: number; message: string; extensions: Record<string, unknown> | undefined; count: number }> {
    const response = await fetch(url);
    const text = await response.text();
    if (!response.headers.get('content-type')?.startsWith('application/json')) return { status: response.status, message: text.split('\n')[0] ?? '', extensions: undefined, count: 0 };
    const body = JSON.parse(text) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    return { status: response.status, message: body.errors?.[0]?.message ?? '', extensions: body.errors?.[0]?.extensions, count: body.errors?.length ?? 0 };
  }

  it('refuses a parameter whose percent-encoded bytes are not UTF-8, naming it, rather than searching for U+FFFD', async () => {
    const cases: Array<[string, string]> = [
      ['/open/download/administrativeUnits.csv?name=%ff%fe', 'name'],
      // An encoded lone surrogate (CESU-8), which UTF-8 does not allow.
      ['/open/download/administrativeUnits.csv?name=ab%ED%A0%80cd', 'name'],
      ['/open/download/enterprises.csv?name=%C3%28', 'name'],
      // A sequence cut short, after a good parameter.
      ['/open/download/enterprises.ndjson?communeEdition=TWO_LEVEL&name=Bu%C3', 'name'],
      ['/open/download/landParcels.csv?communeCode=22015%E0%A4', 'communeCode'],
    ];
    for (const [path, parameter] of cases) {
      expect({ path, ...(await refusal(`${mesh.gatewayUrl}${path}`)) }).toEqual({
        path,
        status: 400,
        message: expect.stringContaining(`(${parameter} must be valid percent-encoded UTF-8 text.)`) as string,
        extensions: { code: 'BAD_USER_INPUT', parameter },
        count: 1,
      });
    }
    // A parameter's name is read the same way.
    expect(await refusal(`${mesh.gatewayUrl}/open/download/landParcels.csv?%ff=1`)).toEqual({
      status: 400,
      message: expect.stringContaining("(a parameter's name is not valid percent-encoded UTF-8 text.)") as string,
      extensions: { code: 'BAD_USER_INPUT', parameter: '\uFFFD' },
      count: 1,
    });
    // Vietnamese percent-encoded as UTF-8, a '+' for a space and a '%' not followed by two hex digits are read as ever.
    const units = await fetch(`${mesh.gatewayUrl}/open/download/administrativeUnits.ndjson?edition=THREE_LEVEL&name=Bu%C3%B4n+Ma`);
    expect(units.status).toBe(200);
    const names = (await units.text()).trim().split('\n').map((line) => String((JSON.parse(line) as Record<string, unknown>)['name']));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/Buôn Ma/);
    expect((await fetch(`${mesh.gatewayUrl}/open/download/enterprises.csv?name=100%`)).status).toBe(200);
  });

  it('refuses text PostgreSQL cannot store (a NUL) at the gateway, naming the parameter, before any subgraph is asked', async () => {
    // A gateway whose subgraphs are all unreachable: a parameter a subgraph had to refuse would be a 503.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const nowhere = new Map([...mesh.subgraphs.keys()].map((name) => [name, { url: `http://127.0.0.1:${port}` }]));
    const gateway = await startGatewayOver({ keys: mesh.keys, subgraphs: nowhere });
    try {
      expect((await fetch(`${gateway.url}/open/download/enterprises.csv?name=ab`)).status).toBe(503);
      const cases: Array<[string, string]> = [
        ['/open/download/administrativeUnits.csv?name=ab%00cd', 'name'],
        ['/open/download/enterprises.ndjson?name=%00%00&status=ACTIVE', 'name'],
        ['/open/download/constructionPermits.csv?issuedFrom=2024-01-01%00', 'issuedFrom'],
      ];
      for (const [path, parameter] of cases) {
        for (const url of [`${mesh.gatewayUrl}${path}`, `${gateway.url}${path}`]) {
          expect({ url, ...(await refusal(url)) }).toEqual({
            url,
            status: 400,
            message: expect.stringContaining(`(${parameter} must not contain the NUL character, U+0000.)`) as string,
            extensions: { code: 'BAD_USER_INPUT', parameter },
            count: 1,
          });
        }
      }
    } finally {
      await gateway.stop();
    }
  });

  it('echoes at most the start of a long dataset or parameter name, and refuses a value longer than any filter needs', async () => {
    const long = 'x'.repeat(5000);
    const missing = await fetch(`${mesh.gatewayUrl}/open/download/${long}.csv`);
    const notFound = (await missing.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect({ status: missing.status, extensions: notFound.errors[0]?.extensions }).toEqual({ status: 404, extensions: { code: 'DATASET_NOT_FOUND' } });
    expect(notFound.errors[0]?.message).toContain('No open dataset at /open/download/xxxx');
    expect(notFound.errors[0]?.message.length).toBeLessThan(400);

    const unknown = 'y'.repeat(3000);
    const refused = await refusal(`${mesh.gatewayUrl}/open/download/landParcels.csv?${unknown}=1`);
    expect({ status: refused.status, code: refused.extensions?.['code'] }).toEqual({ status: 400, code: 'BAD_USER_INPUT' });
    expect(refused.message).toContain('no parameter yyyy');
    expect(refused.message).toContain('this list takes: communeCode, communeEdition, landUseType');
    expect(refused.message.length).toBeLessThan(500);
    expect(String(refused.extensions?.['parameter']).length).toBeLessThan(100);
    expect(String(refused.extensions?.['parameter'])).toMatch(/^y+…$/);

    // A name of 500 characters is searched for, counted as written (a letter sent decomposed, ắ as a + two marks, counts once); one more is refused.
    const name = (length: number) => encodeURIComponent('ắ'.repeat(length));
    expect((await fetch(`${mesh.gatewayUrl}/open/download/enterprises.csv?name=${name(500)}`)).status).toBe(200);
    expect((await fetch(`${mesh.gatewayUrl}/open/download/enterprises.csv?name=${encodeURIComponent('ắ'.normalize('NFD').repeat(500))}`)).status).toBe(200);
    for (const path of [`/open/download/enterprises.csv?name=${name(501)}`, `/open/download/landParcels.csv?communeCode=${'1'.repeat(3000)}`]) {
      const parameter = path.includes('name=') ? 'name' : 'communeCode';
      const answer = await refusal(`${mesh.gatewayUrl}${path}`);
      expect({ path: path.slice(0, 60), ...answer }).toEqual({
        path: path.slice(0, 60),
        status: 400,
        message: expect.stringContaining(`(${parameter} is longer than 500 characters.)`) as string,
        extensions: { code: 'BAD_USER_INPUT', parameter },
        count: 1,
      });
      expect(answer.message.length).toBeLessThan(300);
    }
  });

  it('writes the same rows as CSV, one column per field, quoted where needed', async () => {
    const dataset = index.find((entry) => entry.name === 'enterprises');
    if (!dataset) throw new Error('no enterprises dataset');
    const [csv, ndjson] = await Promise.all([
      fetch(`${mesh.gatewayUrl}/open/download/enterprises.csv`).then(async (r) => ({ type: r.headers.get('content-type'), text: await r.text() })),
      fetch(`${mesh.gatewayUrl}/open/download/enterprises.ndjson`).then((r) => r.text()),
    ]);
    expect(csv.type).toBe('text/csv; charset=utf-8; header=present');
    const [header, ...body] = parseCsv(csv.text);
    expect(header).toEqual(dataset.columns);
    const rows = ndjson.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.length).toBeGreaterThan(0);
    expect(body).toEqual(rows.map((row) => dataset.columns.map((column) => cell(row, column))));
  });

  it('serves every list it offers: HEAD gives the headers alone', async () => {
    for (const dataset of index) {
      for (const [file, type] of [
        [dataset.csv, 'text/csv; charset=utf-8; header=present'],
        [dataset.ndjson, 'application/x-ndjson; charset=utf-8'],
      ] as const) {
        const head = await fetch(`${mesh.gatewayUrl}${file}`, { method: 'HEAD' });
        expect({ file, status: head.status, type: head.headers.get('content-type'), body: await head.text() }).toEqual({ file, status: 200, type, body: '' });
      }
    }
  });

  it('refuses other methods, and names an unknown or non-open list', async () => {
    const post = await fetch(`${mesh.gatewayUrl}/open/download/administrativeUnits.csv`, { method: 'POST' });
    expect({ status: post.status, allow: post.headers.get('allow') }).toEqual({ status: 405, allow: 'GET, HEAD' });
    for (const path of ['/open/download/citizens.csv', '/open/download/landParcels.xlsx', '/open/download/nothing']) {
      const refused = await fetch(`${mesh.gatewayUrl}${path}`);
      expect({ path, status: refused.status, body: await refused.json() }).toEqual({
        path,
        status: 404,
        body: { errors: [{ message: expect.stringContaining(`No open dataset at ${path}`) as string, extensions: { code: 'DATASET_NOT_FOUND' } }] },
      });
    }
  });

  it('refuses to start a download when a subgraph it needs is down, with a code and no partial file', async () => {
    const land = mesh.subgraphs.get('land');
    if (!land) throw new Error('no land subgraph');
    await land.stop();
    const response = await fetch(`${mesh.gatewayUrl}/open/download/landParcels.csv`);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(response.status).toBe(503);
    expect(body.errors).toEqual([
      {
        message: expect.stringContaining("The download could not start: Sở Nông nghiệp và Môi trường tỉnh Đắk Lắk — Cơ sở dữ liệu đất đai's system is unavailable; try again later.") as string,
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', agency: 'Sở Nông nghiệp và Môi trường tỉnh Đắk Lắk — Cơ sở dữ liệu đất đai' },
      },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|at /);
  });
});

describe('csvField', () => {
  it('quotes a field with a comma, a quote or a line break, and leaves others as they are', () => {
    expect(['Công ty A, B', 'tên "X"', 'dòng 1\ndòng 2', 'thường', 12.5, true, null].map(csvField)).toEqual([
      '"Công ty A, B"',
      '"tên ""X"""',
      '"dòng 1\ndòng 2"',
      'thường',
      '12.5',
      'true',
      '',
    ]);
  });

  it('puts a \' before text a spreadsheet would run as a formula, and leaves numbers as they are', () => {
    expect(['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', '\tx', '\uFF1D1+1', 'a=b', -3.5].map(csvField)).toEqual([
      '"\'=HYPERLINK(""http://x"")"',
      "'+1",
      "'-2",
      "'@SUM(A1)",
      "'\tx",
      "'\uFF1D1+1",
      'a=b',
      '-3.5',
    ]);
  });
});

describe('cannotStart', () => {
  const agency = 'Sở Xây dựng tỉnh Đắk Lắk — Cơ sở dữ liệu cấp phép xây dựng';
  it('answers 503, naming the agency, for what passes, and 502 for what waiting will not mend', () => {
    const dataset = { name: 'constructionPermits' };
    for (const code of ['SUBGRAPH_UNAVAILABLE', 'DATABASE_UNAVAILABLE', 'DISCLOSURE_LOG_UNAVAILABLE']) {
      expect(cannotStart(dataset, { message: 'x', extensions: { code, agency } })).toEqual([
        503,
        { errors: [{ message: expect.stringContaining(`${agency}'s system is unavailable; try again later`), extensions: { code, agency } }] },
      ]);
    }
    // A provider refusing a field the open contract lists: its words (meant for partial data) are not passed on.
    const [status, body] = cannotStart(dataset, { message: 'Access to X.y (DEFAULT …) refused: the rest of the answer is returned', extensions: { code: 'ACCESS_DENIED' } });
    expect({ status, body }).toEqual({
      status: 502,
      body: { errors: [{ message: expect.stringContaining('the provider did not return the data the open contract lists'), extensions: { code: 'ACCESS_DENIED' } }] },
    });
    expect(JSON.stringify(body)).not.toContain('rest of the answer');
  });
});

describe('write', () => {
  it('waits for a slow client again and again without piling up listeners on the answer', async () => {
    // A real server and a client that reads a little at a time, so that the answer fills and drains many times.
    const listeners: number[] = [];
    const server = createServer((_req, res) => {
      void (async () => {
        for (let i = 0; i < 400; i++) {
          await write(res, 'x'.repeat(16 * 1024));
          listeners.push(res.listenerCount('close') + res.listenerCount('drain') + res.listenerCount('error'));
        }
        res.end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`);
      const reader = response.body?.getReader();
      let bytes = 0;
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        bytes += chunk.value.length;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      expect(bytes).toBe(400 * 16 * 1024);
      // As many listeners after the last wait as after the first: none left behind by a wait.
      expect(Math.max(...listeners)).toBe(listeners[0]);
    } finally {
      server.close();
    }
  });
});
