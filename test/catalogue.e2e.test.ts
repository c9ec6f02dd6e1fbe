/**
 * The sharing-service catalogue at the gateway (DESIGN.md §8): generated from the supergraph it
 * serves and the agencies' metadata, it lists every agency, its contact officer, its databases,
 * datasets and fields with their categories, and how to ask for special-request fields.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isObjectType } from 'graphql';
import { chromium, type Browser } from 'playwright-core';
import type { Catalogue } from '../schema/catalogue';
import { SUPERGRAPH_PATH } from '../schema/compose';
import { schemaFieldPolicies } from '../schema/sharing';
import { listAgencies } from '../subgraphs/kit/agency';
import { loadDefinition } from '../subgraphs/kit/registry';
import { buildSchema } from '../subgraphs/kit/server';
import { execute, official, startTestMesh, type TestMesh } from './support/mesh';

let mesh: TestMesh;
let catalogue: Catalogue;
beforeAll(async () => {
  mesh = await startTestMesh();
  const response = await fetch(`${mesh.gatewayUrl}/catalog.json`);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  catalogue = (await response.json()) as Catalogue;
});
afterAll(() => mesh.stop());

function database(subgraph: string) {
  for (const agency of catalogue.agencies) for (const db of agency.databases) if (db.subgraph === subgraph) return { agency, db };
  return undefined;
}

describe('/catalog.json', () => {
  it('is read-only: HEAD gives the headers alone, and any method but GET or HEAD a 405, on both documents', async () => {
    for (const path of ['/catalog.json', '/catalog']) {
      const head = await fetch(`${mesh.gatewayUrl}${path}`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
      expect(await head.text()).toBe('');
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const refused = await fetch(`${mesh.gatewayUrl}${path}`, { method });
        expect({ path, method, status: refused.status, allow: refused.headers.get('allow') }).toEqual({ path, method, status: 405, allow: 'GET, HEAD' });
      }
    }
  });

  it('is generated from the supergraph the gateway serves', () => {
    expect(catalogue.supergraph).toBe(createHash('sha256').update(readFileSync(SUPERGRAPH_PATH, 'utf8')).digest('hex'));
  });

  it('lists every agency subgraph as a database of its agency, with its contact officer', () => {
    for (const agency of listAgencies()) {
      const found = database(agency.subgraph);
      expect({ subgraph: agency.subgraph, code: found?.agency.code, name: found?.db.name, contact: found?.db.contact }).toEqual({
        subgraph: agency.subgraph,
        code: agency.agencyCode,
        name: agency.name,
        contact: agency.contact,
      });
      expect(found?.agency.name).toEqual(expect.any(String));
    }
  });

  it("shows every field a subgraph resolves with the category and personal flag of that subgraph's own schema", () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const agency of listAgencies()) {
      const schema = buildSchema(loadDefinition(agency));
      const policies = schemaFieldPolicies(schema);
      const datasets = new Map((database(agency.subgraph)?.db.datasets ?? []).map((d) => [d.name, new Map(d.fields.map((f) => [f.name, f]))]));
      for (const type of Object.values(schema.getTypeMap())) {
        if (!isObjectType(type) || type.name.startsWith('_') || type.name.startsWith('__')) continue;
        const stub = type.astNode?.directives?.some((d) => d.name.value === 'key' && d.arguments?.some((a) => a.name.value === 'resolvable' && a.value.kind === 'BooleanValue' && !a.value.value));
        if (stub) continue;
        for (const field of Object.values(type.getFields())) {
          const policy = policies.get(`${type.name}.${field.name}`);
          if (!policy || field.name.startsWith('_') || field.astNode?.directives?.some((d) => d.name.value === 'external')) continue;
          checked++;
          const listed = datasets.get(type.name)?.get(field.name);
          const expected = { category: policy.category, personal: policy.personal };
          if (!listed) mismatches.push(`${agency.subgraph}: ${policy.coordinate} missing`);
          else if (listed.category !== expected.category || listed.personal !== expected.personal) {
            mismatches.push(`${agency.subgraph}: ${policy.coordinate} listed ${listed.category}/${listed.personal}, schema says ${expected.category}/${expected.personal}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(mismatches).toEqual([]);
  });

  it('lists paging types (connections and PageInfo) after the datasets, marked as such', () => {
    const datasets = database('enterprises')?.db.datasets ?? [];
    const names = datasets.map((d) => d.name);
    expect(datasets.find((d) => d.name === 'EnterpriseConnection')?.paging).toBe(true);
    expect(datasets.find((d) => d.name === 'Enterprise')?.paging).toBe(false);
    expect(datasets.find((d) => d.name === 'Query')?.paging).toBe(false);
    const firstPaging = datasets.findIndex((d) => d.paging);
    expect(firstPaging).toBeGreaterThan(names.indexOf('Enterprise'));
    expect(datasets.slice(firstPaging).every((d) => d.paging)).toBe(true);
    const pageInfo = catalogue.agencies.flatMap((a) => a.databases.flatMap((db) => db.datasets)).filter((d) => d.name === 'PageInfo');
    expect(pageInfo.length).toBeGreaterThan(0);
    expect(pageInfo.every((d) => d.paging)).toBe(true);
  });

  it('tells how to request each special-request field from its owner, and nothing for the others', () => {
    for (const agency of catalogue.agencies) {
      for (const db of agency.databases) {
        for (const dataset of db.datasets) {
          for (const field of dataset.fields) {
            if (field.category === 'SPECIAL_REQUEST') {
              expect(field.requestAccess).toContain(`provider: "${agency.code}", fields: ["${field.coordinate}"]`);
            } else {
              expect(field.requestAccess).toBeNull();
            }
          }
        }
      }
    }
    // A root type's description is the catalogue's own, never another subgraph's.
    expect(database('citizens')?.db.datasets.find((d) => d.name === 'Query')?.description).toBe('Các truy vấn gốc mà cơ sở dữ liệu này cung cấp (root query fields).');
    const ethnicGroup = database('citizens')?.db.datasets.find((d) => d.name === 'Citizen')?.fields.find((f) => f.name === 'ethnicGroup');
    expect(ethnicGroup).toMatchObject({ coordinate: 'Citizen.ethnicGroup', category: 'SPECIAL_REQUEST', personal: true, description: expect.any(String) });
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Skipped only where Debian's chromium is not installed (`apt-get install chromium`; .ci/run does it).
const describeWithBrowser = existsSync(CHROMIUM) ? describe : describe.skip;

describeWithBrowser('/catalog, in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  afterAll(() => browser?.close());

  it('reads as a Vietnamese page listing agencies, contact officers and fields with their categories', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(mesh.gatewayUrl)) foreign.push(request.url());
    });
    await page.goto(`${mesh.gatewayUrl}/catalog`);
    expect(await page.locator('h1').textContent()).toBe('Danh mục dịch vụ chia sẻ dữ liệu của tỉnh');
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    const police = page.locator('section.agency', { has: page.locator('h2#cong-an') });
    await expect(police.locator('.contact').first().textContent()).resolves.toContain('Đầu mối');
    const row = police.locator('section.dataset', { has: page.locator('h4#citizens-Citizen') }).locator('tr', { hasText: 'ethnicGroup' });
    await expect(row.locator('td').nth(3).textContent()).resolves.toBe('Chia sẻ theo yêu cầu riêng');
    await expect(row.locator('td').nth(4).textContent()).resolves.toBe('Có');
    // Paging types come under their own heading, after the datasets.
    const census = police.locator('section.database', { has: page.locator('h4#citizens-Citizen') });
    await expect(census.locator('h4.paging-heading').textContent()).resolves.toContain('Kiểu phân trang');
    expect(await census.locator('section.dataset.paging h4').allTextContents()).toContain('PageInfo');
    expect(await census.locator('section.dataset:not(.paging) h4').allTextContents()).not.toContain('PageInfo');
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('opens with the open datasets a person can download, each with its title, agency, update frequency and files', async () => {
    const page = await browser.newPage();
    await page.goto(`${mesh.gatewayUrl}/catalog`);
    const downloads = (await (await fetch(`${mesh.gatewayUrl}/open/download`)).json()) as { datasets: Array<{ name: string; csv: string }> };
    const rows = page.locator('section.open-data tbody tr');
    expect(await rows.count()).toBe(downloads.datasets.length);
    const parcels = rows.filter({ hasText: 'Thửa đất' });
    await expect(parcels.locator('td').nth(1).textContent()).resolves.toBe('Sở Nông nghiệp và Môi trường tỉnh Đắk Lắk');
    await expect(parcels.locator('td').nth(2).textContent()).resolves.toBe('liên tục: đọc trực tiếp từ hệ thống của cơ quan');
    // Its CSV link, followed as a browser would, downloads the list.
    const [file] = await Promise.all([page.waitForEvent('download'), parcels.locator('a', { hasText: 'CSV' }).click()]);
    expect(file.suggestedFilename()).toBe('landParcels.csv');
    const hrefs = await rows.locator('a', { hasText: 'CSV' }).evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    expect(hrefs.sort()).toEqual(downloads.datasets.map((dataset) => dataset.csv).sort());
    await page.close();
  });

  it('lets a person send feedback on a dataset from the page, with scripts off, and read the ticket it gives', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${mesh.gatewayUrl}/catalog#gop-y`);
    const form = page.locator('section.feedback form');
    await form.locator('select[name=dataset]').selectOption('landParcels');
    // The kinds are the open contract's, each said by its description.
    expect(await form.locator('select[name=kind] option').allTextContents()).toContain('Dữ liệu sai, thiếu hoặc cũ (wrong, missing or outdated data).');
    await form.locator('select[name=kind]').selectOption('DATA_ERROR');
    await form.locator('textarea[name=message]').fill('Thửa đất ở xã 22015 ghi sai diện tích.');
    await form.locator('input[name=contact]').fill('nguoi.dan@example.org');
    await Promise.all([page.waitForURL(/\/open\/feedback\/[0-9a-f-]{36}$/), form.locator('button[type=submit]').click()]);
    expect(await page.locator('h1').textContent()).toBe('Phiếu góp ý (feedback ticket)');
    const ticket = await page.locator('dl').textContent();
    expect(ticket).toContain('landParcels');
    expect(ticket).toContain('Sở Nông nghiệp và Môi trường tỉnh Đắk Lắk');
    expect(ticket).toContain('chưa trả lời');
    expect(await page.content()).not.toContain('nguoi.dan@example.org');
    // The agency sees it, with the contact, and its reply shows on the ticket's page.
    const id = page.url().split('/').pop() ?? '';
    const land = { authorization: `Bearer ${await mesh.token(official('so-nn-mt'))}` };
    const answered = await execute(`${mesh.gatewayUrl}/graphql`, 'mutation($id: ID!) { answerOpenDataFeedback(id: $id, reply: "Đã sửa diện tích.") { contact } }', { id }, land);
    expect(answered.body.data).toEqual({ answerOpenDataFeedback: { contact: 'nguoi.dan@example.org' } });
    await page.reload();
    expect(await page.locator('dl').textContent()).toContain('Đã sửa diện tích.');
    await context.close();
  });
});
