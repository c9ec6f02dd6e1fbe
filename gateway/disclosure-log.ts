import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AuthenticationError, bearerToken, GATEWAY_PROOF_HEADER, gatewayProofSecret, signGatewayProof, type Caller } from '../subgraphs/kit/identity';
import { sendJson, sendMethodNotAllowed, type Handler } from '../subgraphs/kit/http';
import { DISCLOSURE_LOG_PATH, sendUnauthenticated } from '../subgraphs/kit/server';

/** Headers of a provider's answer that reach the client. */
const PASSED_HEADERS = ['content-type', 'content-disposition', 'cache-control'];

/**
 * Whether a 404 from a subgraph is its own "no disclosure log here" (kit/server.ts, code
 * NO_DISCLOSURE_LOG), rather than a route it does not serve. Reads a copy of the body, so the answer
 * can still be passed on.
 */
async function saysNoDisclosureLog(answer: Response): Promise<boolean> {
  // The kit's answer is small and says its length; anything else is not read at all.
  if (Number(answer.headers.get('content-length') ?? Infinity) > 4096) return false;
  const body = (await answer.clone().json().catch(() => null)) as { errors?: Array<{ extensions?: { code?: unknown } }> } | null;
  return body?.errors?.[0]?.extensions?.code === 'NO_DISCLOSURE_LOG';
}

/**
 * `GET /disclosure-log?subgraph=<name>&…` at the gateway: a provider's own disclosure log, read from
 * that provider's subgraph with the caller's token and a gateway proof, as the subgraph answers it
 * (JSON pages, or `format=csv` streamed). The provider decides who sees what (kit/log-route.ts).
 */
export function disclosureLogProxy(
  /** The subgraphs of the supergraph being served, as of each request. */
  endpoints: () => ReadonlyArray<{ readonly name: string; readonly agency: string; readonly url: string }>,
  trust: { readonly verifyToken: (token: string) => Promise<Caller>; readonly gatewaySecret: string },
  timeoutMs: number,
): Handler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendMethodNotAllowed(res, ['GET']);
      return;
    }
    let token: string | null;
    try {
      token = bearerToken(req.headers.authorization);
      if (!token) throw new AuthenticationError('a bearer token is required');
      await trust.verifyToken(token);
    } catch (error) {
      if (error instanceof AuthenticationError) return sendUnauthenticated(res, error.reason);
      throw error;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.searchParams.getAll('subgraph').length > 1) {
      sendJson(res, 400, { errors: [{ message: 'Tham số subgraph chỉ một lần. (Give subgraph once.)', extensions: { code: 'BAD_USER_INPUT', parameter: 'subgraph' } }] });
      return;
    }
    const subgraph = url.searchParams.get('subgraph') ?? '';
    const serving = endpoints();
    const endpoint = serving.find((candidate) => candidate.name === subgraph);
    if (!endpoint) {
      const known = serving.map((candidate) => candidate.name).join(', ');
      sendJson(res, 400, { errors: [{ message: `Tham số subgraph phải là một trong: ${known}. (subgraph must be one of: ${known}.)`, extensions: { code: 'BAD_USER_INPUT', parameter: 'subgraph' } }] });
      return;
    }
    url.searchParams.delete('subgraph');
    const requestId = randomUUID();
    const target = new URL(`${DISCLOSURE_LOG_PATH}${url.search}`, endpoint.url);
    let answer: Response;
    try {
      answer = await fetch(target, {
        headers: {
          authorization: `Bearer ${token}`,
          [GATEWAY_PROOF_HEADER]: await signGatewayProof(gatewayProofSecret(trust.gatewaySecret, endpoint.name), endpoint.name, requestId, token, target.search),
          'x-request-id': requestId,
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      sendJson(res, 503, { errors: [{ message: `Không kết nối được hệ thống của ${endpoint.agency}. (The agency's system is unavailable.)`, extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: endpoint.name, agency: endpoint.agency } }] });
      return;
    }
    if (answer.status === 404 && !(await saysNoDisclosureLog(answer))) {
      // A subgraph that does not serve the route at all (not one of the kit's): its URL or its make.
      sendJson(res, 502, {
        errors: [{
          message: `Hệ thống của ${endpoint.agency} không phục vụ nhật ký cung cấp qua cổng. (The agency's system does not serve its disclosure log to the gateway.)`,
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: endpoint.name, agency: endpoint.agency },
        }],
      }, { 'x-request-id': requestId });
      return;
    }
    const headers: Record<string, string> = { 'x-request-id': requestId };
    for (const name of PASSED_HEADERS) {
      const value = answer.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(answer.status, headers);
    if (!answer.body) return void res.end();
    // A provider that fails mid-export ends the download unfinished; it never takes the gateway down.
    await pipeline(Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>), res).catch(() => res.destroy());
  };
}
