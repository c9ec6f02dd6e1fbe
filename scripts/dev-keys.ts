import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { z } from 'zod';
import type { TokenClaims } from '../subgraphs/kit/identity';

/** Where `npm start` and `npm run token` keep the development keys (git-ignored). */
export const DEV_KEYS_PATH = join(__dirname, '..', '.data', 'keys', 'dev-keys.json');

/** The development identity provider: its issuer and audience, as tokens and verifiers use them. */
export const DEV_ISSUER = 'https://id.lienthong.local/dev';
export const DEV_AUDIENCE = 'lienthong';

const jwkSchema = z.looseObject({ kty: z.string(), kid: z.string().optional() });
const devKeysSchema = z.object({
  privateJwk: jwkSchema,
  jwks: z.object({ keys: z.array(jwkSchema) }),
  gatewaySecret: z.string().min(32),
});

/** A development signing key pair (RS256), its public JWKS, and the gateway's master secret. */
export interface DevKeys {
  readonly privateJwk: JWK;
  readonly jwks: JSONWebKeySet;
  readonly gatewaySecret: string;
}

/** Generates fresh development keys (in memory). */
export async function generateDevKeys(): Promise<DevKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    privateJwk,
    jwks: { keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }] },
    gatewaySecret: randomBytes(32).toString('base64url'),
  };
}

/** Loads the development keys, creating them on first use (file mode 0600). */
export async function ensureDevKeys(path = DEV_KEYS_PATH): Promise<DevKeys> {
  if (existsSync(path)) {
    const parsed = devKeysSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    return { privateJwk: parsed.privateJwk, jwks: parsed.jwks, gatewaySecret: parsed.gatewaySecret };
  }
  const keys = await generateDevKeys();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

/** Signs a development token with the given claims, valid for `ttlSeconds`. */
export async function signDevToken(keys: DevKeys, claims: TokenClaims, ttlSeconds = 8 * 3600): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'RS256');
  const { sub, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'RS256', kid: keys.privateJwk.kid ?? '' })
    .setSubject(sub)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key);
}
