import { createHash } from 'node:crypto';
import pg from 'pg';
import type { z } from 'zod';
import { badUserInput, DatabaseUnavailableError } from './errors';
import { holdsUnstorableText } from './text';

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

/**
 * What a store needs of its database: statements, and a transaction for work that must be one.
 * Database runs each statement on any pool connection; RequestTransaction runs all of a request's
 * statements in the one transaction that ends with the request.
 */
export interface Queries {
  readonly agency: string;
  many<Row>(stmt: Statement<Row>, params?: readonly unknown[], client?: pg.PoolClient): Promise<Row[]>;
  maybeOne<Row>(stmt: Statement<Row>, params?: readonly unknown[], client?: pg.PoolClient): Promise<Row | null>;
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
}


/** SQLSTATE 40001: the transaction was refused as out of order with another; the same work in a new one may pass. */
function isSerializationFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '40001';
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
export class Database implements Queries {
  readonly pool: pg.Pool;
  private readonly listeners = new Set<StatementListener>();

  constructor(readonly agency: string, options: PoolOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: options.statementTimeoutMs,
      // A request's transaction lives as long as the request (RequestTransaction); one left open by a
      // process that hangs is ended by the server, which releases its locks.
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
      query_timeout: options.statementTimeoutMs + 1000,
      application_name: `lienthong-${agency}`,
      // A query is sent without waiting for the one before it to finish (node-postgres's pipelining):
      // a request's BEGIN goes out with its first statement, and its last write with COMMIT
      // (RequestTransaction). One query at a time, as everywhere else, behaves as without it.
      pipeline: true,
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
    // Text PostgreSQL cannot store as given is the caller's mistake, said before any SQL is sent.
    if (params.some(holdsUnstorableText)) {
      throw badUserInput(
        'Văn bản không được chứa ký tự NUL (U+0000) hay nửa cặp thay thế UTF-16 đứng lẻ. ' +
          '(Text must not contain the NUL character, U+0000, or an unpaired UTF-16 surrogate.)',
      );
    }
    for (const listener of this.listeners) listener(stmt.name);
    let result: pg.QueryResult;
    try {
      // Without a name, the statement is planned for these values (an unnamed statement of the protocol).
      result = await (client ?? this.pool).query({ ...(stmt.prepared === undefined ? {} : { name: stmt.prepared }), text: stmt.text, values: params as unknown[] });
    } catch (error) {
      throw this.unavailableOr(error);
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
    const client = await this.connect();
    try {
      await this.begin(client);
      const value = await work(client);
      await client.query('COMMIT');
      release(client);
      return value;
    } catch (error) {
      // `work`'s own errors (a refusal, say) pass as they are; its statements already map an unreachable database.
      await rollback(client);
      throw error;
    }
  }

  /** A pool connection for a transaction: give it back with `release` (or `rollback`). */
  async connect(): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.unavailableOr(error);
    }
    // A checked-out connection that the server drops between statements (a restart, the idle timeout)
    // reports it as an 'error' event; unheard, that event would end the process. The statement that
    // follows then fails, as it should.
    client.on('error', ignoreDropped);
    return client;
  }

  /**
   * Sends BEGIN on `client`. The connection pipelines: a statement sent before this settles goes out
   * behind BEGIN without waiting for it (in the same write, sent `together`), and counts only if
   * BEGIN succeeded.
   */
  begin(client: pg.PoolClient): Promise<void> {
    const begun = client.query('BEGIN').then(
      () => undefined,
      (error: unknown) => Promise.reject(this.unavailableOr(error)),
    );
    // Settled by whoever awaits it; this keeps a failure from counting as unhandled meanwhile.
    begun.catch(() => undefined);
    return begun;
  }

  /** DatabaseUnavailableError for a failure to reach the database (no SQL or host in it); else the error itself. */
  unavailableOr(error: unknown): unknown {
    return isUnavailable(error) ? new DatabaseUnavailableError(this.agency) : error;
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

/** How long a connection may sit in an open transaction without a statement before the server ends it. */
const IDLE_IN_TRANSACTION_MS = 60_000;

function ignoreDropped(): void {}

/** Gives back a connection from Database.connect: to the pool, or discarded with `destroy`. */
function release(client: pg.PoolClient, destroy = false): void {
  client.removeListener('error', ignoreDropped);
  client.release(destroy);
}

/** Rolls back and releases `client`; a connection that cannot even roll back is discarded. */
async function rollback(client: pg.PoolClient): Promise<void> {
  try {
    await client.query('ROLLBACK');
    release(client);
  } catch {
    release(client, true);
  }
}

/**
 * One request's transaction (DESIGN §7: a provider writes its disclosure record "in the same
 * transaction as the read"). The request's first statement begins it on one pool connection; every
 * later statement of the request runs on that connection, one after another; `commit` runs the
 * request's last write (its disclosure record) and commits, so that what was read and the record of
 * it commit together or not at all; `end` rolls back a request that wrote nothing. Read committed:
 * each statement sees what was committed before it began.
 *
 * A statement that fails aborts the transaction: its caller gets the error as before, the request's
 * later statements run without it, and `commit` writes the last write in a transaction of its own
 * (the aborted one holds no write to keep).
 */
export class RequestTransaction implements Queries {
  private connection: Promise<pg.PoolClient> | undefined;
  /** BEGIN's outcome, once sent (with the transaction's first statement). */
  private begun: Promise<void> | undefined;
  /** The request's statements, in the order sent: one at a time, so a failure stops the next. */
  private queue: Promise<unknown> = Promise.resolve();
  private aborted = false;
  private ended = false;

  constructor(private readonly db: Database) {}

  get agency(): string {
    return this.db.agency;
  }

  async many<Row>(stmt: Statement<Row>, params: readonly unknown[] = [], client?: pg.PoolClient): Promise<Row[]> {
    if (client !== undefined) return this.db.many(stmt, params, client);
    return this.inTransaction((connection) => this.db.many(stmt, params, connection), () => this.db.many(stmt, params));
  }

  async maybeOne<Row>(stmt: Statement<Row>, params: readonly unknown[] = [], client?: pg.PoolClient): Promise<Row | null> {
    const rows = await this.many(stmt, params, client);
    return rows[0] ?? null;
  }

  /** Work that must be one transaction already is: it runs in the request's. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.inTransaction(work, () => this.db.transaction(work));
  }

  /**
   * Runs `last` in the transaction (beginning it if no statement has) and commits: the two go out
   * together, so a lock `last` takes (the disclosure chain's) is held only while the server works,
   * never while COMMIT crosses the network and waits for a busy event loop. Measured on the citizens
   * subgraph at 16 clients, with COMMIT sent after the write's answer, most backends sat waiting for
   * that lock. Rejects, with nothing committed, when either fails; DatabaseUnavailableError when the
   * database cannot be reached.
   *
   * With `durable`, COMMIT waits until the commit is on disk whatever the server's default
   * (synchronous_commit is set on for this transaction alone), so that what waits for `commit` goes on
   * only once the write would survive a crash of the server. A lock `last` takes is then held through
   * that flush; commits waiting at the same moment share one flush (PostgreSQL's group commit).
   *
   * A last write refused as out of order with another transaction (SQLSTATE 40001, as the disclosure
   * chains refuse a record of an earlier month than the one before it) is written once more, alone,
   * in a new transaction (`retried` marks that second attempt).
   */
  async commit(last: LastWrite, options: { readonly durable?: boolean; readonly retried?: boolean } = {}): Promise<void> {
    await this.queue;
    if (this.aborted) {
      await this.end();
      await new RequestTransaction(this.db).commit(last, options);
      return;
    }
    const client = await this.connect();
    this.ended = true;
    // In a transaction a failed statement has aborted, COMMIT rolls back: the first failure is the outcome.
    const outcomes = await Promise.allSettled(
      together(client, () => [
        (this.begun ??= this.db.begin(client)),
        options.durable ? client.query('SET LOCAL synchronous_commit TO on') : undefined,
        client.query({ ...(last.prepared ? { name: last.prepared } : {}), text: last.text, values: [...last.values] }),
        client.query('COMMIT'),
      ]),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure?.status === 'rejected') {
      await rollback(client);
      // Refused as out of order (the log's chains, migration 009): written again, once, in a new
      // transaction, which begins after whatever it was ordered behind.
      if (isSerializationFailure(failure.reason) && !options.retried) {
        await new RequestTransaction(this.db).commit(last, { ...options, retried: true });
        return;
      }
      throw this.db.unavailableOr(failure.reason);
    }
    release(client);
  }

  /** Ends the transaction without keeping anything: rolls back and releases the connection. Safe to call twice. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.queue;
    const client = await this.connection?.catch(() => undefined);
    if (client) await rollback(client);
  }

  /**
   * Queues `work` on the transaction's connection; the first goes out with BEGIN. After a failure the
   * transaction can run nothing more: the request's later statements run as they would without one
   * (`alone`), and its last write gets a transaction of its own (see commit).
   */
  private inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>, alone: () => Promise<T>): Promise<T> {
    if (this.ended) return Promise.reject(new Error("the request's transaction has ended"));
    const run = this.queue.then(async () => {
      if (this.aborted) return alone();
      try {
        const client = await this.connect();
        const [begun, running] = together(client, () => [(this.begun ??= this.db.begin(client)), work(client)] as const);
        const [opening, outcome] = await Promise.allSettled([begun, running]);
        if (opening.status === 'rejected') throw opening.reason;
        if (outcome.status === 'rejected') throw outcome.reason;
        return outcome.value;
      } catch (error) {
        this.aborted = true;
        throw error;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private connect(): Promise<pg.PoolClient> {
    return (this.connection ??= this.db.connect());
  }
}

/**
 * Runs `send`, which sends queries on `client`, and lets their messages leave in one write: the
 * connection pipelines, so they go without waiting for each other's answers, and corked, without a
 * system call each.
 */
function together<T>(client: pg.PoolClient, send: () => T): T {
  const stream = client.connection.stream;
  stream.cork();
  try {
    return send();
  } finally {
    stream.uncork();
  }
}

/**
 * A transaction's last write: one statement with text parameters, e.g. a disclosure record. With a
 * `prepared` name, each connection parses and plans it once.
 */
export interface LastWrite {
  readonly text: string;
  readonly values: readonly string[];
  readonly prepared?: string;
}
