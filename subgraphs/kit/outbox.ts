import { z } from 'zod';
import type { Logger } from 'pino';
import { statement, type Database } from './db';

/** Hands a batch of outbox payloads to the governing department's ledger; throws when it did not take them. */
export type DisclosureSink = (records: readonly unknown[]) => Promise<void>;

/**
 * The records after the relay's cursors, oldest first, each as the ledger takes it
 * (access/disclosures.ts), with its chain, its hash and the hash it was sealed on (the ledger keeps
 * them as the log's anchor, and checks that each record follows the last it received): an index
 * range scan on (chain, seq) per chain however long the log. Cut at `limit`, the batch still holds a
 * prefix of each chain's undelivered records, so each cursor can move to its chain's last one.
 */
const outboxBatch = statement(
  'outboxBatch',
  `SELECT l.seq::text AS seq, l.chain,
          jsonb_build_object('seq', l.seq, 'recordedAt', l.recorded_at, 'requestId', l.request_id, 'callerKind', l.caller_kind,
            'consumerAgency', l.consumer_agency, 'official', l.official, 'roles', l.roles, 'citizenId', l.citizen_id,
            'purpose', l.purpose, 'operationName', l.operation_name, 'fields', l.fields, 'subjects', l.subject_fields,
            'used', l.used, 'refused', l.refused, 'hash', l.hash, 'chain', l.chain, 'prevHash', l.prev_hash) AS payload
     FROM disclosure.relay_cursor c
    CROSS JOIN LATERAL (
          SELECT * FROM disclosure.log l WHERE l.chain = c.chain AND l.seq > c.through_seq ORDER BY l.seq LIMIT $1) l
    ORDER BY l.seq
    LIMIT $1`,
  z.object({ seq: z.string(), chain: z.number(), payload: z.unknown() }),
);
/**
 * Moves each chain's cursor past what the ledger acknowledged, through the log owner's function
 * (migration 009): never back (two relays may race), never past the chain's newest record. The
 * application role cannot write the cursors itself.
 */
const outboxDelivered = statement(
  'outboxDelivered',
  `SELECT d.through_seq::text AS through_seq FROM disclosure.relay_delivered($1::smallint[], $2::bigint[]) AS d`,
  z.object({ through_seq: z.string() }),
);

/**
 * How long the relay waits after a record before it drains, so that the records of about a second go
 * to the ledger in one delivery. A delivery costs a statement and a commit on both sides and an HTTP
 * call whatever its size: with 100 ms, the ledger alone spent about 0.7 ms of CPU per gateway request
 * on them under the cross-domain load, against about 0.3 ms with 1 s. A citizen's view and the usage
 * figures run about a second behind the answers.
 */
export const RELAY_DELAY_MS = 1000;

/** The names of the relay's statements: they belong to no request (tests counting per request skip them). */
export const OUTBOX_STATEMENTS: ReadonlySet<string> = new Set([outboxBatch.name, outboxDelivered.name]);

/**
 * Relays a provider's transactional outbox, the log records after its cursors (migrations 002, 006), to the
 * ledger: after each request that wrote a record (`poke`, debounced by `delayMs`), and on a slow sweep
 * for whatever a crash or an unreachable ledger left behind. The cursor moves only after the ledger
 * acknowledged a batch, so a record is delivered at least once; the ledger ignores a redelivery.
 * Each chain's records are delivered in seq order.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly sink: DisclosureSink,
    private readonly logger: Logger,
    private readonly options: { delayMs?: number; sweepMs?: number; batch?: number } = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.sweeper = setInterval(() => this.poke(), this.options.sweepMs ?? 30_000);
    this.sweeper.unref();
    this.poke();
  }

  /** Asks for a drain soon; many pokes within the delay make one drain. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'disclosure outbox not delivered; will retry'))
        .finally(() => {
          this.running = undefined;
          if (this.again) {
            this.again = false;
            this.poke();
          }
        });
    }, this.options.delayMs ?? RELAY_DELAY_MS);
    this.timer.unref();
  }

  /** Delivers everything in the outbox now, batch after batch; resolves with how many were delivered. */
  async drain(): Promise<number> {
    const size = this.options.batch ?? 200;
    let delivered = 0;
    for (;;) {
      const rows = await this.db.many(outboxBatch, [size]);
      if (rows.length === 0) return delivered;
      await this.sink(rows.map((row) => row.payload));
      await this.db.many(outboxDelivered, [rows.map((row) => row.chain), rows.map((row) => row.seq)]);
      delivered += rows.length;
      if (rows.length < size) return delivered;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.sweeper);
    await this.running;
  }
}
