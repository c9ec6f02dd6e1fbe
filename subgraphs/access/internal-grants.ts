import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { Database } from '../kit/db';
import { sendJson, sendMethodNotAllowed, type Handler } from '../kit/http';
import { sendUnauthenticated } from '../kit/server';
import { vietnamDate } from './calendar';
import type { FieldCatalogue } from './catalogue';
import { LEDGER_AUDIENCE, READERS_WINDOW_DAYS, REGISTRY_ISSUER, SERVICE_TOKEN_HEADER, type LedgerConsumers, type UsableGrants } from './client';
import { accessStore } from './store';

const AGENCY_CODE = /^[a-z][a-z0-9-]{1,62}$/;

function rejection(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'service token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `service token claim "${error.claim}" rejected`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'service token algorithm not allowed';
  return 'service token rejected';
}

/**
 * Settles which provider is calling a ledger service route: the `provider` query parameter, proven by
 * the `x-lienthong-service` header, an HS256 JWT with issuer = the provider, audience
 * 'access-ledger', iat and exp, signed with `readerSecret(provider)`. Answers the request itself (400,
 * 401, or 503 when no secret is configured: the ledger fails closed) and returns null when it is not.
 */
export async function authenticatedProvider(
  req: IncomingMessage,
  res: ServerResponse,
  readerSecret: ((provider: string) => Uint8Array) | null,
): Promise<string | null> {
  const provider = new URL(req.url ?? '/', 'http://localhost').searchParams.get('provider') ?? '';
  if (!AGENCY_CODE.test(provider)) {
    sendJson(res, 400, { errors: [{ message: 'Thiếu hoặc sai tham số provider (mã cơ quan). (Missing or malformed provider.)', extensions: { code: 'BAD_REQUEST' } }] });
    return null;
  }
  return (await verifiedService(req, res, readerSecret && readerSecret(provider), provider)) ? provider : null;
}

/**
 * Whether the `x-lienthong-service` header holds an HS256 JWT from `issuer` (audience 'access-ledger',
 * iat and exp, at most 5 minutes old) signed with `secret`. Answers the request itself when it does
 * not: 503 when no secret is configured (the ledger fails closed), else 401.
 */
async function verifiedService(req: IncomingMessage, res: ServerResponse, secret: Uint8Array | null, issuer: string): Promise<boolean> {
  if (!secret) {
    sendJson(res, 503, { errors: [{ message: 'Sổ cái chưa được cấu hình khóa dịch vụ. (Service keys are not configured.)', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    return false;
  }
  const token = req.headers[SERVICE_TOKEN_HEADER];
  if (typeof token !== 'string' || token === '') {
    sendUnauthenticated(res, `missing ${SERVICE_TOKEN_HEADER} header`);
    return false;
  }
  try {
    await jwtVerify(token, secret, { algorithms: ['HS256'], issuer, audience: LEDGER_AUDIENCE, requiredClaims: ['iat', 'exp'], maxTokenAge: '5 minutes' });
    return true;
  } catch (error) {
    sendUnauthenticated(res, rejection(error));
    return false;
  }
}

/**
 * `GET /internal/field-consumers`: whom a schema change could break, of every provider: each agency
 * holding a grant that is neither terminated nor expired (a suspended one may be resumed), with the
 * fields it covers, and each agency that read fields in the last READERS_WINDOW_DAYS, with those
 * fields. Only the schema registry may ask (a token from REGISTRY_ISSUER signed with `secret`), to
 * name them in a schema check (DESIGN.md §8). Names agencies and fields, no personal data.
 */
export function fieldConsumersRoute(db: Database, secret: Uint8Array | null, settings: { readonly now: () => Date }): Handler {
  const store = accessStore(db);
  return async (req, res) => {
    if (req.method !== 'GET') {
      sendMethodNotAllowed(res, ['GET']);
      return;
    }
    if (!(await verifiedService(req, res, secret, REGISTRY_ISSUER))) return;
    const asOf = settings.now();
    const since = new Date(asOf.getTime() - READERS_WINDOW_DAYS * 86_400_000);
    const [grantHolders, readers] = await Promise.all([store.grantHolders(vietnamDate(asOf)), store.fieldReaders(since)]);
    const body: LedgerConsumers = { asOf: asOf.toISOString(), grantHolders, readers, readersSince: since.toISOString() };
    sendJson(res, 200, body, { 'cache-control': 'no-store' });
  };
}

/**
 * `GET /internal/grants?provider=<agencyCode>`: what one provider must enforce now. Only that
 * provider may ask: the `x-lienthong-service` header must hold an HS256 JWT with issuer = the
 * provider, audience 'access-ledger', iat and exp, signed with `readerSecret(provider)`; anything
 * else is a 401. Grants are those of the provider that are ACTIVE with today inside their window;
 * consents are those in force today, each cut down to the provider's fields. `readerSecret` null
 * (no master secret configured) refuses every call with a 503: the ledger fails closed.
 */
export function grantsRoute(
  db: Database,
  readerSecret: ((provider: string) => Uint8Array) | null,
  settings: { readonly now: () => Date; readonly catalogue: () => FieldCatalogue },
): Handler {
  const store = accessStore(db);
  return async (req, res) => {
    if (req.method !== 'GET') {
      sendMethodNotAllowed(res, ['GET']);
      return;
    }
    const provider = await authenticatedProvider(req, res, readerSecret);
    if (!provider) return;
    const asOf = settings.now();
    const today = vietnamDate(asOf);
    const [grants, consents] = await Promise.all([
      store.grantsInForceOfProvider(today, provider),
      store.usableConsentsForFields(today, settings.catalogue().fieldsOwnedBy(provider)),
    ]);
    const body: UsableGrants = {
      asOf: asOf.toISOString(),
      grants: grants.map((g) => ({ id: g.id, consumerAgency: g.consumer_agency, fields: g.fields, validFrom: g.valid_from, validUntil: g.valid_until })),
      consents: consents.map((c) => ({ id: c.id, personalId: c.personal_id, agency: c.agency, fields: c.fields, validUntil: c.valid_until })),
    };
    sendJson(res, 200, body, { 'cache-control': 'no-store' });
  };
}
