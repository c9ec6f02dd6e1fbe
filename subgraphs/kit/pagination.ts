import { ErrorCode } from './errors';
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { FIELD_COORDINATE_PATTERN } from './text';

/** The largest page any list field returns. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** The longest sort key or position a cursor may carry (every key of the registers is far shorter). */
const MAX_KEY_LENGTH = 1000;

/**
 * A page of a list ordered by one unique key (an id, a tax code): the rows whose key sorts after
 * `afterKey`. Its cost does not grow with how far into the list it is, and rows added or removed
 * before it do not shift it, so a client or an export can walk a list of millions of rows.
 */
export interface KeysetPageRequest {
  /** The list, Type.field: its cursors are refused by every other. */
  readonly list: string;
  /** Rows to return. */
  readonly limit: number;
  /** The key of the previous page's last row; null on the first page. */
  readonly afterKey: string | null;
}

/**
 * A page of a list ordered by several columns: newest first by a time, then by a key that tells rows
 * of the same time apart (a request's id; a disclosure's agency and number), or by a group's key (the
 * usage figures' day, provider, consumer, field and category). The page holds the rows after the
 * previous page's last, so rows added meanwhile before it do not push a row of a later page onto it
 * twice.
 */
export interface PositionPageRequest {
  /** The list, Type.field: its cursors are refused by every other. */
  readonly list: string;
  /** Rows to return. */
  readonly limit: number;
  /** How many parts a position of this list has (its shape's length). */
  readonly parts: number;
  /** The previous page's last row: its position's parts, as text; null on the first page. */
  readonly after: readonly string[] | null;
}

/**
 * A row's position in a list ordered newest first, in SQL: `positionSql('submitted_at', 'id::text')`
 * is an array of the time, exact to the microsecond, and the key parts, as text. Name it `position`
 * in the select.
 */
export function positionSql(time: string, ...key: string[]): string {
  return `ARRAY[to_char(${time} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ${key.join(', ')}]`;
}

/** The row schema of a page statement: `row` and the `position` that positionSql selects. */
export function withPosition<Shape extends z.ZodRawShape>(row: z.ZodObject<Shape>) {
  return row.extend({ position: z.array(z.string()) });
}

/** What one part of a position cursor must look like: a pattern, or a check. */
export interface PositionPart {
  test(part: string): boolean;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** True when `time` (shaped like TIME) is a real instant, not e.g. month 13, nor in year 0, which PostgreSQL has not. */
function realInstant(time: string): boolean {
  const parsed = new Date(time);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 23) === time.slice(0, 23) && Number(time.slice(0, 4)) >= 1;
}

/** What each part of a position cursor may be, so that no cursor reaches SQL as a value it would refuse. */
export const POSITION_PART = {
  /** A time as positionSql writes it, and a real one. */
  time: { test: (part: string) => TIME.test(part) && realInstant(part) },
  /** A calendar day, YYYY-MM-DD, and a real one. */
  day: { test: (part: string) => DAY.test(part) && realInstant(`${part}T00:00:00.000000Z`) },
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  /** An agency's code (e.g. so-y-te), or a kind of caller (citizen, anonymous). */
  code: /^[a-z0-9-]{1,64}$/,
  /** A bigint sequence number, well inside its range. */
  seq: /^\d{1,18}$/,
  /**
   * Any text of a row that is bound as text (the usage figures' consumer, field and category, as the
   * providers recorded them): a cursor the server gave is never refused for holding it.
   */
  text: { test: (part: string) => part.length > 0 && part.length <= 200 && !part.includes('\u0000') },
} as const satisfies Readonly<Record<string, PositionPart>>;

/**
 * Validates `first`/`after` of a list paged by position; `shape` says what each part of the position
 * is (e.g. `[POSITION_PART.time, POSITION_PART.uuid]`). A cursor that does not fit is refused as
 * BAD_USER_INPUT on `after`.
 */
export function positionPageRequest(args: PageArgs, field: ListField, shape: readonly PositionPart[]): PositionPageRequest {
  const limit = pageSize(args.first);
  const list = listOf(field);
  const parts = shape.length;
  if (!args.after) return { list, limit, parts, after: null };
  const text = decodeCursor(args.after, 'k', list);
  let position: unknown;
  try {
    position = JSON.parse(text);
  } catch {
    position = null;
  }
  const fits =
    Array.isArray(position) &&
    position.length === shape.length &&
    position.every((part, at) => typeof part === 'string' && (shape[at]?.test(part) ?? false));
  if (!fits) throw invalidCursor();
  return { list, limit, parts, after: position as string[] };
}

/** Builds a page from rows fetched with `LIMIT request.limit + 1`; the cursor carries the last row's `position`. */
export function toPositionPage<T extends { readonly position: readonly string[] }>(rows: T[], request: PositionPageRequest): Page<T> {
  return toKeysetPage(rows, request, (row) => JSON.stringify(row.position));
}

/** The SQL parameters of a page's position: each part, or as many nulls on the first page. */
export function positionParams(request: PositionPageRequest): (string | null)[] {
  return Array.from({ length: request.parts }, (_, at) => request.after?.[at] ?? null);
}

/**
 * A page by offset: the rows after the first `offset`. For the citizens search, whose key is a
 * personal id that a cursor must not carry, and the code tables' short lists of units.
 */
export interface PageRequest {
  /** The list, Type.field: its cursors are refused by every other. */
  readonly list: string;
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

/**
 * The list field a page belongs to, as its resolver's `info` names it; any GraphQLResolveInfo will do.
 * Its name goes into the list's cursors, so that a cursor taken from one list is refused by another
 * instead of paging it from a row of the wrong list.
 */
export interface ListField {
  readonly parentType: { readonly name: string };
  readonly fieldName: string;
}

function listOf(field: ListField): string {
  return `${field.parentType.name}.${field.fieldName}`;
}

type CursorKind = 'k' | 'o';

/**
 * The cursor is opaque to clients: a tag saying how the list pages (by key or position, or by offset),
 * the list's Type.field, and the position.
 */
function encodeCursor(tag: CursorKind, list: string, position: string): string {
  return Buffer.from(`${tag}:${list}:${position}`).toString('base64url');
}

/** The cursor of a keyset page of `list` (Type.field) whose last row has the key `key` (what toKeysetPage gives). */
export function keysetCursor(list: string, key: string): string {
  return encodeCursor('k', list, key);
}

function invalidCursor(): GraphQLError {
  return new GraphQLError('Con trỏ `after` không hợp lệ; hãy dùng `pageInfo.endCursor` của trang trước. (Invalid cursor.)', {
    extensions: { code: ErrorCode.BAD_USER_INPUT, argument: 'after' },
  });
}

const CURSOR = new RegExp(`^([ko]):(${FIELD_COORDINATE_PATTERN}):([^\\u0000]{1,${MAX_KEY_LENGTH}})$`, 'u');
const OFFSET = /^\d{1,9}$/;

/** The position a cursor of `list`, paged the `kind` way, holds; a cursor of any other is refused. */
function decodeCursor(cursor: string, kind: CursorKind, list: string): string {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match?.[1] !== kind || match[2] !== list || !match[3]) throw invalidCursor();
  if (kind === 'o' && !OFFSET.test(match[3])) throw invalidCursor();
  return match[3];
}

/**
 * Validates `first`: above MAX_PAGE_SIZE or below 1 is a PAGE_SIZE_EXCEEDED / BAD_USER_INPUT error
 * that states the bound. `first: 0` is refused too: a page of nothing would still say, through
 * `hasNextPage`, whether anything matches (whether someone has the name and birth date searched
 * for) while disclosing no row the log could name; and a client paging with it never moves on.
 * (With any page, `hasNextPage` still tells that at least one more row matches; that row is not
 * recorded, as the caller learns nothing of whom it is.)
 */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (size > MAX_PAGE_SIZE) {
    throw new GraphQLError(`Tối đa ${MAX_PAGE_SIZE} bản ghi mỗi trang. (At most ${MAX_PAGE_SIZE} items per page; got ${size}.)`, {
      extensions: { code: ErrorCode.PAGE_SIZE_EXCEEDED, maximum: MAX_PAGE_SIZE, argument: 'first' },
    });
  }
  if (size < 1) {
    throw new GraphQLError('`first` phải từ 1 trở lên. (`first` must be at least 1.)', {
      extensions: { code: ErrorCode.BAD_USER_INPUT, argument: 'first' },
    });
  }
  return size;
}

/** Validates `first`/`after` of a list ordered by one unique key. */
export function keysetPageRequest(args: PageArgs, field: ListField): KeysetPageRequest {
  const list = listOf(field);
  return { list, limit: pageSize(args.first), afterKey: args.after ? decodeCursor(args.after, 'k', list) : null };
}

/**
 * Builds a keyset page from rows fetched with `LIMIT request.limit + 1` (the extra row only tells
 * whether another page follows); the cursor carries the last row's key, `keyOf`.
 */
export function toKeysetPage<T>(rows: T[], request: { readonly list: string; readonly limit: number }, keyOf: (row: T) => string): Page<T> {
  const nodes = rows.slice(0, request.limit);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > request.limit, endCursor: last === undefined ? null : keysetCursor(request.list, keyOf(last)) },
  };
}

/** Validates `first`/`after` of a short list ordered by several columns, and turns them into limit/offset. */
export function pageRequest(args: PageArgs, field: ListField): PageRequest {
  const list = listOf(field);
  return { list, limit: pageSize(args.first), offset: args.after ? Number(decodeCursor(args.after, 'o', list)) + 1 : 0 };
}

/** Builds a page from rows fetched with `LIMIT request.limit + 1`, as toKeysetPage does. */
export function toPage<T>(rows: T[], request: PageRequest): Page<T> {
  const nodes = rows.slice(0, request.limit);
  const last = request.offset + nodes.length - 1;
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > request.limit, endCursor: nodes.length > 0 ? encodeCursor('o', request.list, String(last)) : null },
  };
}
