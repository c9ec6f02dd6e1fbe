/**
 * The gateway follows the schema registry (DESIGN.md §8): what an agency publishes is served, with
 * its open contract and catalogue, without restarting anything.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_SUPERGRAPH_PATH, registryReaderSecret } from '../schema/registry/gateway-feed';
import { registryFeed } from '../subgraphs/kit/standalone';
import { ConfigError } from '../subgraphs/kit/config';
import { execute, official, startTestMesh, type TestMesh } from './support/mesh';
import { underLoad } from './support/load';

const OLD = 'Tên doanh nghiệp bằng tiếng Việt (registered name in Vietnamese).';
const NEW = 'Tên doanh nghiệp bằng tiếng Việt, như trên giấy chứng nhận (registered name in Vietnamese, as certified).';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startTestMesh({ registry: true });
});
afterAll(() => mesh.stop());

async function nameDescription(url: string): Promise<string | undefined> {
  const response = await execute<{ __type: { fields: Array<{ name: string; description: string }> } }, never>(url, '{ __type(name: "Enterprise") { fields { name description } } }');
  return response.body.data?.__type.fields.find((f) => f.name === 'name')?.description;
}

it('serves the registry’s supergraph from the start, and a version an agency publishes within seconds, catalogue and open contract included', async () => {
  const registry = mesh.registryUrl ?? '';
  expect(mesh.gateway.currentVersion()).toMatch(/^registry-v1-/);
  expect(await nameDescription(`${mesh.gatewayUrl}/open/graphql`)).toBe(OLD);

  const sdl = readFileSync(join(__dirname, '..', 'subgraphs', 'enterprises', 'schema.graphql'), 'utf8').replace(OLD, NEW);
  const token = await mesh.token(official('so-tai-chinh', 'owner'));
  const reader = { authorization: `Bearer ${await mesh.token(official('so-y-te'))}` };
  let waited = 0;
  // Publish while a load runs: no request fails across the swap.
  const load = await underLoad(`${mesh.gatewayUrl}/graphql`, reader, async () => {
    const published = await fetch(`${registry}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ subgraph: 'enterprises', sdl, url: `${mesh.subgraphs.get('enterprises')?.url}/graphql` }),
    });
    expect(published.status).toBe(201);
    const started = Date.now();
    while (!mesh.gateway.currentVersion().startsWith('registry-v2-') && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 50));
    waited = Date.now() - started;
  });
  process.stdout.write(`published version served after ${waited} ms; under load ${load.answered} answered, ${load.failures.length} failed\n`);
  expect(load.failures).toEqual([]);
  expect(mesh.gateway.currentVersion()).toMatch(/^registry-v2-/);
  expect(await nameDescription(`${mesh.gatewayUrl}/open/graphql`)).toBe(NEW);
  // The registry's sha256 is of the whole supergraph (an agency's official sees others' URLs left out of its sdl).
  const current = (await (await fetch(`${registry}/supergraph`, { headers: { authorization: `Bearer ${token}` } })).json()) as { sha256: string };
  const catalogue = (await (await fetch(`${mesh.gatewayUrl}/catalog.json`)).json()) as { supergraph: string };
  expect(catalogue.supergraph).toBe(current.sha256);
});

it('lets only the gateway read what it must serve', async () => {
  const response = await fetch(`${mesh.registryUrl}${GATEWAY_SUPERGRAPH_PATH}`);
  expect(response.status).toBe(401);
});

it('lets a follower other than the gateway read the registry with the registry-reader key alone, not the master secret', async () => {
  const registry = mesh.registryUrl ?? '';
  const readerKey = Buffer.from(registryReaderSecret(mesh.keys.gatewaySecret)).toString('base64url');

  const served = await registryFeed(registry, readerKey, null)();
  expect(served?.id).toBe(mesh.gateway.currentVersion());
  await expect(registryFeed(registry, Buffer.from('x'.repeat(32)).toString('base64url'), null)()).rejects.toThrow('401');
  expect(() => registryFeed(registry, undefined, null)).toThrow(ConfigError);
  expect(() => registryFeed(registry, undefined, null)).toThrow(/REGISTRY_READER_SECRET/);
});
