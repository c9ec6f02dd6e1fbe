import { createHash } from 'node:crypto';
import pg from 'pg';
import type { z } from 'zod';
import { badUserInput, DatabaseUnavailableError } from './errors';

// DATE columns stay ISO strings ('2024-05-01'), never shifted through a JS Date in local time.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
// NUMERIC stays a string unless a row schema coerces it.

/** A named, parameterised SQL statement and the shape of its rows. */
export interface Statement<Row> {
  readonly name: string;
  readonly text: string;
  /**
   * The server-side prepared statement's name: the name and a digest of the text, so two texts never
   * share one. Undefined for a statement planned for each call's values (see StatementOptions).
   */
  readonly prepared: string | undefined;
  readonly row: z.ZodType<Row>;
}

/**
 * How a statement is planned.
 * - `prepared`: each connection prepares it once and then only binds and executes it, with no
 *   parsing or planning per call. Right for look-ups by key, whose best plan is the same for any value.
 * - `per-call`: planned afresh for each call's values. Required for a statement with optional filters
 *   (`$2::text IS NULL OR …`): one plan must then serve every combination of filters, and after a
 *   few calls PostgreSQL may switch to such a generic plan, which reads the table in key order and
 *   filters every row. Measured on 20,000 enterprises: a commune-and-line search took 33 ms that way
 *   against 0.4 ms planned for its values, and the gap grows with the table.
 */
export interface StatementOptions {
  readonly plan: 'prepared' | 'per-call';
}

/** A filter that a null parameter turns off, e.g. `($2::text IS NULL OR e.commune_code = $2)`. */
const OPTIONAL_FILTER = /\$\d+(::[\w ]+)? IS NULL OR/i;

/**
 * Declares a statement. The name is put in a leading comment so that it shows in pg_stat_activity,
 * in slow-query logs and in the statement counter. A statement with optional filters must say how it
 * is planned (StatementOptions); declaring one without is a programming error, thrown at load.
 */
export function statement<Row>(name: string, text: string, row: z.ZodType<Row>, options?: StatementOptions): Statement<Row> {
  if (options === undefined && OPTIONAL_FILTER.test(text)) {
    throw new Error(`statement ${name} has optional filters: declare how it is planned ({ plan: 'per-call' } or { plan: 'prepared' })`);
  }
  const full = `/* ${name} */ ${text}`;
  return { name, text: full, prepared: options?.plan === 'per-call' ? undefined : preparedName(name, full), row };
}

/** A prepared statement's name, within PostgreSQL's 63-byte limit on names. */
export function preparedName(name: string, text: string): string {
  return `${name.slice(0, 50)}_${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

export interface PoolOptions {
  readonly connectionString: string;
  readonly max: number;
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

type StatementListener = (name: string) => void;

/** True when `value`, a statement parameter, is or holds text with a NUL character, which PostgreSQL cannot store. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  return Array.isArray(value) && value.some(holdsNul);
}

/** Connection-level failures: the database is down, restarting, unreachable or too slow. */
const UNAVAILABLE_SQLSTATE = /^(08|57P0|53)/;
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

// Errors are inspected by shape, not `instanceof Error`: socket errors may come from another realm.
export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code) || code === '57014')) {
    return true;
  }
  return typeof message === 'string' && /timeout|terminat|Connection ended|not queryable|connect/i.test(message);
}

/**
 * One agency's database: a bounded pool with connection and statement timeouts. Every statement
 * goes through `many`/`maybeOne`, which parse rows at the boundary and turn an unreachable or slow
 * database into DatabaseUnavailableError (no SQL or host in it). The pool recovers by itself when
 * the database returns: broken connections are discarded, new ones are opened on demand.
 */
export class Database {
  readonly pool: pg.Pool;
  private readonly listeners = new Set<StatementListener>();

  constructor(readonly agency: string, options: PoolOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: options.statementTimeoutMs,
      query_timeout: options.statementTimeoutMs + 1000,
      application_name: `lienthong-${agency}`,
    });
    // An idle client losing its server emits here; without a handler the process would crash.
    this.pool.on('error', () => undefined);
  }

  /** Calls `listener` with the statement name each time a statement is sent. Returns an unsubscribe. */
  onStatement(listener: StatementListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `stmt` and returns all rows, parsed. */
  async many<Row>(stmt: Statement<Row>, params: readonly unknown[] = [], client?: pg.PoolClient): Promise<Row[]> {
    // PostgreSQL refuses NUL in text: say so as the caller's mistake, before any SQL is sent.
    if (params.some(holdsNul)) throw badUserInput('Văn bản không được chứa ký tự NUL (U+0000). (Text must not contain the NUL character, U+0000.)');
    for (const listener of this.listeners) listener(stmt.name);
    let result: pg.QueryResult;
    try {
      // Without a name, the statement is planned for these values (an unnamed statement of the protocol).
      result = await (client ?? this.pool).query({ ...(stmt.prepared === undefined ? {} : { name: stmt.prepared }), text: stmt.text, values: params as unknown[] });
    } catch (error) {
      if (isUnavailable(error)) throw new DatabaseUnavailableError(this.agency);
      throw error;
    }
    return result.rows.map((row: unknown) => stmt.row.parse(row));
  }

  /** Runs `stmt` and returns its first row, or null. */
  async maybeOne<Row>(stmt: Statement<Row>, params: readonly unknown[] = [], client?: pg.PoolClient): Promise<Row | null> {
    const rows = await this.many(stmt, params, client);
    return rows[0] ?? null;
  }

  /** Runs `work` in one transaction on one connection; rolls back if it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      if (isUnavailable(error)) throw new DatabaseUnavailableError(this.agency);
      throw error;
    }
    try {
      await client.query('BEGIN');
      const value = await work(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** True when the database answers a trivial statement within the connection timeout. */
  async ping(): Promise<boolean> {
    try {
      await this.pool.query('/* ping */ SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
