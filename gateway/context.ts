/** The gateway's per-request context. */
export interface GatewayContext {
  readonly requestId: string;
}
