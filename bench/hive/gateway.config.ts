/**
 * Hive Gateway's configuration in the benchmark, loaded by `hive-gateway supergraph --config-path`.
 * It makes Hive Gateway do the identity work our gateway does, no more: verify the caller's RS256
 * token once per request (401 without a valid one, as ours does on /graphql), forward it to every
 * subgraph, and sign the per-call gateway proof the subgraphs require (subgraphs/kit/identity.ts).
 * The keys come from the environment the harness sets (bench/identity.ts), read by the same
 * subgraphs/kit/trust.ts our gateway uses, whose verifier (remembering each token it verified for
 * 30 s) both gateways share.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { defineConfig, type GatewayPlugin } from '@graphql-hive/gateway';
import { require as tsxRequire } from 'tsx/cjs/api';
import type * as IdentityModule from '../../subgraphs/kit/identity';
import type * as TrustModule from '../../subgraphs/kit/trust';

// Hive Gateway's loader runs this file as an ES module, in which the repository's CommonJS
// TypeScript (it uses __dirname) cannot be imported; tsx loads those modules as CommonJS instead.
// The harness sets BENCH_REPO_ROOT, because an ES module has no __dirname to find them by.
const from = join(process.env['BENCH_REPO_ROOT'] ?? process.cwd(), 'bench', 'hive', 'gateway.config.ts');
const { askedOf, AuthenticationError, bearerToken, GATEWAY_PROOF_HEADER, signGatewayProof } = tsxRequire(
  '../../subgraphs/kit/identity',
  from,
) as typeof IdentityModule;
const { trustFromEnv } = tsxRequire('../../subgraphs/kit/trust', from) as typeof TrustModule;

const trust = trustFromEnv();
const proofSecrets = new Map<string, Uint8Array>();

function proofSecretOf(subgraph: string): Uint8Array {
  let secret = proofSecrets.get(subgraph);
  if (!secret) {
    secret = trust.proofSecret(subgraph);
    proofSecrets.set(subgraph, secret);
  }
  return secret;
}

function tokenOf(request: Request): string | null {
  try {
    return bearerToken(request.headers.get('authorization') ?? undefined);
  } catch {
    return null;
  }
}

/** Refuses GraphQL requests without a valid bearer token with a 401, before any parsing. */
const authenticate: GatewayPlugin = {
  async onRequest({ request, url, endResponse, fetchAPI }) {
    if (url.pathname !== '/graphql') return;
    let reason: string | undefined;
    try {
      const token = bearerToken(request.headers.get('authorization') ?? undefined);
      if (!token) throw new AuthenticationError('a bearer token is required');
      await trust.verifyToken(token);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      reason = error.reason;
    }
    if (reason !== undefined) {
      const body = JSON.stringify({ errors: [{ message: `Unauthenticated: ${reason}`, extensions: { code: 'UNAUTHENTICATED' } }] });
      endResponse(new fetchAPI.Response(body, { status: 401, headers: { 'content-type': 'application/json' } }));
    }
  },
};

/** Each subgraph's name by its URL (the harness sets BENCH_SUBGRAPH_URLS, name → URL). */
const subgraphByUrl = new Map(
  Object.entries(JSON.parse(process.env['BENCH_SUBGRAPH_URLS'] ?? '{}') as Record<string, string>).map(([name, url]) => [url, name]),
);

/**
 * Signs each subgraph call's gateway proof as the call leaves, over the exact body it sends (the
 * proof is bound to it, as our gateway's is: gateway/datasource.ts, provingFetcher).
 */
const proveCalls: GatewayPlugin = {
  async onFetch({ url, options, setOptions, context }) {
    const subgraph = subgraphByUrl.get(url);
    if (subgraph === undefined) return;
    const request = (context as { request?: Request }).request;
    const token = request ? tokenOf(request) : null;
    const requestId = request?.headers.get('x-request-id') ?? randomUUID();
    const body = typeof options.body === 'string' ? options.body : '';
    const proof = await signGatewayProof(proofSecretOf(subgraph), subgraph, requestId, token, askedOf(body, request?.headers.get('x-purpose')));
    setOptions({ ...options, headers: { ...(options.headers as Record<string, string> | undefined), [GATEWAY_PROOF_HEADER]: proof } });
  },
};

export const gatewayConfig = defineConfig({
  plugins: () => [authenticate, proveCalls],
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const token = tokenOf(request);
      return { authorization: token ? `Bearer ${token}` : undefined, 'x-purpose': request.headers.get('x-purpose') ?? undefined };
    },
  },
});
