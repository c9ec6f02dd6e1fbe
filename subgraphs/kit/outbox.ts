import { z } from 'zod';
import type { Logger } from 'pino';
import { statement, type Database } from './db';

/** Hands a batch of outbox payloads to the governing department's ledger; throws when it did not take them. */
export type DisclosureSink = (records: readonly unknown[]) => Promise<void>;

/** The outbox's next records, each as the ledger takes it (access/disclosures.ts), without hashes. */
const outboxBatch = statement(
  'outboxBatch',
  `SELECT o.id::text AS id,
          jsonb_build_object('seq', l.seq, 'recordedAt', l.recorded_at, 'requestId', l.request_id, 'callerKind', l.caller_kind,
            'consumerAgency', l.consumer_agency, 'official', l.official, 'roles', l.roles, 'citizenId', l.citizen_id,
            'purpose', l.purpose, 'operationName', l.operation_name, 'fields', l.fields, 'subjects', l.subject_fields,
            'used', l.used, 'refused', l.refused) AS payload
     FROM disclosure.outbox o
     JOIN disclosure.log l ON l.seq = o.log_seq AND l.recorded_at = o.recorded_at
    ORDER BY o.id
    LIMIT $1`,
  z.object({ id: z.string(), payload: z.unknown() }),
);
const outboxDelivered = statement(
  'outboxDelivered',
  `DELETE FROM disclosure.outbox WHERE id = ANY($1::bigint[]) RETURNING id::text AS id`,
  z.object({ id: z.string() }),
);

/** The names of the relay's statements: they belong to no request (tests counting per request skip them). */
export const OUTBOX_STATEMENTS: ReadonlySet<string> = new Set([outboxBatch.name, outboxDelivered.name]);

/**
 * Relays a provider's transactional outbox to the ledger: after each request that wrote a record
 * (`poke`, debounced by `delayMs`), and on a slow sweep for whatever a crash or an unreachable ledger
 * left behind. A batch is deleted only after the ledger acknowledged it, so a record is delivered at
 * least once; the ledger ignores a redelivery. Order within the outbox is kept.
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
    }, this.options.delayMs ?? 100);
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
      await this.db.many(outboxDelivered, [rows.map((row) => row.id)]);
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
