import { createHmac } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';

/**
 * What the database owner does for a provider's disclosure log, never the application: the
 * application role, the monthly partitions, retention and verification.
 */

/** Art. 16.1.a of the Phú Yên rules: a provider keeps its request history for at least 3 months. */
export const RETENTION_FLOOR_MONTHS = 3;
export const DEFAULT_RETENTION_MONTHS = 12;

/** The retention setting: whole months, never under the legal floor. */
const retentionSaid = `phải là số tháng nguyên, ít nhất ${RETENTION_FLOOR_MONTHS} (Quy chế Phú Yên, Điều 16.1.a) (must be whole months, at least ${RETENTION_FLOOR_MONTHS})`;
export const retentionMonths = z.coerce
  .number({ message: retentionSaid })
  .int({ message: retentionSaid })
  .min(RETENTION_FLOOR_MONTHS, { message: retentionSaid })
  .max(1200, { message: 'tối đa 1200 tháng (at most 1200 months)' })
  .default(DEFAULT_RETENTION_MONTHS);

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates (or updates) the login role the provider's subgraph runs as, on the database of `ownerUrl`:
 * SELECT on the agency's tables, and on the disclosure log INSERT and SELECT only, so the application
 * can neither alter nor remove a record. Returns the role's URL. The password is derived from the
 * owner's URL (its credentials included), so every replica of a subgraph derives the same one and
 * none locks the others out.
 */
export async function ensureAppRole(ownerUrl: string): Promise<string> {
  const url = new URL(ownerUrl);
  const database = url.pathname.slice(1);
  const role = `${database}_app`;
  if (!/^[a-z][a-z0-9_]{0,58}_app$/.test(role)) throw new Error(`Refusing unsafe role name "${role}"`);
  const password = createHmac('sha256', ownerUrl).update(`lienthong-app-role:${role}`).digest('base64url');
  await withClient(ownerUrl, async (client) => {
    const name = client.escapeIdentifier(role);
    // Roles are cluster-wide; the advisory lock keeps two starts from creating the same one at once.
    await client.query('/* appRoleLock */ SELECT pg_advisory_lock(hashtext($1))', [role]);
    try {
      const exists = await client.query('/* roleExists */ SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const verb = exists.rowCount === 0 ? 'CREATE' : 'ALTER';
      await client.query(`${verb} ROLE ${name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${client.escapeLiteral(password)}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [role]);
    }
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(database)} TO ${name}`);
    await client.query(`GRANT USAGE ON SCHEMA public, disclosure TO ${name}`);
    await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${name}`);
    await client.query(`GRANT SELECT, INSERT ON disclosure.log TO ${name}`);
    await client.query(`GRANT USAGE ON SEQUENCE disclosure.log_seq TO ${name}`);
    // The relay reads its cursors and moves them forward through the owner's function (migration
    // 009); it cannot set them, nor touch the records themselves. Roles made before that lose UPDATE.
    await client.query(`GRANT SELECT ON disclosure.relay_cursor TO ${name}`);
    await client.query(`REVOKE UPDATE ON disclosure.relay_cursor FROM ${name}`);
    await client.query(`GRANT EXECUTE ON FUNCTION disclosure.relay_delivered(smallint[], bigint[]) TO ${name}`);
  });
  url.username = role;
  url.password = password;
  return url.toString();
}

function monthStart(date: Date, offset = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offset, 1));
}

function partitionName(month: Date): string {
  return `log_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * Creates the partition `name` for [from, to). Records of that month written while no partition
 * held it (maintenance not run for a month or more) wait in the default partition, where they would
 * stop the partition from being created: they are moved into it, unchanged, in the same transaction.
 */
async function createPartition(client: pg.Client, name: string, from: Date, to: Date): Promise<void> {
  const table = `disclosure.${client.escapeIdentifier(name)}`;
  const bounds = `FROM (${client.escapeLiteral(from.toISOString())}) TO (${client.escapeLiteral(to.toISOString())})`;
  await client.query('BEGIN');
  try {
    const waiting = await client.query(`/* recordsAwaitingPartition */ SELECT 1 FROM disclosure.log_default WHERE recorded_at >= $1 AND recorded_at < $2 LIMIT 1`, [from, to]);
    if (waiting.rowCount) {
      await client.query(`CREATE TABLE ${table} (LIKE disclosure.log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      await client.query(
        `/* moveAwaitingRecords */
         WITH moved AS (DELETE FROM disclosure.log_default WHERE recorded_at >= $1 AND recorded_at < $2 RETURNING *)
         INSERT INTO ${table} SELECT * FROM moved`,
        [from, to],
      );
      await client.query(`ALTER TABLE disclosure.log ATTACH PARTITION ${table} FOR VALUES ${bounds}`);
    } else {
      await client.query(`CREATE TABLE ${table} PARTITION OF disclosure.log FOR VALUES ${bounds}`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

export interface MaintenanceResult {
  readonly created: readonly string[];
  readonly dropped: readonly string[];
}

/**
 * Keeps the log's monthly partitions: creates this month's and the next two (so new records never
 * wait on DDL), and drops every partition that ends on or before the retention floor, `retention`
 * whole months before the start of `now`'s month. The default partition is never dropped, nor is
 * any partition that still holds a day younger than the floor.
 */
export async function maintainLog(ownerUrl: string, now: Date, retention: number): Promise<MaintenanceResult> {
  const months = retentionMonths.parse(retention);
  const created: string[] = [];
  const dropped: string[] = [];
  await withClient(ownerUrl, async (client) => {
    // Partition bounds are read back as text below: in ISO form and UTC whatever the database's
    // defaults (under DateStyle 'SQL, DMY', 1 June read as 6 January, and young months were dropped).
    await client.query(`SET datestyle = 'ISO, YMD'`);
    await client.query(`SET timezone = 'UTC'`);
    // One maintainer at a time (replicas of a subgraph start together): another's partition created,
    // or dropped, between this one's look and its DDL would fail it. Released when the session ends.
    await client.query('/* maintenanceLock */ SELECT pg_advisory_lock(470121)');
    for (let offset = 0; offset <= 2; offset++) {
      const from = monthStart(now, offset);
      const name = partitionName(from);
      const exists = await client.query(`/* partitionExists */ SELECT 1 FROM pg_tables WHERE schemaname = 'disclosure' AND tablename = $1`, [name]);
      if (exists.rowCount) continue;
      await createPartition(client, name, from, monthStart(now, offset + 1));
      created.push(name);
    }
    const floor = monthStart(now, -months);
    const partitions = await client.query<{ name: string; upper: string | null }>(
      `/* logPartitions */
       SELECT c.relname AS name, substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([^'']+)''\\)') AS upper
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'disclosure.log'::regclass`,
    );
    // The default partition has no upper bound and is never dropped.
    const doomed = partitions.rows.filter(({ upper }) => upper !== null && new Date(upper).getTime() <= floor.getTime()).map(({ name }) => name);
    if (doomed.length === 0) return;
    // Each chain goes on from its newest record dropped (migration 010): noted in the transaction
    // that drops them, so that verify knows where the kept part of every chain must begin.
    await client.query('BEGIN');
    try {
      const records = doomed.map((name) => `SELECT chain, seq, hash FROM disclosure.${client.escapeIdentifier(name)}`).join(' UNION ALL ');
      await client.query(
        `/* anchorChains */
         INSERT INTO disclosure.chain_anchor AS a (chain, seq, hash)
         SELECT DISTINCT ON (d.chain) d.chain, d.seq, d.hash FROM (${records}) d ORDER BY d.chain, d.seq DESC
         ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash WHERE a.seq IS NULL OR a.seq < excluded.seq`,
      );
      for (const name of doomed) await client.query(`DROP TABLE disclosure.${client.escapeIdentifier(name)}`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    dropped.push(...doomed);
  });
  return { created, dropped };
}

export interface VerifyResult {
  readonly records: number;
  /** The first record that does not match the chain or the anchor, or null when every record does. */
  readonly firstBroken: {
    readonly seq: string;
    readonly reason: 'CONTENT_ALTERED' | 'CHAIN_BROKEN' | 'HEAD_MISSING' | 'HEAD_DIFFERS' | 'AFTER_HEAD' | 'DUPLICATE' | 'DIFFERS_FROM_LEDGER' | 'MISSING' | 'NOT_RELAYED';
  } | null;
}

/**
 * A record the governing department's ledger received from this log: its seq and chain hash (null
 * for copies received before providers sent it, which are known to be held and no more).
 */
export interface LogAnchor {
  readonly seq: string;
  readonly hash: string | null;
  /**
   * The hash the ledger was told the record was sealed on; absent or null for copies received before
   * providers sent it. A relay that skipped records could claim its next record follows the last one
   * delivered: the log's own prev_hash then differs from the ledger's.
   */
  readonly prevHash?: string | null;
  /**
   * Whether the ledger had received it before the log was read: then it was in the log before, and
   * its absence means it was removed. One received while `verify` runs may have been written after
   * the log's snapshot was taken. Absent: true.
   */
  readonly settled?: boolean;
}

/** The ledger's copies of this log's records after `after` (a seq), oldest first, at most `limit`. */
export type LedgerCopies = (after: string, limit: number) => Promise<readonly LogAnchor[]>;

/**
 * Whether the ledger's records said to be this log's are: the request ids of the first few it holds
 * from the log's oldest record on (`sample`, after a seq) are looked for in the log. None found
 * means the ledger's records came from another log, as when `verify` is given another agency's code:
 * compared, every one would differ, and the log be called rewritten. True when there is nothing to
 * compare (an empty log, or one that has relayed nothing yet).
 */
export async function ledgerSpeaksOfLog(ownerUrl: string, sample: (after: string, limit: number) => Promise<readonly string[]>): Promise<boolean> {
  return withClient(ownerUrl, async (client) => {
    const oldest = (await client.query<{ seq: string | null }>(`/* logOldestSeq */ SELECT min(l.seq)::text AS seq FROM disclosure.log l`)).rows[0]?.seq;
    if (!oldest) return true;
    // Whether the log has relayed any record it still holds (at or below its chain's relay cursor):
    // read before the ledger, so that whatever it finds relayed the ledger had already acknowledged.
    const relayed = await client.query(
      `/* logRelayedAny */ SELECT 1 FROM disclosure.log l JOIN disclosure.relay_cursor c ON c.chain = l.chain WHERE l.seq <= c.through_seq LIMIT 1`,
    );
    const ids = await sample(String(BigInt(oldest) - 1n), 20);
    // Nothing under this code is right only while the log has relayed nothing.
    if (ids.length === 0) return (relayed.rowCount ?? 0) === 0;
    const found = await client.query(`/* logHoldsRequests */ SELECT 1 FROM disclosure.log l WHERE l.request_id = ANY($1::text[]) LIMIT 1`, [ids]);
    return (found.rowCount ?? 0) > 0;
  });
}

/** The previous-hash of a chain's very first record. */
const CHAIN_START = '0'.repeat(64);

/**
 * Recomputes the hash chains over the whole log, in seq order, in pages, all in one snapshot. A
 * record whose own hash no longer matches its content was edited (CONTENT_ALTERED); a record whose
 * previous-hash is not the hash of the record before it in its chain (migration 006) has a record
 * missing or inserted before it (CHAIN_BROKEN). A chain's first record kept must be its very first
 * (previous-hash of zeros) or follow the newest record of it that retention dropped
 * (disclosure.chain_anchor, migration 010): else its oldest records were removed by hand, or it is
 * a forged start. Two records with one seq are one too many (DUPLICATE).
 *
 * Each chain's head (disclosure.chain_head, migration 008) must be a record of the log with the same
 * hash: else a chain's newest records were removed, or it was rewritten from some record on and
 * sealed again (HEAD_MISSING or HEAD_DIFFERS at the head's seq). A head that retention dropped with
 * its whole chain is its chain's anchor. No record of a chain may come after its head (AFTER_HEAD):
 * the trigger moves the head with every record it seals, so such a record was added around it.
 *
 * A superuser who rewrote a chain could also set its head. With `ledger`, the hashes the governing
 * department's ledger received, that shows too: every record the ledger holds, from the oldest record
 * kept on, must be in the log (else MISSING at it) with the same hash and previous hash (else
 * DIFFERS_FROM_LEDGER at it); and every record of the log at or below its chain's relay cursor, which
 * the ledger acknowledged, must be in the ledger (else NOT_RELAYED at it: the relay skipped it).
 */
export async function verifyLog(ownerUrl: string, pageSize = 5000, ledger?: LedgerCopies): Promise<VerifyResult> {
  return withClient(ownerUrl, async (client) => {
    await client.query(`SET timezone = 'UTC'`);
    // Heads, anchors and records read in one snapshot: a record committed meanwhile is in none of them.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await walkChains(client, pageSize, ledger);
    } finally {
      await client.query('COMMIT');
    }
  });
}

async function walkChains(client: pg.Client, pageSize: number, ledger: LedgerCopies | undefined): Promise<VerifyResult> {
  const anchors = new Map(
    (await client.query<{ chain: number; hash: string }>(`/* logChainAnchors */ SELECT a.chain, a.hash FROM disclosure.chain_anchor a`)).rows.map((row) => [row.chain, row.hash]),
  );
  const heads = await client.query<{ chain: number; seq: string; hash: string }>(
    `/* logChainHeads */ SELECT h.chain, h.seq::text AS seq, h.hash FROM disclosure.chain_head h WHERE h.seq IS NOT NULL ORDER BY h.seq`,
  );
  /** Each chain's newest record, as its head says. */
  const headOf = new Map(heads.rows.map((head) => [head.chain, BigInt(head.seq)]));
  /** Heads not yet met in the walk, oldest first; a head retention dropped with its chain is not looked for. */
  const unmet = heads.rows.filter((head) => anchors.get(head.chain) !== head.hash);
  let records = 0;
  /** Each chain's last hash so far. */
  const previous = new Map<number, string>();
  let after = '-1';
  let afterAt = '-infinity';
  let first: bigint | null = null;
  // The ledger's copies, read in pages alongside the log's.
  let copies: readonly LogAnchor[] = [];
  let copyAt = 0;
  let copiesAfter = '-1';
  let copiesDone = ledger === undefined;
  const nextCopy = async (): Promise<LogAnchor | undefined> => {
    if (copyAt >= copies.length && !copiesDone && ledger) {
      copies = await ledger(copiesAfter, pageSize);
      copyAt = 0;
      copiesDone = copies.length < pageSize;
      copiesAfter = copies[copies.length - 1]?.seq ?? copiesAfter;
    }
    return copies[copyAt];
  };
  /**
   * The first copy before `seq` (null: the end) that the log lacks; copies older than the oldest
   * record kept are passed over, as are copies with no hash (what they were cannot be told) and
   * copies the ledger received after the log was read (they may be of records written since).
   */
  const missingBefore = async (seq: bigint | null): Promise<LogAnchor | undefined> => {
    for (let copy = await nextCopy(); copy && (seq === null || BigInt(copy.seq) < seq); copy = await nextCopy()) {
      if (copy.hash !== null && copy.settled !== false && (first === null || BigInt(copy.seq) >= first)) return copy;
      copyAt++;
    }
    return undefined;
  };
  /** Each chain's relay cursor: every record at or below it was acknowledged by the ledger, so must be there. */
  const relayed = new Map(
    ledger
      ? (await client.query<{ chain: number; through_seq: string }>(`/* logRelayCursors */ SELECT chain, through_seq::text AS through_seq FROM disclosure.relay_cursor`)).rows.map(
          (row) => [row.chain, BigInt(row.through_seq)],
        )
      : [],
  );
  /**
   * The first record before `before` (null: the end) that the log should hold and lacks: a copy the
   * ledger holds (MISSING; it also wins a tie, saying more), or a chain's head (HEAD_MISSING).
   */
  const gapBefore = async (before: bigint | null): Promise<VerifyResult['firstBroken']> => {
    const head = unmet[0];
    const headSeq = head && (before === null || BigInt(head.seq) < before) ? BigInt(head.seq) : null;
    const lacking = await missingBefore(headSeq === null ? before : headSeq + 1n);
    if (lacking) return { seq: lacking.seq, reason: 'MISSING' };
    return head && headSeq !== null ? { seq: head.seq, reason: 'HEAD_MISSING' } : null;
  };
  for (;;) {
    // In (seq, recorded_at) order, which no two records share (the key is (recorded_at, seq)): two
    // records with one seq are both read, whichever page they fall on.
    const page = await client.query<{ seq: string; at: string; chain: number; prev_hash: string; hash: string; expected: string }>(
      `/* logChainPage */
       SELECT l.seq::text AS seq, l.recorded_at::text AS at, l.chain, l.prev_hash, l.hash,
              disclosure.seal(l.prev_hash, to_jsonb(l) - 'hash' - 'prev_hash' - 'chain') AS expected
         FROM disclosure.log l
        WHERE l.seq >= $1 AND (l.seq > $1 OR l.recorded_at > $2::timestamptz)
        ORDER BY l.seq, l.recorded_at LIMIT $3`,
      [after, afterAt, pageSize],
    );
    for (const row of page.rows) {
      records++;
      const seq = BigInt(row.seq);
      if (row.seq === after) return { records, firstBroken: { seq: row.seq, reason: 'DUPLICATE' } };
      first ??= seq;
      const gap = await gapBefore(seq);
      if (gap) return { records, firstBroken: gap };
      if (row.expected !== row.hash) return { records, firstBroken: { seq: row.seq, reason: 'CONTENT_ALTERED' } };
      const before = previous.get(row.chain) ?? anchors.get(row.chain) ?? CHAIN_START;
      if (row.prev_hash !== before) return { records, firstBroken: { seq: row.seq, reason: 'CHAIN_BROKEN' } };
      const newest = headOf.get(row.chain);
      if (newest === undefined || seq > newest) return { records, firstBroken: { seq: row.seq, reason: 'AFTER_HEAD' } };
      const copy = await nextCopy();
      if (copy && copy.seq === row.seq) {
        const matches = (copy.hash ?? row.hash) === row.hash && (copy.prevHash ?? row.prev_hash) === row.prev_hash;
        if (!matches) return { records, firstBroken: { seq: row.seq, reason: 'DIFFERS_FROM_LEDGER' } };
        copyAt++;
      } else if (ledger && seq <= (relayed.get(row.chain) ?? -1n)) {
        // The relay's cursor passed it, yet the ledger never received it: skipped, not delivered.
        return { records, firstBroken: { seq: row.seq, reason: 'NOT_RELAYED' } };
      }
      const head = unmet[0];
      if (head?.seq === row.seq) {
        if (head.hash !== row.hash) return { records, firstBroken: { seq: row.seq, reason: 'HEAD_DIFFERS' } };
        unmet.shift();
      }
      previous.set(row.chain, row.hash);
      after = row.seq;
      afterAt = row.at;
    }
    if (page.rows.length < pageSize) return { records, firstBroken: await gapBefore(null) };
  }
}
