/**
 * The gateway swaps in a new supergraph, and its open contract and catalogue with it, without
 * dropping a request (DESIGN.md §8, §10.9); a supergraph that does not build never replaces the
 * one being served.
 */
import { createHash } from 'node:crypto';
import { composeSupergraph, localSubgraphSources, type SubgraphSource } from '../schema/compose';
import { composeOpenContract } from '../schema/contract';
import type { SupergraphVersion } from '../gateway/server';
import { citizenIdentity } from '../subgraphs/kit/seed-plan';
import { execute, official, startTestMesh, type TestMesh } from './support/mesh';
import { underLoad } from './support/load';

const OLD = 'Tên doanh nghiệp bằng tiếng Việt (registered name in Vietnamese).';
const NEW = 'Tên doanh nghiệp bằng tiếng Việt, như trên giấy chứng nhận đăng ký (registered name in Vietnamese, as on the certificate).';

/** A version composed from the local subgraphs, with `edit` applied to one subgraph's SDL. */
function versionWith(id: string, subgraph: string, edit: (sdl: string) => string): SupergraphVersion {
  const sources: SubgraphSource[] = localSubgraphSources().map((s) => (s.name === subgraph ? { ...s, sdl: edit(s.sdl) } : s));
  const full = composeSupergraph(sources);
  const open = composeOpenContract(sources);
  if (!full.ok || !open.ok) throw new Error(`test version does not compose: ${JSON.stringify([full, open])}`);
  return { id, supergraphSdl: full.supergraphSdl, openSupergraphSdl: open.supergraphSdl };
}

const describeName = '{ __type(name: "Enterprise") { fields { name description } } }';
async function nameDescription(url: string, headers: Record<string, string> = {}): Promise<string | undefined> {
  const response = await execute<{ __type: { fields: Array<{ name: string; description: string }> } }, never>(url, describeName, undefined, headers);
  return response.body.data?.__type.fields.find((f) => f.name === 'name')?.description;
}

let mesh: TestMesh;
let auth: Record<string, string>;
beforeAll(async () => {
  mesh = await startTestMesh();
  auth = { authorization: `Bearer ${await mesh.token(official('so-y-te'))}` };
});
afterAll(() => mesh.stop());

it('swaps in a new supergraph under load with no failed request; the open contract and the catalogue follow at once', async () => {
  const next = versionWith('v2', 'enterprises', (sdl) => sdl.replace(OLD, NEW));
  expect(await nameDescription(`${mesh.gatewayUrl}/graphql`, auth)).toBe(OLD);

  const load = await underLoad(`${mesh.gatewayUrl}/graphql`, auth, async () => {
    expect(await mesh.gateway.swap(next)).toBe(true);
  });
  process.stdout.write(`hot swap under load: ${load.answered} requests answered, ${load.failures.length} failed\n`);
  expect(load.failures).toEqual([]);
  expect(load.answeredAfter).toBeGreaterThanOrEqual(5);
  expect(mesh.gateway.currentVersion()).toBe('v2');
  expect(await nameDescription(`${mesh.gatewayUrl}/graphql`, auth)).toBe(NEW);
  expect(await nameDescription(`${mesh.gatewayUrl}/open/graphql`)).toBe(NEW);
  const catalogue = (await (await fetch(`${mesh.gatewayUrl}/catalog.json`)).json()) as { supergraph: string };
  expect(catalogue.supergraph).toBe(createHash('sha256').update(next.supergraphSdl).digest('hex'));
});

it('refuses a supergraph that does not build, and keeps serving the current one', async () => {
  const before = mesh.gateway.currentVersion();
  const catalogueBefore = await (await fetch(`${mesh.gatewayUrl}/catalog.json`)).text();
  const broken: SupergraphVersion = { id: 'broken', supergraphSdl: 'type Query { this is not a supergraph', openSupergraphSdl: 'type Query { x: Int }' };
  expect(await mesh.gateway.swap(broken)).toBe(false);
  const notFederated: SupergraphVersion = { id: 'plain', supergraphSdl: 'type Query { x: Int }', openSupergraphSdl: 'type Query { x: Int }' };
  expect(await mesh.gateway.swap(notFederated)).toBe(false);

  expect(mesh.gateway.currentVersion()).toBe(before);
  const response = await execute<{ citizen: { fullName: string } | null }, never>(`${mesh.gatewayUrl}/graphql`, `{ citizen(id: "${citizenIdentity(0).id}") { fullName } }`, undefined, auth);
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data?.citizen?.fullName).toEqual(expect.any(String));
  expect(await (await fetch(`${mesh.gatewayUrl}/catalog.json`)).text()).toBe(catalogueBefore);
});
