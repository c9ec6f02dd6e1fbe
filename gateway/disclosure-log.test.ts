/**
 * The gateway's /disclosure-log route over real HTTP, in front of two stand-ins for providers (small
 * node:http servers, not subgraphs): one that answers as the kit does for a subgraph keeping no log,
 * one that does not serve the route at all. The mesh tests cover real subgraphs.
 */
import { createServer, type Server } from 'node:http';
import { generateDevKeys, signDevToken, DEV_AUDIENCE, DEV_ISSUER, type DevKeys } from '../scripts/dev-keys';
import { close, createHttpServer, listen, sendJson } from '../subgraphs/kit/http';
import { createTokenVerifier } from '../subgraphs/kit/identity';
import { disclosureLogProxy } from './disclosure-log';

let keys: DevKeys;
const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) await close(server);
});

/** A stand-in provider answering every request with `status` and `body`. */
async function standIn(status: number, body: unknown): Promise<string> {
  const server = createServer((_req, res) => sendJson(res, status, body));
  servers.push(server);
  return listen(server, 0);
}

beforeAll(async () => {
  keys = await generateDevKeys();
});

it('passes on a provider saying it keeps no log, answers 502 for one that does not serve the route, and 503 (try again later) for one that is down', async () => {
  const noLog = await standIn(404, { errors: [{ message: 'x keeps no disclosure log.', extensions: { code: 'NO_DISCLOSURE_LOG' } }] });
  const noRoute = await standIn(404, { errors: [{ message: 'No such route.', extensions: { code: 'NOT_FOUND' } }] });
  const closed = createHttpServer({}, () => undefined);
  const down = await listen(closed, 0);
  await close(closed);
  const endpoints = [
    { name: 'ledger', agency: 'Sở A', url: `${noLog}/graphql` },
    { name: 'other', agency: 'Sở B', url: `${noRoute}/graphql` },
    { name: 'down', agency: 'Sở C', url: `${down}/graphql` },
  ];
  const verifyToken = createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: keys.jwks });
  const gateway = createHttpServer({ '/disclosure-log': disclosureLogProxy(() => endpoints, { verifyToken, gatewaySecret: keys.gatewaySecret }, 2000) }, () => undefined);
  servers.push(gateway);
  const url = await listen(gateway, 0);
  const token = await signDevToken(keys, { kind: 'official', sub: 'can-bo-1', agency: 'so-y-te', roles: ['official'] });
  const ask = async (subgraph: string) => {
    const response = await fetch(`${url}/disclosure-log?subgraph=${subgraph}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    return { status: response.status, code: body.errors[0]?.extensions.code };
  };
  expect({ ledger: await ask('ledger'), other: await ask('other'), down: await ask('down') }).toEqual({
    ledger: { status: 404, code: 'NO_DISCLOSURE_LOG' },
    other: { status: 502, code: 'SUBGRAPH_UNAVAILABLE' },
    down: { status: 503, code: 'SUBGRAPH_UNAVAILABLE' },
  });
});
