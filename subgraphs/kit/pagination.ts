import { ErrorCode } from './errors';
import { GraphQLError } from 'graphql';

/** The largest page any list field returns. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** The longest sort key a cursor may carry (every key of the registers is far shorter). */
const MAX_KEY_LENGTH = 200;

/**
 * A page of a list ordered by one unique key (an id, a tax code): the rows whose key sorts after
 * `afterKey`. Its cost does not grow with how far into the list it is, and rows added or removed
 * before it do not shift it, so a client or an export can walk a list of millions of rows.
 */
export interface KeysetPageRequest {
  /** Rows to return. */
  readonly limit: number;
  /** The key of the previous page's last row; null on the first page. */
  readonly afterKey: string | null;
}

/**
 * A page by offset: the rows after the first `offset`. For the lists a key cannot page: those ordered
 * by several columns (a party's requests, newest first; each belongs to one agency or one citizen),
 * and the citizens search, whose key is a personal id that a cursor must not carry.
 */
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

interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
}

/** The cursor is opaque to clients: a tag saying which kind of list it came from, and the position. */
function encodeCursor(tag: 'k' | 'o', position: string): string {
  return Buffer.from(`${tag}:${position}`).toString('base64url');
}

/** The cursor of a keyset page whose last row has the key `key` (what toKeysetPage gives). */
export function keysetCursor(key: string): string {
  return encodeCursor('k', key);
}

function decodeCursor(cursor: string, pattern: RegExp): string {
  const match = pattern.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) {
    throw new GraphQLError('Con trỏ `after` không hợp lệ; hãy dùng `pageInfo.endCursor` của trang trước. (Invalid cursor.)', {
      extensions: { code: ErrorCode.BAD_USER_INPUT, argument: 'after' },
    });
  }
  return match[1];
}

const KEY_CURSOR = new RegExp(`^k:([^\\u0000]{1,${MAX_KEY_LENGTH}})$`, 'u');
const OFFSET_CURSOR = /^o:(\d{1,9})$/;

/**
 * Validates `first`: above MAX_PAGE_SIZE or below 0 is a PAGE_SIZE_EXCEEDED / BAD_USER_INPUT error
 * that states the bound.
 */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (size > MAX_PAGE_SIZE) {
    throw new GraphQLError(`Tối đa ${MAX_PAGE_SIZE} bản ghi mỗi trang. (At most ${MAX_PAGE_SIZE} items per page; got ${size}.)`, {
      extensions: { code: ErrorCode.PAGE_SIZE_EXCEEDED, maximum: MAX_PAGE_SIZE, argument: 'first' },
    });
  }
  if (size < 0) {
    throw new GraphQLError('`first` phải không âm. (`first` must not be negative.)', {
      extensions: { code: ErrorCode.BAD_USER_INPUT, argument: 'first' },
    });
  }
  return size;
}

/** Validates `first`/`after` of a list ordered by one unique key. */
export function keysetPageRequest(args: PageArgs): KeysetPageRequest {
  return { limit: pageSize(args.first), afterKey: args.after ? decodeCursor(args.after, KEY_CURSOR) : null };
}

/**
 * Builds a keyset page from rows fetched with `LIMIT request.limit + 1` (the extra row only tells
 * whether another page follows); the cursor carries the last row's key, `keyOf`.
 */
export function toKeysetPage<T>(rows: T[], request: KeysetPageRequest, keyOf: (row: T) => string): Page<T> {
  const nodes = rows.slice(0, request.limit);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > request.limit, endCursor: last === undefined ? null : keysetCursor(keyOf(last)) },
  };
}

/** Validates `first`/`after` of a short list ordered by several columns, and turns them into limit/offset. */
export function pageRequest(args: PageArgs): PageRequest {
  return { limit: pageSize(args.first), offset: args.after ? Number(decodeCursor(args.after, OFFSET_CURSOR)) + 1 : 0 };
}

/** Builds a page from rows fetched with `LIMIT request.limit + 1`, as toKeysetPage does. */
export function toPage<T>(rows: T[], request: PageRequest): Page<T> {
  const nodes = rows.slice(0, request.limit);
  const last = request.offset + nodes.length - 1;
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > request.limit, endCursor: nodes.length > 0 ? encodeCursor('o', String(last)) : null },
  };
}
