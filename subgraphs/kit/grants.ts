import { vietnamDate } from './calendar';

/**
 * What a provider knows, locally, about the special-request grants and citizens' consents that
 * concern its fields. Filled from the governing department's access ledger; consulted by the
 * sharing rules. When it cannot tell (the ledger has not answered within the staleness bound), it
 * says 'unavailable' and the rules refuse: fail closed.
 */
export interface GrantView {
  /** The id of a usable grant giving `agency` the field `coordinate`, null if none, or 'unavailable'. */
  grantFor(agency: string, coordinate: string): string | null | 'unavailable';
  /**
   * The first day (YYYY-MM-DD, Vietnamese calendar) of an approved grant giving `agency` the field
   * that has not started yet, when it has no usable one; null otherwise.
   */
  startsLater(agency: string, coordinate: string): string | null;
  /** Whether any usable consent gives `agency` the field (so a per-row check is worth making). */
  hasConsents(agency: string, coordinate: string): boolean;
  /** The id of a usable consent by `subject` giving `agency` the field, or null. */
  consentFor(agency: string, subject: string, coordinate: string): string | null;
  /**
   * True when a decision about to rest on the view should first wait for refreshIfStale: the view has
   * aged past half its bound (its poll timer held back, or polls failing) and no recent poll on
   * demand has just failed.
   */
  wantsRefresh?(): boolean;
  /**
   * Brings a view that has aged up to date, if the ledger answers in time. Resolves whatever the
   * outcome; the view then says what it knows ('unavailable' still, when the ledger did not answer).
   */
  refreshIfStale?(): Promise<void>;
}

export interface UsableGrant {
  readonly id: string;
  readonly consumerAgency: string;
  readonly fields: readonly string[];
  readonly validFrom: string;
  readonly validUntil: string | null;
}

export interface UsableConsent {
  readonly id: string;
  readonly personalId: string;
  readonly agency: string;
  readonly fields: readonly string[];
  readonly validUntil: string | null;
}

export interface LedgerSnapshot {
  readonly grants: readonly UsableGrant[];
  readonly consents: readonly UsableConsent[];
}

/** No grants and no consents: what a subgraph knows before the ledger is configured or answers. */
export const NO_GRANTS: GrantView = { grantFor: () => null, startsLater: () => null, hasConsents: () => false, consentFor: () => null };

function within(validFrom: string | null, validUntil: string | null, day: string): boolean {
  return (validFrom === null || validFrom <= day) && (validUntil === null || day <= validUntil);
}

/**
 * Keeps a provider's view of the ledger fresh by polling `fetch` every `intervalMs`. A suspension,
 * termination or withdrawal takes effect at the next successful poll (within `intervalMs` plus the
 * ledger's answer time); once the view is older than `staleAfterMs` (counted from when the poll
 * that brought it was sent), grant-based access is refused.
 * A late timer alone does not get a request refused (a busy event loop delays it, and a poll caught
 * by one times out): a request that finds the view aged polls the ledger itself (refreshIfStale),
 * waiting at most `waitMs` for it.
 */
export class GrantCache implements GrantView {
  private snapshot: LedgerSnapshot | null = null;
  /**
   * When the poll whose answer is the snapshot was sent: the ledger's answer is no older, so a view
   * is never used longer than the bound after the state it shows (its arrival may come much later).
   */
  private refreshedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Polls started, and the latest whose answer is the snapshot. */
  private polls = 0;
  private applied = 0;
  /** The poll requests are waiting for (refreshIfStale), and when the last such poll failed. */
  private onDemand: Promise<void> | undefined;
  private onDemandFailedAt = -Infinity;

  constructor(
    private readonly fetch: () => Promise<LedgerSnapshot>,
    private readonly intervalMs = 1000,
    private readonly staleAfterMs = 5000,
    private readonly now: () => Date = () => new Date(),
    private readonly waitMs = 2000,
  ) {}

  /** Polls once now, then every intervalMs until stop(). A failed poll keeps the last snapshot. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Polls once. Polls may overlap (the ledger may take longer to answer than the interval): an
   * answer to a poll older than the one already applied is dropped, so that a suspension once seen
   * is never undone by a slower, earlier answer.
   */
  async refresh(): Promise<boolean> {
    const poll = ++this.polls;
    const sentAt = this.now().getTime();
    try {
      const snapshot = await this.fetch();
      if (poll < this.applied) return true;
      this.applied = poll;
      this.snapshot = snapshot;
      this.refreshedAt = sentAt;
      return true;
    } catch {
      return false;
    }
  }

  /** Whether refreshIfStale would poll, or wait for a poll under way (see there). */
  wantsRefresh(): boolean {
    const now = this.now().getTime();
    if (this.snapshot && now - this.refreshedAt <= this.staleAfterMs / 2) return false;
    return this.onDemand !== undefined || now - this.onDemandFailedAt >= this.intervalMs;
  }

  /**
   * Before a decision that rests on the view: when the view is older than half the staleness
   * bound (polls are late or failing: the timer polls every `intervalMs`), polls now and waits for
   * the answer, at most `waitMs`, so that the request is decided on a fresh view, with the other
   * half of the bound to be decided in. Requests arriving meanwhile wait for the same poll. After
   * such a poll fails or is not answered in time, requests do not wait for another for `intervalMs`
   * (the timer keeps polling): an unreachable ledger does not hold every request. Only a poll that
   * succeeded makes the view usable again.
   */
  refreshIfStale(): Promise<void> {
    if (!this.wantsRefresh()) return Promise.resolve();
    if (this.onDemand) return this.onDemand;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.waitMs);
      timer.unref();
    });
    this.onDemand = Promise.race([this.refresh(), timedOut]).then((answered) => {
      clearTimeout(timer);
      if (!answered) this.onDemandFailedAt = this.now().getTime();
      this.onDemand = undefined;
    });
    return this.onDemand;
  }

  private fresh(): LedgerSnapshot | null {
    return this.snapshot && this.now().getTime() - this.refreshedAt <= this.staleAfterMs ? this.snapshot : null;
  }

  grantFor(agency: string, coordinate: string): string | null | 'unavailable' {
    const snapshot = this.fresh();
    if (!snapshot) return 'unavailable';
    const day = vietnamDate(this.now());
    const grant = snapshot.grants.find(
      (g) => g.consumerAgency === agency && g.fields.includes(coordinate) && within(g.validFrom, g.validUntil, day),
    );
    return grant?.id ?? null;
  }

  startsLater(agency: string, coordinate: string): string | null {
    const day = vietnamDate(this.now());
    const starts = (this.fresh()?.grants ?? [])
      .filter((g) => g.consumerAgency === agency && g.fields.includes(coordinate) && g.validFrom > day && (g.validUntil === null || g.validFrom <= g.validUntil))
      .map((g) => g.validFrom)
      .sort();
    return starts[0] ?? null;
  }

  hasConsents(agency: string, coordinate: string): boolean {
    return this.fresh()?.consents.some((c) => c.agency === agency && c.fields.includes(coordinate)) ?? false;
  }

  consentFor(agency: string, subject: string, coordinate: string): string | null {
    const day = vietnamDate(this.now());
    const consent = this.fresh()?.consents.find(
      (c) => c.agency === agency && c.personalId === subject && c.fields.includes(coordinate) && within(null, c.validUntil, day),
    );
    return consent?.id ?? null;
  }
}
