/**
 * The deterministic plan that every agency's seed follows, so that the synthetic records of
 * different agencies refer to each other (an enterprise's representative is a seeded citizen, a
 * permit sits on a seeded parcel) without any agency reading another's database.
 * Everything here is a pure function of an index and the scale.
 */
import { isTaxCode, taxCodeCheckDigit } from './scalars';
import { loadAdministrativeUnits, type Edition } from '../codes/data/administrative-units';

export interface SeedSizes {
  readonly citizens: number;
  readonly enterprises: number;
  readonly parcels: number;
  readonly permits: number;
}

/** Scale 1 is the development size; benchmarks use 50 (100k citizens, 20k enterprises, 200k parcels). */
export function seedSizes(scale: number): SeedSizes {
  const enterprises = Math.max(12, Math.round(400 * scale));
  return { citizens: enterprises * 5, enterprises, parcels: enterprises * 10, permits: Math.round(enterprises * 2.5) };
}

/** A 32-bit mixing hash: the same (salt, index) always gives the same number in [0, 2^32). */
export function hash(salt: string, index: number): number {
  let h = 0x811c9dc5 ^ index;
  for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** An integer in [min, max], fixed by (salt, index). */
export function pick(salt: string, index: number, min: number, max: number): number {
  return min + (hash(salt, index) % (max - min + 1));
}

/** A date 'YYYY-MM-DD' in [fromYear-01-01, toYear-12-28], fixed by (salt, index). */
export function pickDate(salt: string, index: number, fromYear: number, toYear: number): string {
  const year = pick(`${salt}:y`, index, fromYear, toYear);
  const month = pick(`${salt}:m`, index, 1, 12);
  const day = pick(`${salt}:d`, index, 1, 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export type Gender = 'MALE' | 'FEMALE';

export interface CitizenIdentity {
  readonly id: string;
  readonly gender: Gender;
  readonly dateOfBirth: string;
}

/**
 * Citizen number `index`: the 12-digit personal id is the place-of-registration code (054, Phú Yên),
 * the gender-and-century digit, the two-digit birth year and a 6-digit serial (the index).
 */
export function citizenIdentity(index: number): CitizenIdentity {
  const dateOfBirth = pickDate('citizen-dob', index, 1945, 2007);
  const year = Number(dateOfBirth.slice(0, 4));
  const gender: Gender = hash('citizen-gender', index) % 2 === 0 ? 'MALE' : 'FEMALE';
  const centuryDigit = (year >= 2000 ? 2 : 0) + (gender === 'FEMALE' ? 1 : 0);
  const id = `054${centuryDigit}${String(year % 100).padStart(2, '0')}${String(index).padStart(6, '0')}`;
  return { id, gender, dateOfBirth };
}

/** Enterprise number `index`: a valid 10-digit tax code with the Phú Yên prefix 44. */
export function taxCodeAt(index: number): string {
  // Skip serials whose check digit would be 10 (no valid code); a bijection over the valid ones.
  let serial = index * 3;
  for (;;) {
    const firstNine = `44${String(serial).padStart(7, '0')}`;
    const check = taxCodeCheckDigit(firstNine);
    if (check !== null) {
      const code = `${firstNine}${check}`;
      if (!isTaxCode(code)) throw new Error(`seed plan produced an invalid tax code ${code}`);
      return code;
    }
    serial += 1;
  }
}

/**
 * The citizen who legally represents enterprise `index`. Representatives take enterprises in runs
 * of one to four, so many citizens represent several enterprises (citizen 0 represents 0–2).
 */
export function representativeOf(index: number, sizes: SeedSizes): number {
  const group = Math.floor(index / 3);
  return (group * 13) % sizes.citizens;
}

export type Holder = { readonly kind: 'CITIZEN' | 'ENTERPRISE'; readonly index: number };

/** Who holds the land-use rights of parcel `index`: every third parcel an enterprise, else a citizen. */
export function holderOfParcel(index: number, sizes: SeedSizes): Holder {
  if (index % 3 === 0) return { kind: 'ENTERPRISE', index: (index / 3) % sizes.enterprises };
  return { kind: 'CITIZEN', index: (index * 7) % sizes.citizens };
}

/** The parcels held by enterprise `index` (the inverse of holderOfParcel for enterprises). */
export function parcelsOfEnterprise(index: number, sizes: SeedSizes): number[] {
  const parcels: number[] = [];
  for (let k = index * 3; k < sizes.parcels; k += sizes.enterprises * 3) parcels.push(k);
  return parcels;
}

/** The parcel that construction permit `index` is issued on. */
export function parcelOfPermit(index: number, sizes: SeedSizes): number {
  return (index * 2) % sizes.parcels;
}

/** The id of parcel `index` in the land register: "TD" and the index in 8 digits (parcel 1234 is TD00001234). */
export function parcelIdAt(index: number): string {
  return `TD${String(index).padStart(8, '0')}`;
}

/** The first day of the two-level administrative system (Resolution 202/2025/QH15). */
export const TWO_LEVEL_FROM = '2025-07-01';


export interface CommuneRef {
  readonly code: string;
  readonly edition: Edition;
}

let communeLists: { threeLevel: string[]; twoLevel: string[] } | undefined;

/** Communes of the former Phú Yên (three-level) and of today's Đắk Lắk (two-level), by code. */
function communes(): { threeLevel: string[]; twoLevel: string[] } {
  if (!communeLists) {
    const { units } = loadAdministrativeUnits();
    const phuYenDistricts = new Set(
      units.filter((u) => u.edition === 'THREE_LEVEL' && u.level === 'DISTRICT' && u.parentCode === '54').map((u) => u.code),
    );
    const codes = (keep: (u: (typeof units)[number]) => boolean) => units.filter((u) => u.level === 'COMMUNE' && keep(u)).map((u) => u.code).sort();
    communeLists = {
      threeLevel: codes((u) => u.edition === 'THREE_LEVEL' && phuYenDistricts.has(u.parentCode ?? '')),
      twoLevel: codes((u) => u.edition === 'TWO_LEVEL' && u.parentCode === '66'),
    };
  }
  return communeLists;
}

/**
 * The commune a record dated `date` is filed under: before 1 July 2025 a commune of the former
 * Phú Yên (three-level system), from then on a commune of today's Đắk Lắk. Real GSO codes only.
 */
export function communeFor(salt: string, index: number, date: string): CommuneRef {
  const lists = communes();
  if (date < TWO_LEVEL_FROM) {
    return { code: lists.threeLevel[hash(salt, index) % lists.threeLevel.length] ?? '', edition: 'THREE_LEVEL' };
  }
  return { code: lists.twoLevel[hash(salt, index) % lists.twoLevel.length] ?? '', edition: 'TWO_LEVEL' };
}

/** The day parcel `index`'s current land-use certificate was issued (the land seed's record date). */
export function parcelCertificateIssuedOn(index: number): string {
  return pickDate('land-certificate-issued', index, 2000, 2026);
}

/** The commune parcel `index` is filed under, in the system in force when its certificate was issued. */
export function parcelCommune(index: number): CommuneRef {
  return communeFor('land-parcel-commune', index, parcelCertificateIssuedOn(index));
}
