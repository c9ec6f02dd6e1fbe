import { GraphQLError, type ASTNode } from 'graphql';

/**
 * The stable error codes of lienthong. Clients may switch on these; they never change meaning.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The caller is known but may not perform this action (e.g. approving another agency's request). */
  FORBIDDEN: 'FORBIDDEN',
  PAGE_SIZE_EXCEEDED: 'PAGE_SIZE_EXCEEDED',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** A field refused by the sharing rules (see kit/authorisation.ts). */
  ACCESS_DENIED: 'ACCESS_DENIED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The provider could not write its disclosure log, so it withheld the answer (no data leaves unlogged). */
  DISCLOSURE_LOG_UNAVAILABLE: 'DISCLOSURE_LOG_UNAVAILABLE',
  /** A client sent more than its allowance (anonymous writes on /open/graphql); HTTP 429 with Retry-After. */
  RATE_LIMITED: 'RATE_LIMITED',
  /**
   * The action does not fit what it acts on as it now is (deciding a request already decided,
   * resuming a grant that is not suspended); `state` says what it is. Sending it again will not help.
   */
  WRONG_STATE: 'WRONG_STATE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A user's mistake: the message says what form was expected. */
export function badUserInput(message: string, extensions: Record<string, unknown> = {}, nodes?: ASTNode): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...extensions }, ...(nodes ? { nodes } : {}) });
}

/** An action refused for the state of what it acts on (WRONG_STATE), naming the argument and that state. */
export function wrongState(message: string, argument: string, state: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.WRONG_STATE, argument, state } });
}

/**
 * The agency's database did not answer. Carries no SQL, host or driver detail: only the agency.
 */
export class DatabaseUnavailableError extends GraphQLError {
  constructor(agency: string) {
    super(`Cơ sở dữ liệu của ${agency} tạm thời không truy cập được; hãy thử lại sau. (The agency database is temporarily unavailable.)`, {
      extensions: { code: ErrorCode.DATABASE_UNAVAILABLE, agency },
    });
  }
}

/**
 * The codes that reach clients as they are, at a subgraph and at the gateway: ours, and Apollo's
 * own for malformed requests. Anything else is masked as INTERNAL_SERVER_ERROR.
 */
export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);
