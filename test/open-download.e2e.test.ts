/**
 * Open-data downloads at the gateway: every paginated list of the open contract as one CSV or NDJSON
 * file, for anyone, streamed page by page through the open graph.
 */
import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { supergraphFields } from '../schema/catalogue';
import { OPEN_SUPERGRAPH_PATH, SUPERGRAPH_PATH } from '../schema/compose';
import { cannotStart, csvField } from '../gateway/open-download';
import { startTestMesh, type TestMesh } from './support/mesh';

interface IndexEntry {
  readonly name: string;
  readonly description: string | null;
  readonly columns: readonly string[];
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

/** Every row of `field`, paged through /open/graphql as any client would, with `selection` per node. */
async function pagedThroughOpenGraph(field: string, selection: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let after: string | null = null;
  for (;;) {
    const response = await fetch(`${mesh.gatewayUrl}/open/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `query($after: String) { ${field}(first: 100, after: $after) { nodes { ${selection} } pageInfo { hasNextPage endCursor } } }`, variables: { after } }),
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
  it('lists the paginated lists of the open contract, each with its columns and its two files', () => {
    expect(index.map((dataset) => dataset.name)).toEqual(['populationByCommune', 'administrativeUnits', 'constructionPermits', 'enterprises', 'landParcels']);
    for (const dataset of index) {
      expect(dataset).toEqual({
        name: dataset.name,
        description: expect.any(String) as string,
        columns: expect.arrayContaining([expect.any(String)]) as string[],
        csv: `/open/download/${dataset.name}.csv`,
        ndjson: `/open/download/${dataset.name}.ndjson`,
      });
    }
  });

  it('offers only OPEN fields, as the @sharing directives of the served supergraph say', () => {
    const categories = new Map(supergraphFields(readFileSync(SUPERGRAPH_PATH, 'utf8')).map((field) => [field.coordinate, field.category]));
    const open: GraphQLSchema = Supergraph.build(readFileSync(OPEN_SUPERGRAPH_PATH, 'utf8')).apiSchema().toGraphQLJSSchema();
    const nodeType = (name: string): GraphQLObjectType => {
      const connection = getNamedType(open.getQueryType()?.getFields()[name]?.type);
      const node = isObjectType(connection) ? getNamedType(connection.getFields()['nodes']?.type) : undefined;
      if (!isObjectType(node)) throw new Error(`${name} is not a connection`);
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
