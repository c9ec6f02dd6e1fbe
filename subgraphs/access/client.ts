import { SignJWT } from 'jose';
import { z } from 'zod';
import type { LedgerSnapshot } from '../kit/grants';
import { gatewayProofSecret } from '../kit/identity';

/**
 * How a provider reads, from the governing department's access ledger, the grants and consents
 * it must enforce locally (DESIGN.md §6: the provider enforces grants and fails closed).
 */

/** The ledger's service route. */
export const GRANTS_PATH = '/internal/grants';
/** The ledger's route that providers deliver their disclosure outbox to. */
export const DISCLOSURES_PATH = '/internal/disclosures';
/** The header carrying the provider's service token. */
export const SERVICE_TOKEN_HEADER = 'x-lienthong-service';
/** The audience of every ledger-reader token. */
export const LEDGER_AUDIENCE = 'access-ledger';
/** How long a ledger read may take before the provider gives up (and keeps failing closed). */
export const LEDGER_TIMEOUT_MS = 2000;

/** The purpose a provider's ledger-reader secret is derived for. */
export function ledgerReaderPurpose(provider: string): string {
  return `ledger-reader:${provider}`;
}

/** The secret one provider signs its ledger reads with, derived from the gateway's master secret. */
export function ledgerReaderSecret(masterSecret: string, provider: string): Uint8Array {
  return gatewayProofSecret(masterSecret, ledgerReaderPurpose(provider));
}

/** A short-lived (60 s) HS256 token by which `provider` reads its own grants. */
export async function signLedgerReaderToken(provider: string, secret: Uint8Array): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(provider)
    .setAudience(LEDGER_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(secret);
}

const usableGrantsSchema = z.object({
  asOf: z.string(),
  grants: z.array(
    z.object({
      id: z.string(),
      consumerAgency: z.string(),
      fields: z.array(z.string()),
      validFrom: z.string(),
      validUntil: z.string().nullable(),
    }),
  ),
  consents: z.array(
    z.object({
      id: z.string(),
      personalId: z.string(),
      agency: z.string(),
      fields: z.array(z.string()),
      validUntil: z.string().nullable(),
    }),
  ),
});

/** What the ledger answers a provider: its usable grants and the consents on its fields, as of `asOf`. */
export interface UsableGrants extends LedgerSnapshot {
  /** The ledger's clock when it answered (ISO 8601). */
  readonly asOf: string;
}

/** The ledger did not answer in time, refused the token, or answered something unreadable. */
export class LedgerUnavailableError extends Error {
  override name = 'LedgerUnavailableError';
}

/**
 * Calls one of the ledger's service routes as `provider`, with its service token; throws
 * LedgerUnavailableError when the ledger cannot be reached in `timeoutMs` or does not answer 2xx.
 */
async function callLedger(ledgerUrl: string, path: string, provider: string, secret: Uint8Array, timeoutMs: number, init: RequestInit = {}): Promise<Response> {
  const url = new URL(path, ledgerUrl);
  url.searchParams.set('provider', provider);
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), [SERVICE_TOKEN_HEADER]: await signLedgerReaderToken(provider, secret) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new LedgerUnavailableError(`access ledger unreachable: ${error instanceof Error ? error.name : 'error'}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new LedgerUnavailableError(`access ledger answered ${response.status}`);
  }
  return response;
}

/**
 * Fetches the grants `provider` must honour now (ACTIVE, within their window) and the consents in
 * force on its fields, from the ledger at `ledgerUrl` (its base URL, e.g. http://127.0.0.1:4106).
 * Gives up after LEDGER_TIMEOUT_MS. Throws LedgerUnavailableError on any failure: a provider must
 * then refuse grant-based access rather than guess.
 */
export async function fetchUsableGrants(
  ledgerUrl: string,
  provider: string,
  secret: Uint8Array,
  timeoutMs = LEDGER_TIMEOUT_MS,
): Promise<UsableGrants> {
  const response = await callLedger(ledgerUrl, GRANTS_PATH, provider, secret, timeoutMs, { headers: { accept: 'application/json' } });
  const parsed = usableGrantsSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new LedgerUnavailableError('access ledger answered an unreadable body');
  return parsed.data;
}

/**
 * Delivers a batch of `provider`'s disclosure records (its outbox payloads) to the ledger's
 * /internal/disclosures, signed like a grants read. Throws LedgerUnavailableError unless the ledger
 * acknowledged the whole batch.
 */
export async function deliverDisclosures(
  ledgerUrl: string,
  provider: string,
  secret: Uint8Array,
  records: readonly unknown[],
  timeoutMs = 5000,
): Promise<void> {
  const response = await callLedger(ledgerUrl, DISCLOSURES_PATH, provider, secret, timeoutMs, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ records }),
  });
  await response.body?.cancel();
}
