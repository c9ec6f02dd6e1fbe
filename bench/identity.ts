import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_AUDIENCE, DEV_ISSUER, generateDevKeys, signDevToken, type DevKeys } from '../scripts/dev-keys';
import { ledgerReaderSecret } from '../subgraphs/access/client';
import { gatewayProofSecret, type TokenClaims } from '../subgraphs/kit/identity';
import { REPO_ROOT } from './options';

/**
 * The run's own identity provider: fresh development keys (never the ones `npm start` keeps), the
 * environment each process needs to trust them, and the token every benchmark request carries.
 */
export interface BenchIdentity {
  readonly keys: DevKeys;
  /** `Authorization` header value of an official of a consuming agency: sees OPEN and DEFAULT fields. */
  readonly authorization: string;
  /** Environment of a gateway (ours, or Hive Gateway through bench/hive/gateway.config.ts). */
  readonly gatewayEnv: Readonly<Record<string, string>>;
  /**
   * Environment of one provider subgraph, as deployed: the JWKS, only its own proof secret, and,
   * when `ledgerUrl` is given, the access ledger it polls with its own reader key.
   */
  providerEnv(subgraph: string, agencyCode: string, ledgerUrl: string | undefined): Readonly<Record<string, string>>;
  /** Environment of the access ledger: it derives every provider's reader key from the master secret. */
  readonly ledgerEnv: Readonly<Record<string, string>>;
  /** Removes the JWKS file. */
  dispose(): void;
}

/** The caller the load is sent as: an official of Sở Y tế, a consumer of every agency's data. */
export const BENCH_CALLER: TokenClaims = { kind: 'official', sub: 'bench-so-y-te', agency: 'so-y-te', roles: ['official'] };

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export async function createBenchIdentity(): Promise<BenchIdentity> {
  const keys = await generateDevKeys();
  const dir = join(REPO_ROOT, 'bench', '.cache');
  mkdirSync(dir, { recursive: true });
  const jwksPath = join(dir, `jwks-${process.pid}.json`);
  writeFileSync(jwksPath, JSON.stringify(keys.jwks));
  // Long enough for any run; the keys die with the run anyway.
  const token = await signDevToken(keys, BENCH_CALLER, 24 * 3600);
  const common = { LIENTHONG_JWKS: jwksPath, LIENTHONG_ISSUER: DEV_ISSUER, LIENTHONG_AUDIENCE: DEV_AUDIENCE };
  return {
    keys,
    authorization: `Bearer ${token}`,
    gatewayEnv: { ...common, LIENTHONG_GATEWAY_SECRET: keys.gatewaySecret },
    providerEnv: (subgraph, agencyCode, ledgerUrl) => ({
      ...common,
      GATEWAY_PROOF_SECRET: base64url(gatewayProofSecret(keys.gatewaySecret, subgraph)),
      ...(ledgerUrl ? { ACCESS_LEDGER_URL: ledgerUrl, LEDGER_READER_SECRET: base64url(ledgerReaderSecret(keys.gatewaySecret, agencyCode)) } : {}),
    }),
    ledgerEnv: { ...common, LIENTHONG_GATEWAY_SECRET: keys.gatewaySecret },
    dispose: () => rmSync(jwksPath, { force: true }),
  };
}
