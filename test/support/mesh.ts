import { randomBytes } from 'node:crypto';
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { startMesh, type Mesh, type MeshOptions } from '../../scripts/mesh';
import { generateDevKeys, signDevToken, type DevKeys } from '../../scripts/dev-keys';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../gateway/server';
import { OPEN_SUPERGRAPH_PATH, SUPERGRAPH_PATH } from '../../schema/compose';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../scripts/dev-keys';
import { createTokenVerifier, type TokenClaims } from '../../subgraphs/kit/identity';

/** The admin URL of the test PostgreSQL server (see global-setup.ts). */
export function testServerUrl(): string {
  const url = process.env.LIENTHONG_TEST_DATABASE_URL;
  if (!url) throw new Error('LIENTHONG_TEST_DATABASE_URL is not set: run the tests through jest (global set-up)');
  return url;
}

/**
 * A database-name prefix no other test file uses: `t`, this run's tag (global set-up's
 * LIENTHONG_TEST_RUN, so that teardown drops the run's databases and no others), and its own.
 */
export function uniquePrefix(): string {
  return `t${process.env.LIENTHONG_TEST_RUN ?? 'xxxxxx'}${randomBytes(3).toString('hex')}_`;
}

export interface GraphQLResponse<Data> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { data?: Data | null; errors?: Array<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }> };
}

/** Development-size seed for tests: a few hundred citizens, enough for every relationship. */
export const TEST_SCALE = 0.1;

/**
 * Starts the whole mesh for one test file, on fresh databases of its own, on free ports, with real
 * HTTP between the gateway and the subgraphs.
 */
export async function startTestMesh(options: Pick<MeshOptions, 'subgraphTimeoutMs' | 'connectThrough' | 'logger' | 'registry' | 'openDataCacheBytes' | 'openWritesPerHour'> = {}): Promise<TestMesh> {
  const keys = await generateDevKeys();
  const mesh = await startMesh({
    keys,
    serverUrl: testServerUrl(),
    databasePrefix: uniquePrefix(),
    seedScale: TEST_SCALE,
    ports: 'random',
    ...options,
  });
  return Object.assign(mesh, {
    keys,
    token: (claims: TokenClaims, ttlSeconds?: number) => signDevToken(keys, claims, ttlSeconds),
  });
}

/**
 * Another gateway over running subgraphs (by default the test mesh's), on a free port, trusting the
 * mesh's keys and serving the committed supergraphs, with `options` of its own (no open data kept,
 * a smaller allowance, a public URL). Stop it with `stop()`.
 */
export function startGatewayOver(
  mesh: { readonly keys: DevKeys; readonly subgraphs: ReadonlyMap<string, { readonly url: string }> },
  options: Partial<GatewayOptions> = {},
): Promise<RunningGateway> {
  return startGateway(
    {
      supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
      openSupergraphSdl: readFileSync(OPEN_SUPERGRAPH_PATH, 'utf8'),
      trust: { verifyToken: createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks: mesh.keys.jwks }), gatewaySecret: mesh.keys.gatewaySecret },
      subgraphUrls: Object.fromEntries([...mesh.subgraphs].map(([name, s]) => [name, `${s.url}/graphql`])),
      logger: pino({ level: 'silent' }),
      ...options,
    },
    0,
  );
}

/** A test's mesh, with its own identity provider keys and a way to mint tokens. */
export interface TestMesh extends Mesh {
  readonly keys: DevKeys;
  token(claims: TokenClaims, ttlSeconds?: number): Promise<string>;
}

/** An official of `agency` (role official unless given). */
export function official(agency: string, role: 'official' | 'owner' | 'governance' = 'official'): TokenClaims {
  return { kind: 'official', sub: `test-${agency}-${role}`, agency, roles: [role] };
}

/** The body `execute` sends: what a test signs a gateway proof for when it calls a subgraph directly. */
export function bodyOf(query: string, variables?: unknown): string {
  return JSON.stringify({ query, variables });
}

/**
 * POSTs an operation to `url` and returns status, headers and the parsed body. On an unexpected
 * shape the test's own assertion shows the operation and the response.
 */
export async function execute<Data, Variables>(
  url: string,
  document: TypedDocumentNode<Data, Variables> | DocumentNode | string,
  variables?: Variables,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<Data>> {
  const query = typeof document === 'string' ? document : print(document);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: bodyOf(query, variables),
  });
  const text = await response.text();
  let body: GraphQLResponse<Data>['body'];
  try {
    body = JSON.parse(text) as GraphQLResponse<Data>['body'];
  } catch {
    throw new Error(`Non-JSON response ${response.status} to:\n${query}\n---\n${text}`);
  }
  return { status: response.status, headers: response.headers, body };
}

/** Polls `read` until it gives a value, and resolves with it; throws after `boundMs`. */
export async function eventually<T>(boundMs: number, read: () => Promise<T | undefined>): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() - started > boundMs) throw new Error(`no answer within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
