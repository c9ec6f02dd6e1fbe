import { SignJWT } from 'jose';
import { z } from 'zod';
import type { LedgerSnapshot } from '../kit/grants';
import { gatewayProofSecret } from '../kit/identity';
import type { FieldConsumer } from '../../schema/categories';

/**
 * How a provider reads, from the governing department's access ledger, the grants and consents
 * it must enforce locally (DESIGN.md §6: the provider enforces grants and fails closed).
 */

/** The ledger's service route. */
export const GRANTS_PATH = '/internal/grants';
/** The ledger's route that providers deliver their disclosure outbox to. */
export const DISCLOSURES_PATH = '/internal/disclosures';
/** The ledger's route that the schema registry asks whom a schema change breaks (grant holders, recent readers). */
export const FIELD_CONSUMERS_PATH = '/internal/field-consumers';
/** The issuer of the schema registry's ledger tokens. */
export const REGISTRY_ISSUER = 'schema-registry';
/** The purpose the registry's ledger secret is derived for: no subgraph's name (a proof key's purpose, no colon) nor `ledger-reader:<code>` can equal it. */
export const FIELD_CONSUMERS_PURPOSE = 'service:field-consumers-reader';
/** The header carrying the provider's service token. */
export const SERVICE_TOKEN_HEADER = 'x-lienthong-service';
/** The audience of every ledger-reader token. */
export const LEDGER_AUDIENCE = 'access-ledger';
/** The most records one delivery may carry. */
export const MAX_DELIVERY = 500;
/** The largest delivery body the ledger reads; a provider's relay splits its batches to fit. */
export const MAX_DELIVERY_BYTES = 8 * 1024 * 1024;
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

/** A short-lived (60 s) HS256 token by which `issuer` (a provider, or the registry) reads the ledger. */
export async function signLedgerReaderToken(issuer: string, secret: Uint8Array): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(issuer)
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

/** One agency and the fields (`Type.field`) it holds a grant on, or has read: the check's FieldConsumer. */
export type FieldUse = FieldConsumer;

/** How far back the ledger looks for agencies that read a field: the log's legal minimum, 3 months. */
export const READERS_WINDOW_DAYS = 90;

/** What the ledger answers the registry: whom a schema change would break, as of `asOf`. */
export interface LedgerConsumers {
  readonly asOf: string;
  /** Every agency holding a grant that is neither terminated nor expired, with the fields it covers. */
  readonly grantHolders: readonly FieldUse[];
  /** Every agency that read fields since `readersSince` (READERS_WINDOW_DAYS before `asOf`), with those fields. */
  readonly readers: readonly FieldUse[];
  readonly readersSince: string;
}

/** The ledger did not answer in time, refused the token, or answered something unreadable. */
export class LedgerUnavailableError extends Error {
  override name = 'LedgerUnavailableError';
}

/**
 * Calls one of the ledger's service routes as `caller` (a provider, named in the `provider`
 * parameter, or the registry), with its service token; throws LedgerUnavailableError when the
 * ledger cannot be reached in `timeoutMs` or does not answer 2xx.
 */
async function callLedger(
  ledgerUrl: string,
  path: string,
  caller: { readonly provider: string } | { readonly issuer: typeof REGISTRY_ISSUER },
  secret: Uint8Array,
  timeoutMs: number,
  init: RequestInit = {},
): Promise<Response> {
  const url = new URL(path, ledgerUrl);
  if ('provider' in caller) url.searchParams.set('provider', caller.provider);
  const issuer = 'provider' in caller ? caller.provider : caller.issuer;
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), [SERVICE_TOKEN_HEADER]: await signLedgerReaderToken(issuer, secret) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new LedgerUnavailableError(`access ledger unreachable: ${error instanceof Error ? error.name : 'error'}`);
  }
  if (!response.ok) {
    // The ledger's own message (e.g. which record it found malformed) says why; it holds no secret.
    const body = (await response.json().catch(() => null)) as { errors?: { message?: unknown }[] } | null;
    const message = body?.errors?.[0]?.message;
    throw new LedgerUnavailableError(`access ledger answered ${response.status}${typeof message === 'string' ? `: ${message.slice(0, 300)}` : ''}`);
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
  const response = await callLedger(ledgerUrl, GRANTS_PATH, { provider }, secret, timeoutMs, { headers: { accept: 'application/json' } });
  const parsed = usableGrantsSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new LedgerUnavailableError('access ledger answered an unreadable body');
  return parsed.data;
}

const fieldUses = z.array(z.object({ consumer: z.string(), fields: z.array(z.string()) }));
const ledgerConsumersSchema = z.object({ asOf: z.string(), grantHolders: fieldUses, readers: fieldUses, readersSince: z.string() });

/** The secret the schema registry asks the ledger whom a change breaks with, derived from the gateway's master secret. */
export function fieldConsumersSecret(masterSecret: string): Uint8Array {
  return gatewayProofSecret(masterSecret, FIELD_CONSUMERS_PURPOSE);
}

/**
 * Fetches, as the schema registry, the agencies a schema change could break: the grant holders and
 * the recent readers of each field. Throws LedgerUnavailableError on any failure.
 */
export async function fetchFieldConsumers(ledgerUrl: string, secret: Uint8Array, timeoutMs = LEDGER_TIMEOUT_MS): Promise<LedgerConsumers> {
  const response = await callLedger(ledgerUrl, FIELD_CONSUMERS_PATH, { issuer: REGISTRY_ISSUER }, secret, timeoutMs, { headers: { accept: 'application/json' } });
  const parsed = ledgerConsumersSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new LedgerUnavailableError('access ledger answered an unreadable body');
  return parsed.data;
}

/**
 * Delivers a batch of `provider`'s disclosure records (its outbox payloads) to the ledger's
 * /internal/disclosures, signed like a grants read, in order, in as many bodies of at most
 * `maxBytes` and MAX_DELIVERY records as they need (records of large lists are large). Throws LedgerUnavailableError unless
 * the ledger acknowledged every record.
 */
export async function deliverDisclosures(
  ledgerUrl: string,
  provider: string,
  secret: Uint8Array,
  records: readonly unknown[],
  timeoutMs = 5000,
  maxBytes = MAX_DELIVERY_BYTES,
): Promise<void> {
  const envelope = Buffer.byteLength('{"records":[]}');
  let part: string[] = [];
  let bytes = envelope;
  const send = async () => {
    if (part.length === 0) return;
    const response = await callLedger(ledgerUrl, DISCLOSURES_PATH, { provider }, secret, timeoutMs, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"records":[${part.join(',')}]}`,
    });
    await response.body?.cancel();
    part = [];
    bytes = envelope;
  };
  for (const record of records) {
    const text = JSON.stringify(record);
    const size = Buffer.byteLength(text) + 1;
    if (envelope + size > maxBytes) throw new LedgerUnavailableError(`a disclosure record of ${size} bytes exceeds the ledger's ${maxBytes}-byte delivery limit`);
    if (bytes + size > maxBytes || part.length === MAX_DELIVERY) await send();
    part.push(text);
    bytes += size;
  }
  await send();
}
