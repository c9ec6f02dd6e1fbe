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

  it("ends a consent at midnight in Vietnam on its last day", async () => {
    expect((await cacheAt('2026-12-05T16:59:00Z')).consentFor('so-noi-vu', '054204000000', 'Citizen.household')).toBe('consent-1');
    expect((await cacheAt('2026-12-05T17:00:00Z')).consentFor('so-noi-vu', '054204000000', 'Citizen.household')).toBeNull();
  });
});
