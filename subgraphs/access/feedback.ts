import type { PoolClient } from 'pg';
import { z } from 'zod';
import { statement, type Queries } from '../kit/db';
import { badUserInput } from '../kit/errors';
import { readAgency } from '../kit/agency';
import { POSITION_PART, positionParams, positionSql, withPosition, type PositionPageRequest } from '../kit/pagination';
import type { OpenDataFeedbackInput } from './__generated__/resolvers-types';
import { LEDGER_SUBGRAPH, type FieldCatalogue } from './catalogue';
import type { AccessContext } from './context';
import { agencyName } from './directory';
import { checkCharacters, ledgerId, MAX_TEXT } from './input';
import { characters, keptText } from '../kit/text';
import { isGovernance, requireOfficial } from './policy';

/**
 * Feedback on open data (Decree 47/2020 Art. 19.2, 19.4.a): anyone sends it with no account; the
 * agency owning the dataset answers it, or the governing department when it names no dataset. The
 * sender's ticket (its id) shows the status and the reply, never the message or the contact.
 */

/** The longest contact a sender may leave (an email address or a phone number). */
export const MAX_CONTACT = 200;

/** What a cursor of the feedback list holds: the time received and the id. */
export const FEEDBACK_POSITION = [POSITION_PART.time, POSITION_PART.uuid] as const;

const feedbackRow = z.object({
  id: z.string(),
  received_at: z.date(),
  dataset: z.string().nullable(),
  handled_by: z.string(),
  kind: z.enum(['DATA_ERROR', 'FORMAT_OR_USABILITY', 'LEGAL_CONCERN', 'NEW_DATA_REQUEST', 'OTHER']),
  message: z.string(),
  contact: z.string().nullable(),
  reply: z.string().nullable(),
  answered_at: z.date().nullable(),
  answered_by: z.string().nullable(),
});
/** A row of `open_data_feedback`: the mapper type of GraphQL `OpenDataFeedback` and `OpenDataFeedbackTicket`. */
export type FeedbackRow = z.infer<typeof feedbackRow>;

const COLUMNS = 'id, received_at, dataset, handled_by, kind, message, contact, reply, answered_at, answered_by';

const insertFeedback = statement(
  'insertFeedback',
  `INSERT INTO open_data_feedback (id, received_at, dataset, handled_by, kind, message, contact)
   VALUES ($1, $2, $3, $4, $5, $6, $7)
   RETURNING ${COLUMNS}`,
  feedbackRow,
);

const feedbackById = statement('feedbackById', `SELECT ${COLUMNS} FROM open_data_feedback WHERE id = $1::uuid`, feedbackRow);

const feedbackPageStatement = statement(
  'feedbackPage',
  `SELECT ${COLUMNS}, ${positionSql('received_at', 'id::text')} AS position FROM open_data_feedback
    WHERE ($1::text IS NULL OR handled_by = $1)
      AND ($2::boolean IS NULL OR (reply IS NOT NULL) = $2)
      AND ($4::timestamptz IS NULL OR (received_at, id) < ($4::timestamptz, $5::uuid))
    ORDER BY received_at DESC, id DESC
    LIMIT $3`,
  withPosition(feedbackRow),
  { plan: 'per-call' },
);

const answerFeedbackStatement = statement(
  'answerFeedback',
  `UPDATE open_data_feedback SET reply = $2, answered_at = $3, answered_by = $4
    WHERE id = $1::uuid
    RETURNING ${COLUMNS}`,
  feedbackRow,
);

const insertFeedbackNotification = statement(
  'insertFeedbackNotification',
  `INSERT INTO notifications (id, recipient_agency, kind, feedback_id, message, created_at)
   VALUES ($1, $2, 'OPEN_DATA_FEEDBACK', $3, $4, $5)`,
  z.unknown(),
);

/** The feedback statements, each named and parameterised. */
export function feedbackStore(db: Queries) {
  return {
    insert: (row: Omit<FeedbackRow, 'reply' | 'answered_at' | 'answered_by'>, client: PoolClient) =>
      db.maybeOne(insertFeedback, [row.id, row.received_at, row.dataset, row.handled_by, row.kind, row.message, row.contact], client),
    byId: (id: string) => db.maybeOne(feedbackById, [id]),
    /** One page (plus one row) of feedback, newest first; `handledBy` null for every agency's. */
    page: (handledBy: string | null, answered: boolean | null, page: PositionPageRequest) =>
      db.many(feedbackPageStatement, [handledBy, answered, page.limit + 1, ...positionParams(page)]),
    answer: (id: string, reply: string, at: Date, by: string, client: PoolClient) => db.maybeOne(answerFeedbackStatement, [id, reply, at, by], client),
    notify: (id: string, recipient: string, feedbackId: string, message: string, at: Date, client: PoolClient) =>
      db.many(insertFeedbackNotification, [id, recipient, feedbackId, message, at], client),
  };
}

let governingAgency: string | undefined;

/** The governing department's agency code: the ledger's own, which answers requests for new data. */
export function governingAgencyCode(): string {
  governingAgency ??= readAgency(LEDGER_SUBGRAPH).agencyCode;
  return governingAgency;
}

/** The agency that answers feedback on `dataset`: the agency owning that OPEN root field. */
function datasetOwner(catalogue: FieldCatalogue, dataset: string): string {
  const field = /^[A-Za-z_][A-Za-z0-9_]*$/.test(dataset) ? catalogue.field(`Query.${dataset}`) : undefined;
  // A dataset is a list (or page) of records anyone may read, at the root: what /open/download offers.
  const owner = field && field.category === 'OPEN' && !field.ledger && field.listing ? field.owners[0] : undefined;
  if (owner === undefined) {
    throw badUserInput(
      `"${dataset.slice(0, 100)}" không phải một bộ dữ liệu mở; xem danh sách ở /open/download, hoặc bỏ trống dataset khi đề nghị dữ liệu mới. ` +
        `("${dataset.slice(0, 100)}" is not an open dataset: see the list at /open/download, or omit dataset for a request for new data.)`,
      { argument: 'input.dataset' },
    );
  }
  return owner;
}

/** Trimmed optional text: null when absent or blank; BAD_USER_INPUT when longer than `maximum`. */
function optionalText(value: string | null | undefined, maximum: number, argument: string, vi: string, en: string): string | null {
  const text = keptText(value ?? '');
  if (text === '') return null;
  // `vi` also goes mid-sentence ("Cần nêu nội dung góp ý"); here it begins one.
  if (characters(text) > maximum) throw badUserInput(`${vi.charAt(0).toUpperCase()}${vi.slice(1)} dài tối đa ${maximum} ký tự. (${en}: at most ${maximum} characters.)`, { argument, maximum });
  checkCharacters(text, argument);
  return text;
}

/** Required trimmed text of at most MAX_TEXT characters. */
function requiredFeedbackText(value: string, argument: string, vi: string, en: string): string {
  const text = optionalText(value, MAX_TEXT, argument, vi, en);
  if (text === null) throw badUserInput(`Cần nêu ${vi}. (${en} is required.)`, { argument });
  return text;
}

/** Records feedback from anyone and notifies the agency that answers it. */
export async function sendFeedback(context: AccessContext, input: OpenDataFeedbackInput): Promise<FeedbackRow> {
  const datasetName = optionalText(input.dataset, 100, 'input.dataset', 'Tên bộ dữ liệu', 'The dataset name');
  if (datasetName === null && input.kind !== 'NEW_DATA_REQUEST' && input.kind !== 'OTHER') {
    throw badUserInput(
      `Góp ý loại ${input.kind} cần nêu bộ dữ liệu (dataset). (Feedback of kind ${input.kind} must name its dataset.)`,
      { argument: 'input.dataset' },
    );
  }
  const handledBy = datasetName === null ? governingAgencyCode() : datasetOwner(context.catalogue, datasetName);
  const message = requiredFeedbackText(input.message, 'input.message', 'nội dung góp ý', 'A message');
  const contact = optionalText(input.contact, MAX_CONTACT, 'input.contact', 'Thông tin liên hệ', 'The contact');
  const now = context.now();
  const store = feedbackStore(context.db);
  return context.db.transaction(async (client) => {
    const row = await store.insert(
      { id: context.newId(), received_at: now, dataset: datasetName, handled_by: handledBy, kind: input.kind, message, contact },
      client,
    );
    if (row === null) throw new Error('the ledger lost the feedback it was writing');
    const [vi, en] =
      row.dataset !== null
        ? [`về bộ dữ liệu ${row.dataset}`, `on dataset ${row.dataset}`]
        : row.kind === 'NEW_DATA_REQUEST'
          ? ['đề nghị dữ liệu mới', 'a request for new data']
          : ['không gắn với bộ dữ liệu nào', 'about no dataset'];
    await store.notify(context.newId(), handledBy, row.id, `Góp ý mới về dữ liệu mở, ${vi}, loại ${row.kind}. (New open-data feedback, ${en}: ${row.kind}.)`, now, client);
    return row;
  });
}

/** Feedback visible to the caller: its agency's, or every agency's for governance. */
export function feedbackPage(context: AccessContext, answered: boolean | null, page: PositionPageRequest): Promise<Array<FeedbackRow & { position: string[] }>> {
  const official = requireOfficial(context.caller);
  return feedbackStore(context.db).page(isGovernance(official) ? null : official.agency, answered, page);
}

/** A ticket by its id, for anyone holding the id; null when there is none. */
export async function feedbackTicket(context: AccessContext, id: string): Promise<FeedbackRow | null> {
  return feedbackStore(context.db).byId(ledgerId(id));
}

/** Feedback one official may see: its agency's, or any for governance; otherwise as if there were none. */
export async function visibleFeedback(context: AccessContext, id: string): Promise<FeedbackRow | null> {
  if (context.caller.kind !== 'official') return null;
  const row = await feedbackStore(context.db).byId(id);
  return row && (isGovernance(context.caller) || context.caller.agency === row.handled_by) ? row : null;
}

/** Answers feedback addressed to the caller's agency; the reply shows on the sender's ticket. */
export async function answerFeedback(context: AccessContext, id: string, reply: string): Promise<FeedbackRow> {
  const official = requireOfficial(context.caller);
  const feedbackId = ledgerId(id);
  const text = requiredFeedbackText(reply, 'reply', 'câu trả lời', 'A reply');
  const store = feedbackStore(context.db);
  const row = await store.byId(feedbackId);
  // Only the agency it is addressed to answers it (governance reads every agency's, answers its own);
  // to any other, it does not exist, as openDataFeedback lists it.
  if (row === null || official.agency !== row.handled_by) {
    throw badUserInput('Không tìm thấy góp ý gửi tới cơ quan của bạn. (No such feedback addressed to your agency.)', { argument: 'id' });
  }
  const answered = await context.db.transaction((client) => store.answer(feedbackId, text, context.now(), official.officialId, client));
  if (answered === null) throw new Error('the ledger lost the feedback it was answering');
  return answered;
}

/** The public view of a ticket: the answering agency by name. */
export function handledByName(row: FeedbackRow): string {
  return agencyName(row.handled_by);
}
