import type { IncomingMessage } from 'node:http';
import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import type { Logger } from 'pino';
import { grantsUsed } from './authorisation';
import { disclosureRecord, disclosureWrite } from './disclosure';
import { DatabaseUnavailableError, ErrorCode } from './errors';
import type { AroundExecution } from './http';
import type { Verified } from './server';

function operationOf(body: unknown): { query: string; operationName: string | null } {
  const { query, operationName } = typeof body === 'object' && body !== null ? (body as { query?: unknown; operationName?: unknown }) : {};
  return { query: typeof query === 'string' ? query : '', operationName: typeof operationName === 'string' ? operationName : null };
}

/**
 * True when a GraphQL response body carries no data: every root field null. A list, even empty,
 * is data: that nobody matches a search is itself an answer about people.
 */
export function disclosesNothing(answer: HTTPGraphQLResponse): boolean {
  if (answer.body.kind !== 'complete') return false;
  let data: unknown;
  try {
    data = (JSON.parse(answer.body.string) as { data?: unknown }).data;
  } catch {
    return false;
  }
  if (data === null || data === undefined) return true;
  if (typeof data !== 'object') return false;
  return Object.values(data).every((value) => value === null);
}

/**
 * The answer sent when the disclosure record could not be written: the original answer when it
 * carries no data at all (its errors, e.g. the database being down, say more), otherwise no data and
 * a stable code naming the agency (DATABASE_UNAVAILABLE when its database is down).
 */
function withheldAnswer(agency: string, unavailable: DatabaseUnavailableError | null, answered: HTTPGraphQLResponse): HTTPGraphQLResponse {
  if (disclosesNothing(answered)) return answered;
  const error = unavailable
    ? { message: unavailable.message, extensions: unavailable.extensions }
    : {
        message: `${agency} không ghi được nhật ký cung cấp dữ liệu nên không trả dữ liệu; hãy thử lại sau. (The provider could not write its disclosure log, so no data was returned.)`,
        extensions: { code: ErrorCode.DISCLOSURE_LOG_UNAVAILABLE, agency },
      };
  const headers = new HeaderMap([['content-type', 'application/json; charset=utf-8']]);
  return { status: 200, headers, body: { kind: 'complete', string: JSON.stringify({ data: null, errors: [error] }) } };
}

/** What answering with a disclosure record needs from the subgraph. */
export interface RecordedAnswers {
  readonly agencyName: string;
  readonly logger: Logger;
  /** The kit's verification of the request (caller, request id, decisions, recorder, transaction). */
  readonly verified: (req: IncomingMessage) => Verified | undefined;
  readonly purpose: (req: IncomingMessage) => string | null;
  /** Called once a record is committed (e.g. to relay the outbox). */
  readonly written: () => void;
}

/**
 * Runs a request and holds its answer until the record of what it disclosed is committed, in the
 * request's own transaction (the one its reads ran in, DESIGN §7), and on disk. When the record
 * cannot be written, nothing of the transaction commits and the answer is withheld (withheldAnswer).
 * Requests that touched no data (federation plumbing) are answered as they are.
 */
export function answerWithRecord(deps: RecordedAnswers): AroundExecution {
  return async (req, body, run) => {
    const verified = deps.verified(req);
    const recorder = verified?.disclosure;
    const transaction = verified?.transaction;
    if (!verified || !recorder || !transaction) return run();
    try {
      const answered = await run();
      if (!recorder.touchedData) return answered;
      for (const via of grantsUsed(verified.decisions, recorder.fields)) recorder.use(via);
      const { query, operationName } = operationOf(body);
      const record = disclosureRecord({ requestId: verified.requestId, caller: verified.caller, purpose: deps.purpose(req), operationName, query }, recorder);
      try {
        await transaction.commit(disclosureWrite([record]), { durable: true });
      } catch (error) {
        deps.logger.error({ err: error, requestId: verified.requestId }, 'disclosure record not written: answer withheld');
        return withheldAnswer(deps.agencyName, error instanceof DatabaseUnavailableError ? error : null, answered);
      }
      deps.written();
      return answered;
    } finally {
      // A request that wrote no record (or failed before) ends its transaction here; after a commit, a no-op.
      await transaction.end();
    }
  };
}
