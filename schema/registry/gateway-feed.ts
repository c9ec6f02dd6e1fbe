import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { gatewayProofSecret } from '../../subgraphs/kit/identity';
import { RegistryError } from './service';

/**
 * How the gateway reads what it must serve from the registry: GET /gateway/supergraph, proven by a
 * short-lived HS256 token in `x-lienthong-service` signed with a key derived from the gateway's
 * master secret, which the registry is given (or derives) too.
 */
export const GATEWAY_SUPERGRAPH_PATH = '/gateway/supergraph';
export const REGISTRY_SERVICE_HEADER = 'x-lienthong-service';
const ISSUER = 'lienthong-gateway';
const AUDIENCE = 'schema-registry';

/** The key of the gateway's registry reads, derived from its master secret. */
export function registryReaderSecret(masterSecret: string): Uint8Array {
  // A purpose with a colon: no subgraph's name (its proof key's purpose) can be the same.
  return gatewayProofSecret(masterSecret, 'service:registry-reader');
}

/** A 60-second token for one read. */
export async function signGatewayReader(secret: Uint8Array): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('60s').sign(secret);
}

/** Throws a 401 RegistryError unless `header` is a valid gateway read token. */
export async function verifyGatewayReader(header: string | string[] | undefined, secret: Uint8Array): Promise<void> {
  if (typeof header !== 'string' || header === '') throw new RegistryError(401, 'UNAUTHENTICATED', `Thiếu ${REGISTRY_SERVICE_HEADER} (missing service token).`);
  try {
    await jwtVerify(header, secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['iat', 'exp'], maxTokenAge: '5 minutes' });
  } catch {
    throw new RegistryError(401, 'UNAUTHENTICATED', 'Mã dịch vụ không hợp lệ (service token rejected).');
  }
}

const served = z.object({ version: z.number(), sha256: z.string(), sdl: z.string(), openSdl: z.string() });

/** One supergraph the registry serves, with its open contract; the id changes with its content. */
export interface ServedSupergraph {
  readonly id: string;
  readonly supergraphSdl: string;
  readonly openSupergraphSdl: string;
}

/**
 * Reads the registry's current supergraph and open contract with a registry-reader token, each time
 * it is called: null while the registry has none; throws when it cannot be reached or answers
 * otherwise, so that a caller keeps what it has. The gateway serves what it reads; the access
 * ledger keeps its field catalogue to it.
 */
export function servedSupergraphFeed(registryUrl: string, readerSecret: Uint8Array, timeoutMs = 3000): () => Promise<ServedSupergraph | null> {
  return async () => {
    const response = await fetch(new URL(GATEWAY_SUPERGRAPH_PATH, registryUrl), {
      headers: { [REGISTRY_SERVICE_HEADER]: await signGatewayReader(readerSecret), accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`the registry answered ${response.status}`);
    }
    const body = served.parse(await response.json());
    return { id: `registry-v${body.version}-${body.sha256.slice(0, 12)}`, supergraphSdl: body.sdl, openSupergraphSdl: body.openSdl };
  };
}
