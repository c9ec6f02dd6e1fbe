import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';

/** 1 MB: the largest request body any lienthong server reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * Routes by exact path (query string ignored); a key ending in `/*` takes the paths one level below
 * it that have no route of their own, e.g. `/open/download/*`. Unknown paths get a JSON 404.
 */
export type Routes = Readonly<Record<string, Handler>>;

/** A request body over the limit it was read with. */
export class BodyTooLarge extends Error {}

/**
 * Reads a request body of at most `limit` bytes, as sent; throws BodyTooLarge past it. For a reader
 * that must refuse text that is not UTF-8 rather than take it with U+FFFD in place of the bad bytes.
 */
export async function readBodyBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** A request body that is not UTF-8 text. */
export class BodyNotUtf8 extends Error {}

/**
 * Reads a request body of at most `limit` bytes as UTF-8 text; throws BodyTooLarge past it, and
 * BodyNotUtf8 when its bytes are not UTF-8 (rather than U+FFFD in place of the bad ones: text nobody
 * sent, which would be stored or searched for as if they had).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const text = utf8Text(await readBodyBytes(req, limit));
  if (text === null) throw new BodyNotUtf8('the request body is not UTF-8');
  return text;
}

/** Writes a JSON body with the given status. */
/** One name or value of a form-encoded text, decoded: `utf8` false (and U+FFFD in `text`) where its bytes are not UTF-8. */
export interface FormText {
  readonly text: string;
  readonly utf8: boolean;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LENIENT_UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** `bytes` as UTF-8 text, or null when they are not UTF-8 (rather than U+FFFD in place of the bad ones). */
export function utf8Text(bytes: Buffer): string | null {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return null;
  }
}

function formText(encoded: string): FormText {
  // Latin-1 takes each byte to one character and back, so the decoding below is of the bytes sent.
  const bytes = Buffer.from(encoded.replace(/\+/g, ' ').replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  const text = utf8Text(bytes);
  return text === null ? { text: LENIENT_UTF8.decode(bytes), utf8: false } : { text, utf8: true };
}

/**
 * The `name=value` pairs of application/x-www-form-urlencoded text (a form's body, or a URL's query
 * with or without its `?`), in order, read as the URL standard reads them (`+` a space, `%XX` a
 * byte, a `%` not followed by two hex digits kept as it is), the bytes then decoded as UTF-8. The
 * standard's parser, and URLSearchParams, put U+FFFD for bytes that are not UTF-8 (%FF, a sequence
 * cut short, an encoded surrogate), silently: text the sender never wrote would be stored, or
 * searched for. Here such text is marked, for the route to refuse.
 */
export function formPairs(encoded: Buffer | string): { readonly name: FormText; readonly value: FormText }[] {
  const text = typeof encoded === 'string' ? encoded.replace(/^\?/, '') : encoded.toString('latin1');
  return text
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? { name: formText(pair), value: formText('') } : { name: formText(pair.slice(0, at)), value: formText(pair.slice(at + 1)) };
    });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A 405 naming the methods a read-only (or write-only) route takes, in the Allow header too. */
export function sendMethodNotAllowed(res: ServerResponse, allowed: readonly string[]): void {
  const list = allowed.join(', ');
  sendJson(res, 405, { errors: [{ message: `Chỉ hỗ trợ ${list}. (${list} only.)`, extensions: { code: 'METHOD_NOT_ALLOWED' } }] }, { allow: list });
}

/** True for GET and HEAD; for any other method, answers a 405 naming them and returns false. */
export function readOnlyRequest(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  sendMethodNotAllowed(res, ['GET', 'HEAD']);
  return false;
}

/** Text made safe to put in HTML, in an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * The headers of every HTML page served (GraphiQL, the catalogue): no other site may frame it (a
 * page holding a token must not be clickjacked), no plugin or <base> may be injected, the browser
 * takes the content type as given, and no address leaks to another site as a referrer.
 */
export const HTML_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * A plain page of the gateway's own (the entry points, the feedback ticket): `title` and `body`
 * (already escaped) in one layout, readable on a phone.
 */
export function plainPage(title: string, body: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}dt{font-weight:600}dd{margin:0 0 .6rem 0}.refused{color:#9a3412}</style>
</head><body>${body}</body></html>`;
}

/** A fixed document: GET gives it, HEAD its headers alone, any other method a 405. An HTML one gets HTML_PAGE_HEADERS. */
export function staticDocument(contentType: string, body: string): Handler {
  const page = contentType.startsWith('text/html') ? HTML_PAGE_HEADERS : {};
  return (req, res) => {
    if (!readOnlyRequest(req, res)) return;
    res.writeHead(200, { ...page, 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

function errorBody(code: string, message: string): unknown {
  return { errors: [{ message, extensions: { code } }] };
}

/**
 * How deeply a request's JSON (a body, or GET's `variables` and `extensions`) may nest: far beyond
 * any input type here, and far below what would exhaust a serialiser on the way to a subgraph.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `value` nests arrays and objects deeper than `limit`. It runs on every request body, so it
 * walks without recursion and keeps only containers on its stack (two parallel arrays, no object per node).
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const containers: object[] = [value];
  const depths: number[] = [1];
  while (containers.length > 0) {
    const container = containers.pop() as Record<string, unknown>;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    for (const key in container) {
      const child = container[key];
      if (child !== null && typeof child === 'object') {
        containers.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** GET's JSON parameters, parsed where they parse (Apollo answers those that do not). */
function jsonParameters(search: URLSearchParams): unknown[] {
  return ['variables', 'extensions'].flatMap((name) => {
    const text = search.get(name);
    if (text === null) return [];
    try {
      return [JSON.parse(text) as unknown];
    } catch {
      return [];
    }
  });
}

/**
 * Decides, from what the call asks (the POST body as received, or a GET's query string), whether it
 * may run; when not, answers the call itself and returns false.
 */
export type Admission = (req: IncomingMessage, res: ServerResponse, asked: string) => boolean;

/**
 * Runs one request's execution (`run`) and may stand in for its response: e.g. to write a record of
 * it before anything is sent, and to withhold the answer when that fails.
 */
export type AroundExecution = (req: IncomingMessage, body: unknown, run: () => Promise<HTTPGraphQLResponse>) => Promise<HTTPGraphQLResponse>;

/**
 * Serves an Apollo Server over node:http at one path: reads at most MAX_BODY_BYTES, parses JSON,
 * and hands the request to Apollo (or to the one `apollo` picks for this body) with the context
 * from `context`, through `around` when given. Refuses malformed JSON with a
 * 400 and an oversized body with a 413, both with a stable code.
 */
export function graphqlHandler<Context extends BaseContext>(
  apollo: ApolloServer<Context> | ((body: unknown, req: IncomingMessage) => ApolloServer<Context> | Promise<ApolloServer<Context>>),
  context: (req: IncomingMessage) => Promise<Context>,
  around?: AroundExecution,
  admit?: Admission,
): Handler {
  return async (req, res) => {
    // GraphQL over HTTP is GET and POST; any other method is refused as every other route refuses it
    // (Apollo's own answer is a 405 coded BAD_REQUEST, in English, or a CSRF refusal).
    if (req.method !== 'GET' && req.method !== 'POST') return sendMethodNotAllowed(res, ['GET', 'POST']);
    let raw = '';
    if (req.method === 'POST') {
      try {
        raw = await readBody(req, MAX_BODY_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          sendJson(res, 413, errorBody('PAYLOAD_TOO_LARGE', `Nội dung yêu cầu vượt quá ${MAX_BODY_BYTES} byte. (Request body exceeds ${MAX_BODY_BYTES} bytes.)`), { connection: 'close' });
          return;
        }
        // JSON is UTF-8 (RFC 8259).
        if (error instanceof BodyNotUtf8) {
          sendJson(res, 400, errorBody('BAD_REQUEST', 'Nội dung yêu cầu không phải văn bản UTF-8 hợp lệ. (The request body is not valid UTF-8 text.)'));
          return;
        }
        throw error;
      }
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (admit && !admit(req, res, req.method === 'POST' ? raw : url.search)) return;
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = raw;
    if (raw && (headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        sendJson(res, 400, errorBody('BAD_REQUEST', 'Nội dung yêu cầu không phải JSON hợp lệ. (The request body is not valid JSON.)'));
        return;
      }
    }
    if ([body, ...jsonParameters(url.searchParams)].some((value) => nestedDeeperThan(value, MAX_JSON_DEPTH))) {
      sendJson(
        res,
        400,
        errorBody('BAD_REQUEST', `JSON của yêu cầu lồng sâu quá ${MAX_JSON_DEPTH} cấp. (The request's JSON nests deeper than ${MAX_JSON_DEPTH} levels.)`),
      );
      return;
    }
    const server = typeof apollo === 'function' ? await apollo(body, req) : apollo;
    const run = () =>
      server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: () => context(req),
      });
    const response = around ? await around(req, body, run) : await run();
    const outHeaders: Record<string, string> = {};
    for (const [key, value] of response.headers) outHeaders[key] = value;
    res.statusCode = response.status ?? 200;
    for (const [key, value] of Object.entries(outHeaders)) res.setHeader(key, value);
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/**
 * Creates (does not start) an HTTP server over `routes`. A handler that throws gets a masked 500;
 * no stack or message reaches the client.
 */
export function createHttpServer(routes: Routes, onError: (error: unknown) => void): Server {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    // A route asked for with a slash after it (/catalog/) is the route: 308 keeps the method and body.
    // The slashes are counted off by hand: a pattern anchored at the end (/\/+$/) is retried from every
    // slash of a long run, quadratic in a 16 KB path of them, which any anonymous caller can send.
    let end = path.length;
    while (end > 1 && path.charCodeAt(end - 1) === 0x2f) end--;
    const bare = end < path.length ? path.slice(0, end) : null;
    if (bare && routes[bare]) {
      res.writeHead(308, { location: queryAt < 0 ? bare : `${bare}${url.slice(queryAt)}`, 'content-length': 0 });
      res.end();
      return;
    }
    const handler = routes[path] ?? routes[`${path.slice(0, path.lastIndexOf('/'))}/*`];
    if (!handler) {
      sendJson(res, 404, errorBody('NOT_FOUND', 'Không có đường dẫn này. (No such route.)'));
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        onError(error);
        if (!res.headersSent) sendJson(res, 500, errorBody('INTERNAL_SERVER_ERROR', 'Internal server error.'));
        // Cut, not ended: a client must not take half an answer (a streamed file) for a whole one.
        else res.destroy();
      });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // A request node:http cannot parse (headers over 16 KB, say) gets a JSON answer with a code, as
  // every other refusal does, instead of a bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex & { _httpMessage?: { headersSent?: boolean } | null }) => {
    // As node:http's own handler: nothing is written on a socket gone, or where an answer has begun.
    if (error.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent === true) {
      socket.destroy();
      return;
    }
    const [status, code, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'Phần đầu (header) của yêu cầu quá lớn, tối đa 16 KB. (The request headers are too large: at most 16 KB.)']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'REQUEST_TIMEOUT', 'Yêu cầu đến không kịp thời hạn. (The request did not arrive in time.)']
          : [400, 'BAD_REQUEST', 'Yêu cầu HTTP không đúng dạng. (The HTTP request is malformed.)'];
    const body = JSON.stringify(errorBody(code, message));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

/** Starts `server` on host:port (port 0 picks a free one) and resolves with its URL. */
export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return `http://${host}:${address.port}`;
}

/**
 * Stops accepting connections and resolves once every connection is closed. Requests in flight
 * finish; each keep-alive socket is closed as soon as it falls idle (a once-only sweep would leave a
 * socket that finishes its request afterwards open for the whole keep-alive timeout), and whatever is
 * still open after `graceMs` is cut.
 */
export async function close(server: Server, graceMs = 5000): Promise<void> {
  await new Promise<void>((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
