import { createHash, createHmac } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { z } from 'zod';

/** The only algorithm accepted on users' tokens: `none`, HS* and everything else are refused. */
export const TOKEN_ALGORITHMS = ['RS256'] as const;

export type Role = 'official' | 'owner' | 'governance';

/** Who is asking, as established from a verified token. */
export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'official'; readonly officialId: string; readonly agency: string; readonly roles: readonly Role[] }
  | { readonly kind: 'citizen'; readonly personalId: string };

export const ANONYMOUS: Caller = { kind: 'anonymous' };

const claimsSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('official'),
    sub: z.string().min(1),
    agency: z.string().regex(/^[a-z][a-z0-9-]*$/),
    roles: z.array(z.enum(['official', 'owner', 'governance'])).min(1),
  }),
  z.object({ kind: z.literal('citizen'), sub: z.string().regex(/^\d{12}$/) }),
]);
export type TokenClaims = z.infer<typeof claimsSchema>;

/** A token that cannot be trusted. `reason` is safe to show: it names the check, not the key. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  constructor(readonly reason: string) {
    super(`Unauthenticated: ${reason}`);
  }
}

export interface TrustSettings {
  readonly issuer: string;
  readonly audience: string;
  /** The identity provider's public keys: a JWKS document, or the URL it is served at. */
  readonly jwks: JSONWebKeySet | URL;
}

function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim "${error.claim}" rejected`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature invalid';
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) return 'malformed token';
  return 'token rejected';
}

/**
 * Returns a verifier of users' bearer tokens: signature (RS256 only, key from the JWKS by `kid`),
 * issuer, audience and expiry, then the lienthong claims. Throws AuthenticationError.
 */
export function createTokenVerifier(settings: TrustSettings): (token: string) => Promise<Caller> {
  const keys: JWTVerifyGetKey = settings.jwks instanceof URL ? createRemoteJWKSet(settings.jwks) : createLocalJWKSet(settings.jwks);
  return async (token) => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: [...TOKEN_ALGORITHMS],
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw new AuthenticationError(reasonOf(error));
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new AuthenticationError('claims do not describe an official or a citizen');
    return claims.data.kind === 'official'
      ? { kind: 'official', officialId: claims.data.sub, agency: claims.data.agency, roles: claims.data.roles }
      : { kind: 'citizen', personalId: claims.data.sub };
  };
}

/** The bearer token of an Authorization header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new AuthenticationError('Authorization header is not "Bearer <token>"');
  return match[1];
}

/**
 * The secret one subgraph shares with the gateway, derived from the gateway's master secret. Each
 * subgraph holds only its own, so a subgraph cannot impersonate the gateway to another.
 */
export function gatewayProofSecret(masterSecret: string, subgraph: string): Uint8Array {
  return createHmac('sha256', masterSecret).update(`lienthong-gateway-proof:${subgraph}`).digest();
}

/** The header carrying the gateway's proof to a subgraph. */
export const GATEWAY_PROOF_HEADER = 'x-lienthong-gateway';

function tokenDigest(token: string | null): string {
  return token ? createHash('sha256').update(token).digest('base64url') : '-';
}

/**
 * Signs the gateway's proof for one subgraph call: short-lived, bound to the subgraph, the request
 * id and the exact user token forwarded (so a proof cannot be replayed with another identity).
 */
export async function signGatewayProof(secret: Uint8Array, subgraph: string, requestId: string, token: string | null): Promise<string> {
  return new SignJWT({ rid: requestId, tok: tokenDigest(token) })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('lienthong-gateway')
    .setAudience(subgraph)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(secret);
}

/** Verifies a gateway proof for this subgraph and this user token; returns the request id it carries. */
export async function verifyGatewayProof(secret: Uint8Array, subgraph: string, proof: string | undefined, token: string | null): Promise<string> {
  if (!proof) throw new AuthenticationError('not called through the gateway');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, secret, { issuer: 'lienthong-gateway', audience: subgraph, algorithms: ['HS256'] }));
  } catch (error) {
    throw new AuthenticationError(`gateway proof: ${reasonOf(error)}`);
  }
  if (payload['tok'] !== tokenDigest(token)) throw new AuthenticationError('gateway proof does not match the token');
  return typeof payload['rid'] === 'string' ? payload['rid'] : '';
}
