import { createHash, createHmac, randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { z } from 'zod';
import { agencyDirectory, type StateAgency } from './agency';

/** The only algorithm accepted on users' tokens: `none`, HS* and everything else are refused. */
export const TOKEN_ALGORITHMS = ['RS256'] as const;

export type Role = 'official' | 'owner' | 'governance';

/** Who is asking, as established from a verified token. */
export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'official'; readonly officialId: string; readonly agency: string; readonly roles: readonly Role[] }
  | { readonly kind: 'citizen'; readonly personalId: string };

export const ANONYMOUS: Caller = { kind: 'anonymous' };

/** Half of a UTF-16 surrogate pair, alone: not text any database stores as it was sent. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const claimsSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('official'),
    // An official's id is one line of printable text: it is written to every provider's log.
    sub: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\u0000-\u001f\u007f]+$/)
      .refine((sub) => !UNPAIRED_SURROGATE.test(sub)),
    agency: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
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
  /** The identity provider's public keys: a JWKS document, the URL it is served at, or a key resolver. */
  readonly jwks: JSONWebKeySet | URL | JWTVerifyGetKey;
  /**
   * The state agencies an official may belong to, and which of them govern; by default
   * schema/agencies.json (agencyDirectory). A token naming another agency, or a `governance` role
   * for an agency that does not govern, is refused.
   */
  readonly directory?: ReadonlyMap<string, Pick<StateAgency, 'governance'>>;
}

const EXPIRED = 'token expired';

function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return EXPIRED;
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim "${error.claim}" rejected`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature invalid';
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) return 'malformed token';
  return 'token rejected';
}

/** The Vietnamese of each reason a token or a gateway proof is refused for (the `reason` stays in English: it is stable). */
const REASONS_VI: ReadonlyArray<readonly [RegExp, (match: RegExpExecArray) => string]> = [
  [/^token expired$/, () => 'token đã hết hạn'],
  [/^claim "(.*)" rejected$/, (m) => `giá trị "${m[1] ?? ''}" trong token không được chấp nhận`],
  [/^algorithm not allowed$/, () => 'thuật toán ký không được chấp nhận'],
  [/^unknown signing key$/, () => 'khóa ký không xác định'],
  [/^signature invalid$/, () => 'chữ ký không hợp lệ'],
  [/^malformed token$/, () => 'token sai định dạng'],
  [/^token rejected$/, () => 'token bị từ chối'],
  [/^claims do not describe an official or a citizen$/, () => 'nội dung token không phải của một cán bộ hay một công dân'],
  [/^agency is not a state agency of the directory$/, () => 'cơ quan không có trong danh bạ cơ quan nhà nước'],
  [/^role "governance" is held only by the governing department$/, () => 'chỉ cơ quan quản lý mới có vai trò "governance"'],
  [/^Authorization header is not "Bearer <token>"$/, () => 'tiêu đề Authorization không có dạng "Bearer <token>"'],
  [/^(no bearer token|a bearer token is required)$/, () => 'cần một token (Bearer)'],
  [/^a bearer token is required on \/graphql; anonymous callers use \/open\/graphql$/, () => '/graphql cần token; người dùng không đăng nhập dùng /open/graphql'],
  [/^not called through the gateway$/, () => 'lời gọi không đi qua cổng'],
  [/^gateway proof does not match the token$/, () => 'bằng chứng của cổng không khớp với token'],
  [/^gateway proof names no operation$/, () => 'bằng chứng của cổng không nêu thao tác'],
  [/^gateway proof was made for another operation$/, () => 'bằng chứng của cổng được cấp cho một thao tác khác'],
  [/^gateway proof was already used$/, () => 'bằng chứng của cổng đã được dùng'],
  [/^gateway proof has no id$/, () => 'bằng chứng của cổng không có mã'],
  [/^service token expired$/, () => 'token dịch vụ đã hết hạn'],
  [/^service token (.*)$/, () => 'token dịch vụ bị từ chối'],
];

/** The Vietnamese of a reason a token or a gateway proof is refused for; the reason itself when it has none. */
export function reasonInVietnamese(reason: string): string {
  for (const [pattern, say] of REASONS_VI) {
    const match = pattern.exec(reason);
    if (match) return say(match);
  }
  return reason;
}

/** "Chưa xác thực: <lý do> (unauthenticated: <reason>)": the message of every 401. */
export function unauthenticatedMessage(reason: string): string {
  const proof = /^gateway proof: (.*)$/.exec(reason);
  const vi = reasonInVietnamese(proof ? (proof[1] ?? '') : reason);
  return `Chưa xác thực: ${proof ? `bằng chứng của cổng: ${vi}` : vi} (unauthenticated: ${reason})`;
}

/** How a verifier remembers the tokens it verified (see createTokenVerifier). */
export interface VerifiedTokenMemory {
  /** How long a verification is reused, in seconds: 0 verifies every time. Default 30. */
  readonly seconds?: number;
  /** Most tokens remembered at once; the oldest is forgotten first. Default 10,000. */
  readonly size?: number;
  /** The clock, in milliseconds (tests move it). */
  readonly now?: () => number;
}

/** A token's identity and when it stops being usable: at its expiry or when its verification is too old. */
interface Remembered {
  readonly caller: Caller;
  /** Seconds since the epoch: the token's `exp`. */
  readonly expires: number;
  /** Milliseconds since the epoch: when this verification stops being reused. */
  readonly until: number;
}

function frozen(caller: Caller): Caller {
  if (caller.kind === 'official') Object.freeze(caller.roles);
  return Object.freeze(caller);
}

/**
 * True for an official acting in the governance role alone (neither official nor owner of an
 * agency): such a caller reads usage and the graph's shape, never personal data (DESIGN §5).
 */
export function governanceOnly(caller: Caller): boolean {
  return caller.kind === 'official' && caller.roles.includes('governance') && !caller.roles.includes('official') && !caller.roles.includes('owner');
}

/**
 * Why an official of `agency` with `roles` cannot be, by the directory of state agencies: an agency
 * it does not know, or the governance role of an agency that does not govern. Null when they can.
 */
export function officialRefusal(directory: ReadonlyMap<string, Pick<StateAgency, 'governance'>>, agency: string, roles: readonly string[]): string | null {
  const known = directory.get(agency);
  if (!known) return 'agency is not a state agency of the directory';
  if (roles.includes('governance') && !known.governance) return 'role "governance" is held only by the governing department';
  return null;
}

/**
 * Returns a verifier of users' bearer tokens: signature (RS256 only, key from the JWKS by `kid`),
 * issuer, audience and expiry, then the lienthong claims. Throws AuthenticationError.
 *
 * A client sends the same token with every request until it expires, and one request reaches the
 * gateway and every subgraph it touches: the RSA signature check was the largest single cost of a
 * subgraph call. So a verifier remembers, for `memory.seconds` (30 s), the caller of each exact token
 * text it verified. Only a token that passed every check is remembered, keyed by its whole text (one
 * changed byte is another token, verified in full); its expiry is checked again on every use. What
 * the memory gives up is bounded: a key withdrawn from the JWKS stops working for tokens already
 * seen at most `memory.seconds` later than it would otherwise (jose itself caches a remote JWKS for
 * minutes).
 */
export function createTokenVerifier(settings: TrustSettings, memory: VerifiedTokenMemory = {}): (token: string) => Promise<Caller> {
  const { jwks } = settings;
  const keys: JWTVerifyGetKey = typeof jwks === 'function' ? jwks : jwks instanceof URL ? createRemoteJWKSet(jwks) : createLocalJWKSet(jwks);
  const reuseMs = (memory.seconds ?? 30) * 1000;
  const size = memory.size ?? 10_000;
  const now = memory.now ?? Date.now;
  const remembered = new Map<string, Remembered>();
  const directory = settings.directory ?? agencyDirectory();

  const verify = async (token: string): Promise<Remembered> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: [...TOKEN_ALGORITHMS],
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
      }));
    } catch (error) {
      throw new AuthenticationError(reasonOf(error));
    }
    // jose checks `iat` only against a maximum age: one in the future (beyond a minute of clock skew) is refused here.
    if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + 60) throw new AuthenticationError('claim "iat" rejected');
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new AuthenticationError('claims do not describe an official or a citizen');
    if (claims.data.kind === 'official') {
      const refused = officialRefusal(directory, claims.data.agency, claims.data.roles);
      if (refused) throw new AuthenticationError(refused);
    }
    const caller: Caller = claims.data.kind === 'official'
      ? { kind: 'official', officialId: claims.data.sub, agency: claims.data.agency, roles: [...claims.data.roles] }
      : { kind: 'citizen', personalId: claims.data.sub };
    // jose required `exp` and checked that it is a number in the future.
    return { caller: frozen(caller), expires: payload.exp ?? 0, until: now() + reuseMs };
  };

  return async (token) => {
    const at = now();
    const known = remembered.get(token);
    if (known !== undefined && at < known.until) {
      // The same check of `exp` as jose's: usable while the current second is before it.
      if (Math.floor(at / 1000) >= known.expires) {
        remembered.delete(token);
        throw new AuthenticationError(EXPIRED);
      }
      return known.caller;
    }
    remembered.delete(token);
    const verified = await verify(token);
    if (reuseMs > 0) {
      if (remembered.size >= size) remembered.delete(remembered.keys().next().value ?? '');
      remembered.set(token, verified);
    }
    return verified.caller;
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
 * What a proof is bound to, as a digest: what the call asks for, the exact body of a POST or the
 * query string of a GET, so that a proof seen on the wire cannot carry another operation.
 */
export function proofBinding(asked: string): string {
  return createHash('sha256').update(asked).digest('base64url');
}

/**
 * What a call asks, as a proof binds it: its body (a GET: its query string) and the purpose it
 * states (`x-purpose`, as sent), which the provider's log records and special-request access needs.
 */
export function askedOf(body: string, purpose: string | null | undefined): string {
  return purpose ? `${body}\u0000x-purpose:${purpose}` : body;
}

/**
 * Signs the gateway's proof for one subgraph call: short-lived, bound to the subgraph, the request
 * id, the exact user token forwarded (so a proof cannot be replayed with another identity) and what
 * the call asks (`asked`: the POST body, or a GET's query string, so that it cannot be replayed for
 * another operation).
 */
export async function signGatewayProof(secret: Uint8Array, subgraph: string, requestId: string, token: string | null, asked: string): Promise<string> {
  return new SignJWT({ rid: requestId, tok: tokenDigest(token), op: proofBinding(asked) })
    .setJti(randomUUID())
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('lienthong-gateway')
    .setAudience(subgraph)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(secret);
}

/** A verified gateway proof: the request id it carries, and the binding of what it was made for. */
export interface GatewayProof {
  readonly requestId: string;
  readonly binding: string;
  /** The proof's own id: a subgraph takes each proof once (SpentProofs). */
  readonly id: string;
  /** When it expires, in milliseconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * The proofs a subgraph has taken and that have not expired: each is taken once, so that a proof
 * seen on the wire cannot be sent again, even for the same operation. Proofs all live 60 s, so the
 * oldest taken expire first and are forgotten from the front.
 */
export class SpentProofs {
  private readonly spent = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True, and the proof is spent, when it had not been taken before. */
  take(proof: GatewayProof): boolean {
    const now = this.now();
    for (const [id, expiresAt] of this.spent) {
      if (expiresAt > now) break;
      this.spent.delete(id);
    }
    if (this.spent.has(proof.id)) return false;
    this.spent.set(proof.id, proof.expiresAt);
    return true;
  }
}

/**
 * Verifies a gateway proof for this subgraph and this user token. What the call asks is checked
 * against the proof's binding once it has been read (provesAsked).
 */
export async function verifyGatewayProof(secret: Uint8Array, subgraph: string, proof: string | undefined, token: string | null): Promise<GatewayProof> {
  if (!proof) throw new AuthenticationError('not called through the gateway');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof, secret, { issuer: 'lienthong-gateway', audience: subgraph, algorithms: ['HS256'], requiredClaims: ['exp', 'iat'] }));
  } catch (error) {
    throw new AuthenticationError(`gateway proof: ${reasonOf(error)}`);
  }
  if (payload['tok'] !== tokenDigest(token)) throw new AuthenticationError('gateway proof does not match the token');
  if (typeof payload['op'] !== 'string') throw new AuthenticationError('gateway proof names no operation');
  if (typeof payload['jti'] !== 'string' || typeof payload['exp'] !== 'number') throw new AuthenticationError('gateway proof has no id');
  return { requestId: typeof payload['rid'] === 'string' ? payload['rid'] : '', binding: payload['op'], id: payload['jti'], expiresAt: payload['exp'] * 1000 };
}

/** True when `asked` (the POST body, or a GET's query string) is what the proof was made for. */
export function provesAsked(proof: GatewayProof, asked: string): boolean {
  return proofBinding(asked) === proof.binding;
}

/** The refusal of a call whose proof was taken before. */
export const PROOF_ALREADY_USED = 'gateway proof was already used';

/** The refusal of a call whose proof was made for another operation. */
export const PROOF_FOR_ANOTHER_OPERATION = 'gateway proof was made for another operation';
