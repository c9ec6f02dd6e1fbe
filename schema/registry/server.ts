import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Database } from '../../subgraphs/kit/db';
import { GraphQLError } from 'graphql';
import { DatabaseUnavailableError, ErrorCode } from '../../subgraphs/kit/errors';
import { BodyNotUtf8, BodyTooLarge, close, createHttpServer, listen, readBody, sendJson, type Handler } from '../../subgraphs/kit/http';
import { AuthenticationError, bearerToken, unauthenticatedMessage, type Caller } from '../../subgraphs/kit/identity';
import type { LedgerConsumers } from '../../subgraphs/access/client';
import { RegistryError, RegistryService, type Official } from './service';
import { GATEWAY_SUPERGRAPH_PATH, REGISTRY_SERVICE_HEADER, verifyGatewayReader } from './gateway-feed';
import { characters, keptText, unsafeCharacter } from '../../subgraphs/kit/text';

/** 2 MB: a subgraph's SDL with room to spare. */
const MAX_REGISTRY_BODY = 2 * 1024 * 1024;

export interface RegistryOptions {
  readonly db: Database;
  /** Verifies an official's bearer token (createTokenVerifier); throws AuthenticationError. */
  readonly verifyToken: (token: string) => Promise<Caller>;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** How long a publish waits for the subgraph's URL to answer; default 3000 ms. */
  readonly probeTimeoutMs?: number;
  /** How long a check may run before it is refused with CHECK_TIMEOUT (default 30 s). */
  readonly checkTimeLimitMs?: number;
  /** Asks the access ledger whom a change could break, to name them in checks (RegistryServiceOptions.ledgerConsumers). */
  readonly ledgerConsumers?: () => Promise<LedgerConsumers>;
  /** Unexpected errors (masked as 500 for the client); default: written to stderr. */
  readonly onError?: (error: unknown) => void;
  /**
   * The key the gateway signs its reads of GET /gateway/supergraph with (see registryReaderSecret).
   * Without it, that route refuses every call with a 503: the registry fails closed.
   */
  readonly gatewayReaderSecret?: Uint8Array;
}

/** A running registry. */
export interface Registry {
  readonly url: string;
  readonly service: RegistryService;
  stop(): Promise<void>;
}

function errorBody(code: string, message: string, details: Record<string, unknown> = {}): unknown {
  return { errors: [{ message, extensions: { code, ...details } }] };
}

const subgraphName = z.string().min(1).max(64);
/** A version number as the registry stores it (a PostgreSQL integer). */
const version = z.number().int().positive().max(2_147_483_647);
/** Grants or usage, to name whom a breaking change or a tightening breaks (the CLI's --consumers). */
const fieldConsumers = z
  .array(z.object({ consumer: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'mã cơ quan, ví dụ so-y-te (an agency code, e.g. so-y-te)'), fields: z.array(z.string().max(200)).max(1000) }))
  .max(1000)
  .optional();

/** The longest reason a rejection may give, as the access ledger's decisions (subgraphs/access/input.ts). */
const MAX_REASON = 2000;

const bodies = {
  check: z.strictObject({ subgraph: subgraphName, sdl: z.string().min(1), consumers: fieldConsumers }),
  publish: z.strictObject({
    subgraph: subgraphName,
    sdl: z.string().min(1),
    url: z.string().url().refine((u) => /^https?:\/\//.test(u), 'http(s) only'),
    consumers: fieldConsumers,
  }),
  approve: z.strictObject({ subgraph: subgraphName, version: version }),
  reject: z.strictObject({
    subgraph: subgraphName,
    version: version,
    reason: z
      .string()
      // Counted as people count characters: composed (NFC), by code point, as the access ledger counts its reasons.
      .refine((reason) => characters(keptText(reason)) <= MAX_REASON, `lý do dài tối đa ${MAX_REASON} ký tự (a reason of at most ${MAX_REASON} characters)`)
      .refine((reason) => unsafeCharacter(reason) === null, 'lý do không được chứa ký tự điều khiển hay ký tự đảo chiều (no control or bidirectional-override characters)'),
  }),
};

/**
 * A 401 names its scheme. A 413 closes the connection: the rest of the body is never read, and the
 * client, still sending it, would otherwise wait for the server to read before it reads the answer.
 */
function refusalHeaders(status: number): Record<string, string> {
  if (status === 401) return { 'www-authenticate': 'Bearer' };
  if (status === 413) return { connection: 'close' };
  return {};
}

function badRequest(message: string, details: Record<string, unknown> = {}): RegistryError {
  return new RegistryError(400, 'BAD_REQUEST', message, details);
}

/**
 * Refuses a query parameter the route does not take, or one given twice, naming it: ignored or
 * resolved one way or the other, it would answer a question nobody asked (`?subgraph=land&subgraph=codes`).
 */
function checkParameters(params: URLSearchParams, takes: readonly string[]): void {
  const names = [...params.keys()];
  const unknown = names.find((name) => !takes.includes(name));
  if (unknown !== undefined) {
    const taken = takes.length > 0 ? takes.join(', ') : 'không có (none)';
    throw badRequest(`Không có tham số "${unknown.slice(0, 80)}"; đường dẫn này nhận: ${taken}. (No query parameter "${unknown.slice(0, 80)}" here.)`, { parameter: unknown.slice(0, 80) });
  }
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw badRequest(`Tham số ${repeated} chỉ được nêu một lần. (Give "${repeated}" once.)`, { parameter: repeated });
}

async function authenticate(req: IncomingMessage, verifyToken: RegistryOptions['verifyToken']): Promise<Official> {
  let caller: Caller;
  try {
    const token = bearerToken(req.headers.authorization);
    if (token === null) throw new AuthenticationError('no bearer token');
    caller = await verifyToken(token);
  } catch (error) {
    if (error instanceof AuthenticationError) {
      throw new RegistryError(401, 'UNAUTHENTICATED', unauthenticatedMessage(error.reason));
    }
    throw error;
  }
  if (caller.kind !== 'official') throw new RegistryError(403, 'OFFICIALS_ONLY', 'Chỉ cán bộ cơ quan nhà nước mới dùng được sổ đăng ký lược đồ (officials only).');
  return caller;
}

async function jsonBody<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  let raw: string;
  try {
    raw = await readBody(req, MAX_REGISTRY_BODY);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new RegistryError(413, 'PAYLOAD_TOO_LARGE', `Nội dung vượt quá ${MAX_REGISTRY_BODY} byte (request body too large).`);
    if (error instanceof BodyNotUtf8) throw new RegistryError(400, 'BAD_JSON', 'Nội dung yêu cầu không phải văn bản UTF-8 hợp lệ (the request body is not valid UTF-8 text).');
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new RegistryError(400, 'BAD_JSON', 'Nội dung yêu cầu không phải JSON hợp lệ (the request body is not valid JSON).');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw badRequest(`Nội dung yêu cầu sai (bad request body): ${detail}`);
  }
  return result.data;
}

function queryInt(params: URLSearchParams, name: string): number {
  const value = params.get(name);
  if (value === null || !/^[1-9]\d{0,8}$/.test(value)) throw badRequest(`Tham số ${name} phải là số phiên bản (query parameter "${name}" must be a version number).`);
  return Number(value);
}

function queryString(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (!value) throw badRequest(`Thiếu tham số ${name} (missing query parameter "${name}").`);
  return value;
}

/**
 * Starts the registry's HTTP JSON API (every call needs an official's bearer token):
 * POST /check, /publish, /approve, /reject; GET /history?subgraph=, /pending, /diff?subgraph=&from=&to=,
 * /supergraph. Errors are `{ errors: [{ message, extensions: { code } }] }`, never SQL or a stack.
 * Listens when called, not on import; `stop()` closes the server and its check worker (not the database).
 */
export async function startRegistry(options: RegistryOptions): Promise<Registry> {
  const service = new RegistryService({
    db: options.db,
    ...(options.probeTimeoutMs !== undefined ? { probeTimeoutMs: options.probeTimeoutMs } : {}),
    ...(options.checkTimeLimitMs !== undefined ? { checkTimeLimitMs: options.checkTimeLimitMs } : {}),
    ...(options.ledgerConsumers ? { ledgerConsumers: options.ledgerConsumers } : {}),
  });
  const onError = options.onError ?? ((error: unknown) => process.stderr.write(`registry: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`));

  /** One route: method, authentication, and the mapping of refusals to their status and code. */
  const route =
    (
      method: 'GET' | 'POST',
      run: (caller: Official, req: IncomingMessage, params: URLSearchParams) => Promise<{ status: number; body: unknown }>,
      takes: readonly string[] = [],
    ): Handler =>
    async (req: IncomingMessage, res: ServerResponse) => {
      try {
        if (req.method !== method) {
          throw new RegistryError(405, 'METHOD_NOT_ALLOWED', `Chỉ nhận ${method} (method not allowed).`);
        }
        const caller = await authenticate(req, options.verifyToken);
        const params = new URL(req.url ?? '/', 'http://registry').searchParams;
        checkParameters(params, takes);
        const { status, body } = await run(caller, req, params);
        sendJson(res, status, body);
      } catch (error) {
        if (error instanceof RegistryError) {
          sendJson(res, error.status, errorBody(error.code, error.message, error.details), refusalHeaders(error.status));
        } else if (error instanceof GraphQLError && error.extensions['code'] === ErrorCode.BAD_USER_INPUT) {
          // Text PostgreSQL cannot store (a NUL), refused before any SQL (kit/db.ts).
          sendJson(res, 400, errorBody('BAD_REQUEST', error.message));
        } else if (error instanceof DatabaseUnavailableError) {
          sendJson(res, 503, errorBody('DATABASE_UNAVAILABLE', 'Cơ sở dữ liệu sổ đăng ký tạm thời không truy cập được (the registry database is unavailable).'));
        } else {
          throw error;
        }
      }
    };

  const server = createHttpServer(
    {
      '/check': route('POST', async (caller, req) => ({ status: 200, body: await service.check(caller, await jsonBody(req, bodies.check)) })),
      '/publish': route('POST', async (caller, req) => {
        const outcome = await service.publish(caller, await jsonBody(req, bodies.publish));
        // 202 for a version that waits (unchanged or not), 200 for one already published, 201 for a new one.
        return { status: outcome.version.status === 'PENDING_APPROVAL' ? 202 : outcome.unchanged ? 200 : 201, body: outcome };
      }),
      '/approve': route('POST', async (caller, req) => ({ status: 200, body: await service.approve(caller, await jsonBody(req, bodies.approve)) })),
      '/reject': route('POST', async (caller, req) => ({ status: 200, body: await service.reject(caller, await jsonBody(req, bodies.reject)) })),
      '/history': route('GET', async (caller, _req, params) => {
        const subgraph = queryString(params, 'subgraph');
        return { status: 200, body: { subgraph, versions: await service.history(caller, subgraph) } };
      }, ['subgraph']),
      '/pending': route('GET', async (caller) => ({ status: 200, body: { versions: await service.pending(caller) } })),
      '/diff': route('GET', async (_caller, _req, params) => {
        const subgraph = queryString(params, 'subgraph');
        const from = queryInt(params, 'from');
        const to = queryInt(params, 'to');
        return { status: 200, body: { subgraph, from, to, changes: await service.diff(subgraph, from, to) } };
      }, ['subgraph', 'from', 'to']),
      '/supergraph': route('GET', async (caller) => ({ status: 200, body: await service.supergraph(caller) })),
      [GATEWAY_SUPERGRAPH_PATH]: async (req, res) => {
        try {
          if (req.method !== 'GET') throw new RegistryError(405, 'METHOD_NOT_ALLOWED', 'Chỉ nhận GET (method not allowed).');
          if (!options.gatewayReaderSecret) throw new RegistryError(503, 'SERVICE_UNAVAILABLE', 'Chưa cấu hình khóa của cổng (the gateway key is not configured).');
          await verifyGatewayReader(req.headers[REGISTRY_SERVICE_HEADER], options.gatewayReaderSecret);
          sendJson(res, 200, await service.served(), { 'cache-control': 'no-store' });
        } catch (error) {
          if (error instanceof RegistryError) sendJson(res, error.status, errorBody(error.code, error.message, error.details));
          else if (error instanceof DatabaseUnavailableError) sendJson(res, 503, errorBody('DATABASE_UNAVAILABLE', 'Cơ sở dữ liệu sổ đăng ký tạm thời không truy cập được (the registry database is unavailable).'));
          else throw error;
        }
      },
    },
    onError,
  );
  const url = await listen(server, options.port, options.host);
  return {
    url,
    service,
    stop: async () => {
      await close(server);
      await service.close();
    },
  };
}
