/**
 * SIGTERM under load (DESIGN.md §10.10): the gateway, run as deployed (`gateway/index.ts`, its own
 * process), is told to stop while requests are in flight. It takes no new connection, the requests
 * in flight finish with their data, and the process exits, cleanly, within 10 s.
 *
 * The requests are held in flight by a relay in front of the citizens subgraph that passes nothing
 * on until the test opens it: so they are certainly in flight when the signal arrives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { GATEWAY_NODE_OPTIONS } from '../gateway/runtime';
import { citizenIdentity } from '../subgraphs/kit/seed-plan';
import { close } from '../subgraphs/kit/http';
import { official, startTestMesh, type TestMesh } from './support/mesh';

const REPO_ROOT = join(__dirname, '..');
/** DESIGN §10.10's bound on the whole shutdown. */
const EXIT_BOUND_MS = 10_000;
const IN_FLIGHT = 6;

let mesh: TestMesh;
const dir = mkdtempSync(join(tmpdir(), 'sigterm-'));
beforeAll(async () => {
  mesh = await startTestMesh();
});
afterAll(async () => {
  await mesh.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A relay to `target` that holds every request until `open()`; `held` counts those waiting. */
async function holdingRelay(target: string): Promise<{ url: string; held: () => number; open: () => void; server: Server }> {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let held = 0;
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      held++;
      await gate;
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) headers.set(name, value);
      }
      const answer = await fetch(new URL(req.url ?? '/', target), { method: req.method ?? 'POST', headers, ...(body.length > 0 ? { body } : {}) });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, held: () => held, open, server };
}

/** The gateway as deployed, on a free port, over the test mesh's subgraphs; resolves once it listens. */
async function deployedGateway(subgraphUrls: Record<string, string>): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const jwks = join(dir, 'jwks.json');
  writeFileSync(jwks, JSON.stringify(mesh.keys.jwks));
  const child = spawn(process.execPath, [...GATEWAY_NODE_OPTIONS.split(' '), '--import', 'tsx', join(REPO_ROOT, 'gateway', 'index.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      LIENTHONG_JWKS: jwks,
      LIENTHONG_GATEWAY_SECRET: mesh.keys.gatewaySecret,
      SUBGRAPH_URLS: JSON.stringify(subgraphUrls),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(out);
      if (listening?.[1]) resolve(listening[1]);
    });
    void exited.then((code) => reject(new Error(`the gateway exited (${code}) before listening:\n${out}`)));
  });
  return { child, url, exited };
}

it('finishes the requests in flight, takes no new one, and exits within 10 s', async () => {
  const citizens = mesh.subgraphs.get('citizens');
  if (!citizens) throw new Error('no citizens subgraph');
  const relay = await holdingRelay(citizens.url);
  const urls: Record<string, string> = {};
  for (const [name, subgraph] of mesh.subgraphs) urls[name] = name === 'citizens' ? `${relay.url}/graphql` : `${subgraph.url}/graphql`;
  const gateway = await deployedGateway(urls);
  try {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await mesh.token(official('so-y-te'))}` };
    const inFlight = Array.from({ length: IN_FLIGHT }, (_, i) =>
      fetch(`${gateway.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: `{ citizen(id: "${citizenIdentity(i).id}") { id fullName } }` }) }).then(
        async (response) => ({ status: response.status, body: (await response.json()) as { data?: { citizen: { id: string } | null }; errors?: unknown } }),
      ),
    );
    // Every request has reached the citizens subgraph's relay: each is in flight at the gateway.
    while (relay.held() < IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 20));
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    // Stopping, it takes no new connection.
    for (;;) {
      const refused = await fetch(`${gateway.url}/health/live`).then(() => false, () => true);
      if (refused) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    relay.open();
    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => ({ status: answer.status, id: answer.body.data?.citizen?.id, errors: answer.body.errors }))).toEqual(
      Array.from({ length: IN_FLIGHT }, (_, i) => ({ status: 200, id: citizenIdentity(i).id, errors: undefined })),
    );
    expect(await gateway.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(EXIT_BOUND_MS);
  } finally {
    gateway.child.kill('SIGKILL');
    await close(relay.server);
  }
}, 60_000);
