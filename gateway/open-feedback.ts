import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { isEnumType, type GraphQLFormattedError } from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { ErrorCode } from '../subgraphs/kit/errors';
import { BodyTooLarge, escapeHtml, formPairs, HTML_PAGE_HEADERS, plainPage, readBodyBytes, sendMethodNotAllowed, type Routes } from '../subgraphs/kit/http';
import { anonymousContext, type GatewayContext } from './context';
import type { DescribedDataset } from './open-download';

/**
 * Feedback on open data for people without GraphQL: a form on the catalogue page that posts to
 * `/open/feedback` with no script, and a page per ticket at `/open/feedback/<id>`. Both run the
 * open contract's own operations (sendOpenDataFeedback, openDataFeedbackTicket) as the anonymous
 * caller, so the same checks, limits and disclosure log apply as on /open/graphql.
 */
export const FEEDBACK_PATH = '/open/feedback';

/** A form's body is small: a message of at most 2,000 characters and a contact. */
const MAX_FORM_BYTES = 32 * 1024;

/**
 * The one encoding the form is sent in (HTML's default enctype). A body of another type (multipart,
 * JSON) read as this one would look like a form with no fields, and be refused for a reason that
 * misleads: a missing kind, where the fault is the encoding.
 */
const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The fields the form sends. Each is one value: one sent twice is refused, naming it, as the
 * downloads and /disclosure-log refuse a repeated parameter, rather than one of the two kept unsaid.
 */
const FORM_FIELDS = ['dataset', 'kind', 'message', 'contact'] as const;

/** The refusal of a form with no kind, or one the open contract does not declare: said plainly, with no GraphQL in it. */
const CHOOSE_KIND = 'Hãy chọn một loại góp ý trong danh sách. (Choose a kind of feedback from the list.)';

const SEND = `mutation SendOpenDataFeedback($input: OpenDataFeedbackInput!) { sendOpenDataFeedback(input: $input) { id } }`;
const TICKET = `query OpenDataFeedbackTicket($id: ID!) {
  openDataFeedbackTicket(id: $id) { id dataset kind handledBy receivedAt reply answeredAt }
}`;

interface Ticket {
  readonly id: string;
  readonly dataset: string | null;
  readonly kind: string;
  readonly handledBy: string;
  readonly receivedAt: string;
  readonly reply: string | null;
  readonly answeredAt: string | null;
}

/** The kinds of feedback and their descriptions, as the open contract declares them; none when it takes no feedback. */
export function feedbackKinds(openSupergraphSdl: string): Array<{ readonly value: string; readonly description: string }> {
  const api = Supergraph.build(openSupergraphSdl).apiSchema().toGraphQLJSSchema();
  if (!api.getMutationType()?.getFields()['sendOpenDataFeedback']) return [];
  const kind = api.getType('OpenDataFeedbackKind');
  return isEnumType(kind) ? kind.getValues().map((v) => ({ value: v.name, description: v.description ?? v.name })) : [];
}

/** The form on the catalogue page: a dataset (or none, for new data), a kind, the message, a contact. */
export function feedbackForm(described: readonly DescribedDataset[], kinds: ReadonlyArray<{ value: string; description: string }>): string {
  if (kinds.length === 0) return '';
  const datasets = described.map(
    ({ dataset, declared }) => `<option value="${escapeHtml(dataset.name)}">${escapeHtml(declared?.title ?? dataset.name)} (${escapeHtml(dataset.name)})</option>`,
  );
  const options = kinds.map((k) => `<option value="${escapeHtml(k.value)}">${escapeHtml(k.description)}</option>`);
  return `<section class="feedback"><h2 id="gop-y">Góp ý về dữ liệu mở (feedback on open data)</h2>
<p>Báo dữ liệu sai, khó dùng, hay đề nghị công bố dữ liệu mới; không cần tài khoản. Góp ý về một tập dữ liệu tới cơ quan cung cấp nó; đề nghị dữ liệu mới tới cơ quan quản lý. Đừng ghi dữ liệu cá nhân vào nội dung. (No account needed; put no personal data in the message.)</p>
<form method="post" action="${FEEDBACK_PATH}">
<p><label>Tập dữ liệu (dataset) <select name="dataset"><option value="">— đề nghị dữ liệu mới (a request for new data) —</option>${datasets.join('')}</select></label></p>
<p><label>Loại góp ý (kind) <select name="kind" required>${options.join('')}</select></label></p>
<p><label>Nội dung (message) <textarea name="message" required maxlength="2000" rows="5" cols="70"></textarea></label></p>
<p><label>Liên hệ lại, nếu muốn (contact, optional: only the answering agency sees it) <input name="contact" maxlength="200" size="40"></label></p>
<p><button type="submit">Gửi góp ý (send)</button></p>
</form></section>`;
}

function page(title: string, body: string): string {
  return plainPage(title, `${body}<p><a href="/catalog#gop-y">Trở lại danh mục (back to the catalogue)</a></p>`);
}

function sendPage(res: ServerResponse, status: number, title: string, body: string, headers: Record<string, string> = {}): void {
  const html = page(title, body);
  res.writeHead(status, { ...HTML_PAGE_HEADERS, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

function refusedPage(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendPage(res, status, 'Không gửi được (not sent)', `<h1>Không gửi được góp ý (feedback not sent)</h1><p class="refused">${escapeHtml(message)}</p>`, headers);
}

/**
 * A ticket page that cannot be shown: the reader was looking a ticket up, not sending feedback, so
 * the page says so. A 400 is an address whose id is not a ticket's (mistyped, cut short when
 * copied); anything else (429, 503) is the service's, and the same address may work later.
 */
function ticketRefusedPage(res: ServerResponse, status: number, message: string): void {
  const [title, heading] =
    status === 400
      ? ['Mã phiếu không hợp lệ (invalid ticket id)', 'Không có phiếu góp ý nào mang mã này (no feedback ticket has this id)']
      : ['Không xem được phiếu (ticket not shown)', 'Chưa xem được phiếu góp ý (the feedback ticket cannot be shown now)'];
  sendPage(res, status, title, `<h1>${heading}</h1><p class="refused">${escapeHtml(message)}</p>`);
}

/** The encoding a charset label names, as browsers resolve labels ("utf8", "latin1"), or null for one that names none. */
function encodingOf(label: string): string | null {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

/**
 * Why a body declared `contentType` is not read as the form, or null when it is the form's encoding
 * in UTF-8 (said, or left unsaid as browsers leave it: the catalogue page is UTF-8, so its form is).
 * A charset other than UTF-8 is refused with the other encodings, 415, rather than 400: it is part of
 * the declared media type (RFC 9110 §8.3.1), and the route does not take that type, however the
 * bytes read, and they are not decoded. Text declared UTF-8 that is not is the body's fault, a 400.
 */
function encodingRefusal(contentType: string | undefined): string | null {
  const [essence, ...parameters] = (contentType ?? '').split(';');
  const type = essence?.trim().toLowerCase() ?? '';
  if (type === FORM_TYPE) {
    const charset = parameters
      .map((parameter) => parameter.split('='))
      .find(([name]) => name?.trim().toLowerCase() === 'charset')?.[1]
      ?.trim()
      .replace(/^"(.*)"$/, '$1');
    if (charset === undefined || encodingOf(charset) === 'utf-8') return null;
    return `Biểu mẫu phải gửi bằng UTF-8, không nhận charset=${charset}. (Unsupported form encoding: the form must be sent in UTF-8, not charset=${charset}.)`;
  }
  const [vi, en] = type ? [`không nhận ${type}`, `${type} is not taken`] : ['yêu cầu không nêu content-type', 'no content-type is given'];
  return `Kiểu gửi biểu mẫu không được hỗ trợ: ${vi}; hãy gửi ${FORM_TYPE} như biểu mẫu trên danh mục. (Unsupported form encoding: ${en}; send ${FORM_TYPE}, as the form on the catalogue does.)`;
}

/**
 * The form's fields, each name with its values in the order sent (formPairs), or, when text in it is
 * not UTF-8 (sent raw or percent-encoded), the field that holds it, by name when its name is UTF-8:
 * refused rather than stored with U+FFFD, which the agency would read as "ab��cd".
 */
function parseForm(body: Buffer): { readonly fields: ReadonlyMap<string, readonly string[]> } | { readonly notUtf8: string | null } {
  const fields = new Map<string, string[]>();
  for (const { name, value } of formPairs(body)) {
    if (!name.utf8) return { notUtf8: null };
    if (!value.utf8) return { notUtf8: name.text };
    fields.set(name.text, [...(fields.get(name.text) ?? []), value.text]);
  }
  return { fields };
}

/**
 * Whether a refusal is of the form's kind. The kind is the only field the form sends that is not a
 * string in GraphQL (an enum), so it is the only one whose value can be refused before the operation
 * runs: a refusal with no path, of the variables, is of it. The field's own checks (a blank message,
 * an unknown dataset) have a path and say what they mean already.
 */
function refusesKind(error: GraphQLFormattedError | undefined, data: Record<string, unknown> | null | undefined): boolean {
  return error !== undefined && data === undefined && error.path === undefined && error.extensions?.['code'] === ErrorCode.BAD_USER_INPUT;
}

/** The HTTP status of a GraphQL refusal: the client's mistake (400), its allowance spent (429), else the service (503). */
function statusOf(error: GraphQLFormattedError | undefined, fallback: number): number {
  const code = error?.extensions?.['code'];
  if (code === ErrorCode.RATE_LIMITED) return 429;
  if (code === ErrorCode.BAD_USER_INPUT || code === 'GRAPHQL_VALIDATION_FAILED') return 400;
  return fallback >= 400 ? fallback : 503;
}

function ticketPage(ticket: Ticket): string {
  const field = (term: string, value: string) => `<dt>${term}</dt><dd>${value}</dd>`;
  const reply = ticket.reply === null ? 'chưa trả lời (not answered yet)' : `${escapeHtml(ticket.reply)}<br><small>${escapeHtml(ticket.answeredAt ?? '')}</small>`;
  return page(
    `Phiếu góp ý ${ticket.id}`,
    `<h1>Phiếu góp ý (feedback ticket)</h1>
<p>Giữ địa chỉ trang này để xem trả lời. (Keep this page's address to read the reply.)</p>
<dl>${field('Mã phiếu (ticket)', `<code>${escapeHtml(ticket.id)}</code>`)}${field('Tập dữ liệu (dataset)', ticket.dataset === null ? 'đề nghị dữ liệu mới (a request for new data)' : `<code>${escapeHtml(ticket.dataset)}</code>`)}${field('Loại (kind)', escapeHtml(ticket.kind))}${field('Cơ quan trả lời (answered by)', escapeHtml(ticket.handledBy))}${field('Nhận lúc (received)', escapeHtml(ticket.receivedAt))}${field('Trả lời (reply)', reply)}</dl>`,
  );
}

/**
 * `POST /open/feedback` (a form: dataset, kind, message, contact) answers 303 to the new ticket's
 * page; a refusal is a page saying why, with the status of the refusal (400, 413, 415 for a body
 * not sent as the form sends it, 429 with Retry-After).
 * `GET /open/feedback/<id>` shows the ticket: status and reply, never the message or the contact.
 */
export function openFeedbackRoutes(apollo: ApolloServer<GatewayContext>): Routes {
  return {
    [FEEDBACK_PATH]: async (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
      let raw: Buffer;
      try {
        raw = await readBodyBytes(req, MAX_FORM_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLarge) return refusedPage(res, 413, `Nội dung gửi quá ${MAX_FORM_BYTES} byte. (The form is larger than ${MAX_FORM_BYTES} bytes.)`, { connection: 'close' });
        throw error;
      }
      const unsupported = encodingRefusal(req.headers['content-type']);
      if (unsupported) return refusedPage(res, 415, unsupported);
      const form = parseForm(raw);
      if ('notUtf8' in form) {
        const [vi, en] = form.notUtf8 === null ? ['Biểu mẫu', 'The form'] : [`Trường ${form.notUtf8}`, `The field ${form.notUtf8}`];
        return refusedPage(res, 400, `${vi} có chữ không phải UTF-8 hợp lệ; không có gì được lưu. (${en} holds text that is not valid UTF-8; nothing was kept.)`);
      }
      for (const name of FORM_FIELDS) {
        const times = form.fields.get(name)?.length ?? 0;
        if (times > 1) return refusedPage(res, 400, `Trường ${name} được gửi ${times} lần; mỗi trường chỉ gửi một lần. (The field ${name} is given ${times} times; give it once.)`);
      }
      const one = (name: (typeof FORM_FIELDS)[number]): string | null => form.fields.get(name)?.[0] ?? null;
      const dataset = one('dataset');
      const kind = one('kind');
      const contact = one('contact');
      if (!kind) return refusedPage(res, 400, CHOOSE_KIND);
      const input = {
        ...(dataset ? { dataset } : {}),
        kind,
        message: one('message') ?? '',
        ...(contact ? { contact } : {}),
      };
      const response = await apollo.executeOperation({ query: SEND, variables: { input } }, { contextValue: anonymousContext(req) });
      const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
      const id = (result?.data?.['sendOpenDataFeedback'] as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string' && !result?.errors?.length) {
        res.writeHead(303, { location: `${FEEDBACK_PATH}/${encodeURIComponent(id)}`, 'cache-control': 'no-store', 'content-length': 0 });
        res.end();
        return;
      }
      const error = result?.errors?.[0];
      if (refusesKind(error, result?.data)) return refusedPage(res, 400, CHOOSE_KIND);
      const retryAfter = response.http.headers.get('retry-after');
      refusedPage(res, statusOf(error, response.http.status ?? 503), error?.message ?? 'Không gửi được. (Not sent.)', retryAfter ? { 'retry-after': retryAfter } : {});
    },
    [`${FEEDBACK_PATH}/*`]: async (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, ['GET', 'HEAD']);
      const path = new URL(req.url ?? '/', 'http://gateway').pathname;
      let id: string;
      try {
        id = decodeURIComponent(path.slice(FEEDBACK_PATH.length + 1));
      } catch {
        id = '';
      }
      const response = await apollo.executeOperation({ query: TICKET, variables: { id } }, { contextValue: anonymousContext(req) });
      const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
      const ticket = result?.data?.['openDataFeedbackTicket'] as Ticket | null | undefined;
      if (ticket) {
        const html = ticketPage(ticket);
        res.writeHead(200, { ...HTML_PAGE_HEADERS, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(html) });
        res.end(req.method === 'HEAD' ? undefined : html);
        return;
      }
      const error = result?.errors?.[0];
      if (error) return ticketRefusedPage(res, statusOf(error, response.http.status ?? 503), error.message);
      sendPage(res, 404, 'Không có phiếu (no such ticket)', '<h1>Không có phiếu góp ý này (no such feedback ticket)</h1>');
    },
  };
}

