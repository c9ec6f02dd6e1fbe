import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { ConfigError, parseConfig } from './config';
import { createTokenVerifier, gatewayProofSecret, type Caller } from './identity';

/** The development keys `npm start` creates (git-ignored); used only when no keys are configured. */
export const DEV_KEYS_FILE = join(__dirname, '..', '..', '.data', 'keys', 'dev-keys.json');

const trustEnvSchema = z.object({
  /** The identity provider's JWKS: a file path or an https URL. Defaults to the development keys. */
  LIENTHONG_JWKS: z.string().optional(),
  LIENTHONG_ISSUER: z.string().default('https://id.lienthong.local/dev'),
  LIENTHONG_AUDIENCE: z.string().default('lienthong'),
  /** Gateway only: the master secret subgraph proofs derive from. */
  LIENTHONG_GATEWAY_SECRET: z.string().min(32).optional(),
  /** Subgraph only: its own derived secret, base64url (see `npm run token -- --proof-secret <subgraph>`). */
  GATEWAY_PROOF_SECRET: z.string().min(32).optional(),
});

interface DevKeysFile {
  jwks: JSONWebKeySet;
  gatewaySecret: string;
}

function devKeys(): DevKeysFile | null {
  if (!existsSync(DEV_KEYS_FILE)) return null;
  return JSON.parse(readFileSync(DEV_KEYS_FILE, 'utf8')) as DevKeysFile;
}

/** Resolved trust settings: how to verify users' tokens, and the gateway's master secret if known. */
export interface TrustEnv {
  readonly verifyToken: (token: string) => Promise<Caller>;
  readonly gatewaySecret: string | null;
  readonly proofSecret: (subgraph: string) => Uint8Array;
}

/**
 * Reads the trust settings from the environment once, at boot. Without LIENTHONG_JWKS and secrets,
 * the development keys made by `npm start` are used; without those either, start-up fails.
 */
export function trustFromEnv(env: NodeJS.ProcessEnv = process.env): TrustEnv {
  const parsed = parseConfig(trustEnvSchema, env);
  const dev = parsed.LIENTHONG_JWKS && (parsed.LIENTHONG_GATEWAY_SECRET || parsed.GATEWAY_PROOF_SECRET) ? null : devKeys();
  let jwks: JSONWebKeySet | URL;
  if (parsed.LIENTHONG_JWKS) {
    jwks = /^https?:\/\//.test(parsed.LIENTHONG_JWKS)
      ? new URL(parsed.LIENTHONG_JWKS)
      : (JSON.parse(readFileSync(parsed.LIENTHONG_JWKS, 'utf8')) as JSONWebKeySet);
  } else if (dev) {
    jwks = dev.jwks;
  } else {
    throw new ConfigError('Invalid configuration:\n  - LIENTHONG_JWKS: required (no development keys found; run `npm start` once to create them)');
  }
  const gatewaySecret = parsed.LIENTHONG_GATEWAY_SECRET ?? dev?.gatewaySecret ?? null;
  const own = parsed.GATEWAY_PROOF_SECRET;
  return {
    verifyToken: createTokenVerifier({ issuer: parsed.LIENTHONG_ISSUER, audience: parsed.LIENTHONG_AUDIENCE, jwks }),
    gatewaySecret,
    proofSecret: (subgraph) => {
      if (own) return Buffer.from(own, 'base64url');
      if (gatewaySecret) return gatewayProofSecret(gatewaySecret, subgraph);
      throw new ConfigError('Invalid configuration:\n  - GATEWAY_PROOF_SECRET: required to accept calls from the gateway');
    },
  };
}
