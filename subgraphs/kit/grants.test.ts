import { GrantCache, type LedgerSnapshot } from './grants';

describe('GrantCache', () => {
  const snapshot: LedgerSnapshot = {
    grants: [{ id: 'grant-1', consumerAgency: 'so-y-te', fields: ['Household.members'], validFrom: '2026-12-06', validUntil: '2026-12-31' }],
    consents: [{ id: 'consent-1', personalId: '054204000000', agency: 'so-noi-vu', fields: ['Citizen.household'], validUntil: '2026-12-05' }],
  };
  const cacheAt = async (instant: string) => {
    const cache = new GrantCache(async () => snapshot, 1000, 5000, () => new Date(instant));
    await cache.refresh();
    return cache;
  };

  it("judges a grant's first day by the calendar in Vietnam (UTC+7), as the ledger that approved it does", async () => {
    // 05:00 on 6 December in Đắk Lắk, still 5 December in Greenwich.
    expect((await cacheAt('2026-12-05T22:00:00Z')).grantFor('so-y-te', 'Household.members')).toBe('grant-1');
    // 23:59 on 5 December in Đắk Lắk: the day before it starts.
    expect((await cacheAt('2026-12-05T16:59:00Z')).grantFor('so-y-te', 'Household.members')).toBeNull();
  });

  it('names the first day of a grant that has not started, and nothing once it has', async () => {
    expect((await cacheAt('2026-12-05T16:59:00Z')).startsLater('so-y-te', 'Household.members')).toBe('2026-12-06');
    expect((await cacheAt('2026-12-05T16:59:00Z')).startsLater('so-y-te', 'Citizen.fullName')).toBeNull();
    expect((await cacheAt('2026-12-05T17:00:00Z')).startsLater('so-y-te', 'Household.members')).toBeNull();
  });

  it("ends a consent at midnight in Vietnam on its last day", async () => {
    expect((await cacheAt('2026-12-05T16:59:00Z')).consentFor('so-noi-vu', '054204000000', 'Citizen.household')).toBe('consent-1');
    expect((await cacheAt('2026-12-05T17:00:00Z')).consentFor('so-noi-vu', '054204000000', 'Citizen.household')).toBeNull();
  });

  it('keeps a suspension seen by a newer poll when an older, slower poll answers after it', async () => {
    const answers: Array<(snapshot: LedgerSnapshot) => void> = [];
    const grant = { id: 'g1', consumerAgency: 'so-xay-dung', fields: ['Citizen.ethnicGroup'], validFrom: '2026-01-01', validUntil: null };
    const cache = new GrantCache(() => new Promise<LedgerSnapshot>((resolve) => answers.push(resolve)), 1000, 5000, () => new Date('2026-12-06T03:00:00Z'));
    const older = cache.refresh(); // asked while the grant was active; the ledger is slow to answer
    const newer = cache.refresh(); // asked after the provider suspended it
    answers[1]?.({ grants: [], consents: [] });
    await newer;
    expect(cache.grantFor('so-xay-dung', 'Citizen.ethnicGroup')).toBeNull();
    answers[0]?.({ grants: [grant], consents: [] });
    await older;
    expect(cache.grantFor('so-xay-dung', 'Citizen.ethnicGroup')).toBeNull();
    // A later poll still applies.
    const later = cache.refresh();
    answers[2]?.({ grants: [grant], consents: [] });
    await later;
    expect(cache.grantFor('so-xay-dung', 'Citizen.ethnicGroup')).toBe('g1');
  });
});

describe('GrantCache, when a request finds its view aged', () => {
  const grant = { id: 'g1', consumerAgency: 'so-y-te', fields: ['Citizen.ethnicGroup'], validFrom: '2026-01-01', validUntil: null };
  /** A cache on a clock the test moves, over a ledger answering `answer()` (a throw: unreachable), counting its polls. */
  const cacheOver = (answer: () => Promise<LedgerSnapshot>, waitMs = 2000) => {
    let clock = Date.parse('2026-12-06T03:00:00Z');
    const ledger = { polls: 0 };
    const cache = new GrantCache(
      () => {
        ledger.polls++;
        return answer();
      },
      1000,
      5000,
      () => new Date(clock),
      waitMs,
    );
    return { cache, ledger, advance: (ms: number) => (clock += ms) };
  };

  it('polls the ledger itself when the timer has fallen behind, and decides on its answer', async () => {
    const { cache, ledger, advance } = cacheOver(async () => ({ grants: [grant], consents: [] }));
    await cache.refresh();
    advance(5001); // No poll for longer than the bound: a busy event loop held the timer back.
    expect(cache.grantFor('so-y-te', 'Citizen.ethnicGroup')).toBe('unavailable');
    await cache.refreshIfStale();
    expect(ledger.polls).toBe(2);
    expect(cache.grantFor('so-y-te', 'Citizen.ethnicGroup')).toBe('g1');
  });

  it('still refuses when the ledger does not answer that poll, and holds no request for another until an interval has passed', async () => {
    let reachable = true;
    const { cache, ledger, advance } = cacheOver(async () => {
      if (!reachable) throw new Error('ECONNREFUSED');
      return { grants: [grant], consents: [] };
    });
    await cache.refresh();
    reachable = false;
    advance(5001);
    await cache.refreshIfStale();
    expect(ledger.polls).toBe(2);
    expect(cache.grantFor('so-y-te', 'Citizen.ethnicGroup')).toBe('unavailable');
    await cache.refreshIfStale();
    expect(ledger.polls).toBe(2);
    advance(1000);
    reachable = true;
    await cache.refreshIfStale();
    expect(ledger.polls).toBe(3);
    expect(cache.grantFor('so-y-te', 'Citizen.ethnicGroup')).toBe('g1');
  });

  it('gives up waiting for a ledger that does not answer, and the view stays unavailable', async () => {
    let first = true;
    const { cache, advance } = cacheOver(() => {
      if (!first) return new Promise<LedgerSnapshot>(() => undefined); // never answers
      first = false;
      return Promise.resolve({ grants: [grant], consents: [] });
    }, 0);
    await cache.refresh();
    advance(5001);
    await cache.refreshIfStale();
    expect(cache.grantFor('so-y-te', 'Citizen.ethnicGroup')).toBe('unavailable');
  });

  it('ages a view from when its poll was sent, not from when the answer arrived', async () => {
    let slow = false;
    let tick: (ms: number) => void = () => undefined;
    const { cache, advance } = cacheOver(async () => {
      if (slow) tick(3000); // the answer arrives 3 s after the poll was sent
      return { grants: [grant], consents: [] };
    });
    tick = advance;
    await cache.refresh();
    advance(4000);
    slow = true;
    await cache.refresh();
    expect(cache.grantFor('so-y-te', 'Citizen.ethnicGroup')).toBe('g1');
    advance(2001); // 5001 ms after the poll was sent, 2001 ms after its answer arrived
    expect(cache.grantFor('so-y-te', 'Citizen.ethnicGroup')).toBe('unavailable');
  });

  it('makes requests arriving together wait for one poll, and polls for none while the view is fresh', async () => {
    const { cache, ledger, advance } = cacheOver(async () => ({ grants: [grant], consents: [] }));
    await cache.refresh();
    advance(2500);
    await cache.refreshIfStale();
    expect(ledger.polls).toBe(1);
    advance(1);
    await Promise.all([cache.refreshIfStale(), cache.refreshIfStale(), cache.refreshIfStale()]);
    expect(ledger.polls).toBe(2);
    expect(cache.grantFor('so-y-te', 'Citizen.ethnicGroup')).toBe('g1');
  });
});
