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
const { AuthenticationError, bearerToken, GATEWAY_PROOF_HEADER, signGatewayProof } = tsxRequire(
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

export const gatewayConfig = defineConfig({
  plugins: () => [authenticate],
  propagateHeaders: {
    async fromClientToSubgraphs({ request, subgraphName }) {
      const token = tokenOf(request);
      const requestId = request.headers.get('x-request-id') ?? randomUUID();
      return {
        authorization: token ? `Bearer ${token}` : undefined,
        [GATEWAY_PROOF_HEADER]: await signGatewayProof(proofSecretOf(subgraphName), subgraphName, requestId, token),
      };
    },
  },
});
