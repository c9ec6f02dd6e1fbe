import type { Caller } from '../subgraphs/kit/identity';

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
  /** Subgraph fetches answered wholly from the gateway's open-data cache (counted for the consumer-side record). */
  readonly servedFromCache: { fetches: number };
}
