import { badUserInput, wrongState } from '../kit/errors';
import { vietnamDate } from './calendar';
import type { AccessContext } from './context';
import { knownAgency } from './directory';
import { consentableFields } from './fields';
import { ledgerId } from './input';
import { requireCitizen } from './policy';
import type { ConsentRow } from './store';

/**
 * A citizen's consent (Quy chế, Điều 16.2.g: data about a person is shared with another agency when
 * that person asks). The consenting person is always the caller: there is no way to name anyone
 * else, so no one can consent on another's behalf. Given again while in force, it is the same consent.
 */
export async function giveConsent(context: AccessContext, agency: string, fields: readonly string[], validUntil: string | null): Promise<ConsentRow> {
  const citizen = requireCitizen(context.caller);
  const consumer = knownAgency(agency, 'agency');
  const consented = consentableFields(context.catalogue, consumer, fields);
  const now = context.now();
  const today = vietnamDate(now);
  if (validUntil !== null && validUntil < today) {
    throw badUserInput(`Ngày kết thúc ${validUntil} đã qua (hôm nay ${today}). (validUntil ${validUntil} has already passed.)`, { argument: 'validUntil' });
  }
  const consent = { personalId: citizen.personalId, agency: consumer, fields: consented, validUntil };
  return context.db.transaction(async (client) => {
    // The same consent given again while the first is in force (a retry, a double tap) is that
    // consent: otherwise withdrawing the one the citizen was shown would leave its twin open.
    const twin = await context.store.activeConsentTwin(today, consent, client);
    if (twin) return twin;
    const row = await context.store.insertConsent(today, { ...consent, id: context.newId(), givenAt: now }, client);
    if (!row) throw new Error('the ledger lost the consent it was writing');
    return row;
  });
}

/**
 * Withdraws one of the caller's own consents. Null when the id is not one of theirs (another
 * person's consent is indistinguishable from an unknown one); BAD_USER_INPUT when already withdrawn.
 */
export async function withdrawConsent(context: AccessContext, id: string): Promise<ConsentRow | null> {
  const citizen = requireCitizen(context.caller);
  const consentId = ledgerId(id);
  const now = context.now();
  const today = vietnamDate(now);
  const withdrawn = await context.store.withdrawConsent(today, consentId, citizen.personalId, now);
  if (withdrawn) return withdrawn;
  const existing = await context.store.consentOfPerson(today, consentId, citizen.personalId);
  if (existing?.withdrawn_at) {
    throw wrongState(`Sự đồng ý đã được rút lại lúc ${existing.withdrawn_at.toISOString()}. (The consent was already withdrawn.)`, 'id', 'WITHDRAWN');
  }
  return null;
}
