import { fakerVI as faker } from '@faker-js/faker';
import { z } from 'zod';
import { statement, type Database } from '../kit/db';
import {
  citizenIdentity,
  hash,
  holderOfParcel,
  parcelCertificateIssuedOn,
  parcelCommune,
  parcelIdAt,
  pick,
  pickDate,
  seedSizes,
  taxCodeAt,
  type Holder,
  type SeedSizes,
} from '../kit/seed-plan';
import { landUseTypes } from '../codes/data/land-use-types';

const countParcels = statement('countParcels', 'SELECT count(*) AS n FROM land_parcels', z.object({ n: z.coerce.number() }));

const insertParcels = statement(
  'insertParcels',
  `INSERT INTO land_parcels (id, map_sheet, parcel_number, area, land_use_code, address_line, commune_code, commune_edition)
   SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::numeric[], $5::text[], $6::text[], $7::text[], $8::text[])`,
  z.unknown(),
);

const insertCertificates = statement(
  'insertCertificates',
  `INSERT INTO land_use_certificates (serial, parcel_id, issued_on, superseded_on, holder_citizen_id, holder_tax_code)
   SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[], $6::text[])`,
  z.unknown(),
);

const BATCH = 5000;
/** Parcels per map sheet in the synthetic plan: (sheet, number) is unique across the whole province. */
const PARCELS_PER_SHEET = 120;

interface LandUse {
  readonly code: string;
  /** Relative frequency among the holder's parcels. */
  readonly weight: number;
  /** Area range in m². */
  readonly minArea: number;
  readonly maxArea: number;
  readonly urban?: boolean;
}

/** Households mostly hold residential land, paddy, annual crop and upland land, and perennial crops (coffee, pepper). */
const CITIZEN_LAND: readonly LandUse[] = [
  { code: 'ONT', weight: 30, minArea: 80, maxArea: 600 },
  { code: 'ODT', weight: 15, minArea: 40, maxArea: 250, urban: true },
  { code: 'LUC', weight: 10, minArea: 300, maxArea: 5000 },
  { code: 'LUK', weight: 5, minArea: 300, maxArea: 3000 },
  { code: 'BHK', weight: 7, minArea: 200, maxArea: 5000 },
  { code: 'NHK', weight: 3, minArea: 1000, maxArea: 20000 },
  { code: 'CLN', weight: 20, minArea: 500, maxArea: 20000 },
  { code: 'RSX', weight: 5, minArea: 2000, maxArea: 100000 },
  { code: 'NTS', weight: 5, minArea: 500, maxArea: 10000 },
];

/** Enterprises mostly hold production, commercial and industrial-zone land, and plantations. */
const ENTERPRISE_LAND: readonly LandUse[] = [
  { code: 'SKC', weight: 30, minArea: 1000, maxArea: 50000 },
  { code: 'TMD', weight: 30, minArea: 100, maxArea: 5000, urban: true },
  { code: 'SKK', weight: 10, minArea: 5000, maxArea: 200000 },
  { code: 'CLN', weight: 15, minArea: 5000, maxArea: 500000 },
  { code: 'RSX', weight: 10, minArea: 10000, maxArea: 1000000 },
  { code: 'NTS', weight: 5, minArea: 1000, maxArea: 50000 },
];

/** Refuses to seed with a land-use symbol the shared code table does not have: real codes only. */
function checkLandUseCodes(): void {
  const known = new Set(landUseTypes.map((type) => type.code));
  const unknown = [...CITIZEN_LAND, ...ENTERPRISE_LAND].map((use) => use.code).filter((code) => !known.has(code));
  if (unknown.length > 0) throw new Error(`land seed uses land-use codes missing from codes/data/land-use-types.ts: ${unknown.join(', ')}`);
}

function landUseFor(index: number, holder: Holder): LandUse {
  const table = holder.kind === 'CITIZEN' ? CITIZEN_LAND : ENTERPRISE_LAND;
  const total = table.reduce((sum, use) => sum + use.weight, 0);
  let roll = hash('land-use', index) % total;
  for (const use of table) {
    if (roll < use.weight) return use;
    roll -= use.weight;
  }
  throw new Error('unreachable: weights cover the roll');
}

/** Certificate blank series: the first letter follows the printing period, as on real blanks. */
function seriesLetter(issuedOn: string): string {
  const year = Number(issuedOn.slice(0, 4));
  return year < 2010 ? 'A' : year < 2015 ? 'B' : year < 2020 ? 'C' : 'D';
}

/**
 * The serial of parcel `index`'s current certificate ("DA 123456"), or of the one it replaced.
 * The six digits are a permutation of index mod 10^6 (7919 is prime to 10^6) and the second letter
 * carries index / 10^6 (current) or a disjoint set (superseded), so serials never collide.
 */
function serialFor(index: number, issuedOn: string, superseded: boolean): string {
  const letters = superseded ? 'LMNPQRST' : 'ABCDEGHK';
  const digits = String((index * 7919 + 1357) % 1_000_000).padStart(6, '0');
  return `${seriesLetter(issuedOn)}${letters[Math.floor(index / 1_000_000)] ?? 'Z'} ${digits}`;
}

function holderKeys(holder: Holder): [string | null, string | null] {
  return holder.kind === 'CITIZEN' ? [citizenIdentity(holder.index).id, null] : [null, taxCodeAt(holder.index)];
}

function addressFor(index: number, use: LandUse): string {
  if (use.urban) return `Số ${pick('land-house', index, 1, 400)}, đường ${faker.person.lastName()} ${faker.person.firstName('male')}`;
  return `Thôn ${pick('land-hamlet', index, 1, 15)}`;
}

type Columns = (string | number | null)[][];

/**
 * Parcel k: held by holderOfParcel(k) under a certificate issued on a date in 2000–2026, and filed
 * under the commune in force on that date. One parcel in eight whose certificate dates from 2005 on
 * was transferred: it also has the superseded certificate of its previous holder, a citizen.
 */
function planParcel(k: number, sizes: SeedSizes, parcels: Columns, certificates: Columns): void {
  faker.seed(hash('land-parcel', k));
  const holder = holderOfParcel(k, sizes);
  const use = landUseFor(k, holder);
  const issuedOn = parcelCertificateIssuedOn(k);
  const commune = parcelCommune(k);
  const area = pick('land-area', k, use.minArea * 10, use.maxArea * 10) / 10;
  const id = parcelIdAt(k);
  const parcel = [id, 1 + (k % PARCELS_PER_SHEET), 1 + Math.floor(k / PARCELS_PER_SHEET), area, use.code, addressFor(k, use),
    commune.code, commune.edition];
  parcel.forEach((value, column) => parcels[column]?.push(value));

  const current = [serialFor(k, issuedOn, false), id, issuedOn, null, ...holderKeys(holder)];
  current.forEach((value, column) => certificates[column]?.push(value));
  const year = Number(issuedOn.slice(0, 4));
  if (year >= 2005 && hash('land-transfer', k) % 8 === 0) {
    const previousOn = pickDate('land-previous-issued', k, 1994, year - 1);
    const previousHolder: Holder = { kind: 'CITIZEN', index: (k * 11 + 5) % sizes.citizens };
    const previous = [serialFor(k, previousOn, true), id, previousOn, issuedOn, ...holderKeys(previousHolder)];
    previous.forEach((value, column) => certificates[column]?.push(value));
  }
}

/** Fills an empty land register with `seedSizes(scale).parcels` synthetic parcels and their certificates. */
export async function seedLand(db: Database, scale: number): Promise<void> {
  const existing = await db.maybeOne(countParcels);
  if ((existing?.n ?? 0) > 0) return;
  checkLandUseCodes();
  const sizes = seedSizes(scale);
  await db.transaction(async (client) => {
    for (let start = 0; start < sizes.parcels; start += BATCH) {
      const end = Math.min(sizes.parcels, start + BATCH);
      const parcels: Columns = Array.from({ length: 8 }, () => []);
      const certificates: Columns = Array.from({ length: 6 }, () => []);
      for (let k = start; k < end; k++) planParcel(k, sizes, parcels, certificates);
      await db.many(insertParcels, parcels, client);
      await db.many(insertCertificates, certificates, client);
    }
  });
}
