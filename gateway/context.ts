import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ANONYMOUS, type Caller } from '../subgraphs/kit/identity';

/** The gateway's per-request context: what it forwards to every subgraph it calls. */
export interface GatewayContext {
  /** Minted by the gateway for every request; sent to every subgraph and back to the client. */
  readonly requestId: string;
  /** The client's own `x-request-id`, when it sent a usable one: recorded, never used as the request id. */
  readonly clientRequestId: string | null;
  /** The caller's bearer token, forwarded so each subgraph verifies it again; null on /open. */
  readonly token: string | null;
  readonly caller: Caller;
  /** The raw `x-purpose` header (percent-encoded), forwarded as is. */
  readonly purposeHeader: string | null;
  readonly acceptLanguage: string | null;
  /** The client's network address (the last hop's: behind a proxy, the proxy's); null when unknown. */
  readonly clientAddress: string | null;
  /** Subgraph fetches answered wholly from the gateway's open-data cache (counted for the consumer-side record). */
  readonly servedFromCache: { fetches: number };
}

/**
 * The id a client gave its request (`x-request-id`), kept beside the gateway's own in the
 * consumer-side record so that the client can find it; null when absent or not 8–64 word characters.
 * It never becomes the request id: every request gets a fresh one from the gateway, so that no
 * client can make its request share another's records.
 */
export function clientRequestIdOf(req: IncomingMessage): string | null {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && /^[\w-]{8,64}$/.test(header) ? header : null;
}

/** A request header given once and not empty, else null. */
export function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The context of one operation run for `req` as the anonymous caller (/open/graphql, a download's pages). */
export function anonymousContext(req: IncomingMessage): GatewayContext {
  return {
    requestId: randomUUID(),
    clientRequestId: clientRequestIdOf(req),
    token: null,
    caller: ANONYMOUS,
    purposeHeader: null,
    acceptLanguage: headerOf(req, 'accept-language'),
    clientAddress: req.socket.remoteAddress ?? null,
    servedFromCache: { fetches: 0 },
  };
}
