/**
 * GraphiQL in a real browser (Debian's chromium driven by playwright-core): the page the gateway
 * serves loads from the installed packages with no network beyond the gateway, and runs a query.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startTestMesh, type TestMesh } from './support/mesh';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Skipped only where Debian's chromium is not installed (`apt-get install chromium`; .ci/run does it).
const describeWithBrowser = existsSync(CHROMIUM) ? describe : describe.skip;

describeWithBrowser('GraphiQL at /open/graphql, in chromium', () => {
  let mesh: TestMesh;
  let browser: Browser;
  beforeAll(async () => {
    mesh = await startTestMesh();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await mesh?.stop();
  });

  it('renders from local assets only and runs a query', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    const failures: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(mesh.gatewayUrl)) foreign.push(request.url());
    });
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${mesh.gatewayUrl}/open/graphql`);
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });

    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{ ethnicGroup(code: "01") { name } }');
    await page.click('.graphiql-execute-button');
    await page.locator('.graphiql-response').filter({ hasText: '"name": "Kinh"' }).waitFor({ timeout: 20_000 });

    expect(foreign).toEqual([]);
    expect(failures).toEqual([]);
  }, 60_000);

  it('lets a page of another site read open data and downloads, and nothing that takes a token', async () => {
    const page = await browser.newPage();
    await page.setContent('<p>another site</p>');
    const outcome = await page.evaluate(async (gateway) => {
      const attempt = async (path: string, init?: RequestInit) => {
        try {
          const response = await fetch(`${gateway}${path}`, init);
          return { status: response.status, body: (await response.text()).slice(0, 200) };
        } catch (error) {
          return { blocked: String(error) };
        }
      };
      const json = { method: 'POST', headers: { 'content-type': 'application/json' } };
      return {
        open: await attempt('/open/graphql', { ...json, body: JSON.stringify({ query: '{ ethnicGroup(code: "01") { name } }' }) }),
        download: await attempt('/open/download/ethnicGroups.csv'),
        catalogue: await attempt('/open/catalog.jsonld'),
        agencies: await attempt('/graphql', { ...json, headers: { ...json.headers, authorization: 'Bearer x' }, body: JSON.stringify({ query: '{ __typename }' }) }),
      };
    }, mesh.gatewayUrl);
    expect(outcome.open).toEqual({ status: 200, body: '{"data":{"ethnicGroup":{"name":"Kinh"}}}\n' });
    expect(outcome.download).toMatchObject({ status: 200, body: expect.stringMatching(/^code,name\r\n01,Kinh/) as string });
    expect(outcome.catalogue).toMatchObject({ status: 200 });
    expect(outcome.agencies).toEqual({ blocked: expect.stringContaining('Failed to fetch') as string });
  }, 60_000);

  it('keeps nothing of the headers pane (a token) in the browser beyond the tab, the history of queries run included', async () => {
    const page = await browser.newPage();
    await page.goto(`${mesh.gatewayUrl}/open/graphql`);
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
    await page.click('.graphiql-query-editor .CodeMirror');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{ ethnicGroup(code: "01") { name } }');
    await page.getByRole('button', { name: 'Headers' }).click();
    await page.click('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
    await page.keyboard.type('{"authorization": "Bearer token-marker-123"');
    await page.click('.graphiql-execute-button');
    await page.locator('.graphiql-response').filter({ hasText: '"name": "Kinh"' }).waitFor({ timeout: 20_000 });
    const kept = await page.evaluate(() => ({ local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }) }));
    // Nowhere that outlives the tab; the run is remembered for the tab (its history).
    expect(kept.local).not.toContain('token-marker-123');
    expect(kept.session).toContain('ethnicGroup');
    await page.close();
  }, 60_000);

  it('shows a browser the entry points at /, each a link, and takes a route asked for with a slash after it to the route', async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    const front = await page.goto(`${mesh.gatewayUrl}/`);
    expect(front?.headers()['content-type']).toMatch(/^text\/html/);
    await expect(page.locator('h1').textContent()).resolves.toContain('lienthong');
    const links = await page.locator('dt a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    expect(links).toEqual(expect.arrayContaining(['/graphql', '/open/graphql', '/open/download', '/catalog', '/health']));
    await page.locator('a[href="/catalog"]').click();
    await page.waitForURL(`${mesh.gatewayUrl}/catalog`);
    await expect(page.locator('h1').first().textContent()).resolves.toMatch(/\S/);
    // A slash typed after a route leads to it, its query string kept.
    await page.goto(`${mesh.gatewayUrl}/catalog/`);
    expect(page.url()).toBe(`${mesh.gatewayUrl}/catalog`);
    const download = await page.goto(`${mesh.gatewayUrl}/open/download/?x=1`);
    expect({ url: page.url(), status: download?.status() }).toEqual({ url: `${mesh.gatewayUrl}/open/download?x=1`, status: expect.any(Number) });
    expect(failures).toEqual([]);
    await page.close();
  }, 60_000);

  it('will not be framed by another site, nor the catalogue page', async () => {
    const page = await browser.newPage();
    for (const path of ['/graphql', '/catalog']) {
      const response = await page.goto(`${mesh.gatewayUrl}${path}`);
      expect({ path, frame: response?.headers()['x-frame-options'], csp: response?.headers()['content-security-policy'] }).toEqual({
        path,
        frame: 'DENY',
        csp: expect.stringContaining("frame-ancestors 'none'") as string,
      });
    }
    // Another origin (here a page of its own) framing GraphiQL gets nothing of it.
    await page.setContent(`<iframe id="framed" src="${mesh.gatewayUrl}/graphql"></iframe>`);
    await page.waitForTimeout(1500);
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    expect(framed).toBeDefined();
    // Framed anyway, the page's own element would be there (GraphiQL mounts on it); refused, the frame holds the browser's error page.
    const loaded = await framed?.evaluate(() => document.getElementById('graphiql') !== null).catch(() => false);
    expect(loaded).toBe(false);
  }, 60_000);
});
