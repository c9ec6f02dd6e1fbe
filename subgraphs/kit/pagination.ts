import { ErrorCode } from './errors';
import { GraphQLError } from 'graphql';

/** The largest page any list field returns. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageRequest {
  /** Rows to return. */
  readonly limit: number;
  /** Rows to skip. */
  readonly offset: number;
}

export interface Page<T> {
  readonly nodes: T[];
  readonly pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw new GraphQLError('Con trỏ `after` không hợp lệ; hãy dùng `pageInfo.endCursor` của trang trước. (Invalid cursor.)', {
      extensions: { code: ErrorCode.BAD_USER_INPUT, argument: 'after' },
    });
  }
  return Number(match[1]);
}

/**
 * Validates `first`/`after` and turns them into limit/offset. `first` above MAX_PAGE_SIZE or below 0
 * is a PAGE_SIZE_EXCEEDED / BAD_USER_INPUT error that states the bound.
 */
export function pageRequest(args: { first?: number | null; after?: string | null }): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first > MAX_PAGE_SIZE) {
    throw new GraphQLError(`Tối đa ${MAX_PAGE_SIZE} bản ghi mỗi trang. (At most ${MAX_PAGE_SIZE} items per page; got ${first}.)`, {
      extensions: { code: ErrorCode.PAGE_SIZE_EXCEEDED, maximum: MAX_PAGE_SIZE, argument: 'first' },
    });
  }
  if (first < 0) {
    throw new GraphQLError('`first` phải không âm. (`first` must not be negative.)', {
      extensions: { code: ErrorCode.BAD_USER_INPUT, argument: 'first' },
    });
  }
  return { limit: first, offset: args.after ? decodeCursor(args.after) + 1 : 0 };
}

/**
 * Builds a page from rows fetched with `LIMIT request.limit + 1`: the extra row only tells whether
 * another page follows.
 */
export function toPage<T>(rows: T[], request: PageRequest): Page<T> {
  const nodes = rows.slice(0, request.limit);
  const last = request.offset + nodes.length - 1;
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > request.limit, endCursor: nodes.length > 0 ? encodeCursor(last) : null },
  };
}
