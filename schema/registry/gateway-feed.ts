import { jwtVerify, SignJWT } from 'jose';
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
  return gatewayProofSecret(masterSecret, 'registry-reader');
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
