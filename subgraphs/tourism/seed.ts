import { z } from 'zod';
import { statement, type Database } from '../kit/db';
import { communeFor, hash, pick, pickDate, seedSizes, TWO_LEVEL_FROM, taxCodeAt } from '../kit/seed-plan';
import type { AccommodationRow, HeritageSiteRow } from './store';

const countSites = statement('countSites', 'SELECT count(*) AS n FROM heritage_sites', z.object({ n: z.coerce.number() }));

const insertSites = statement(
  'insertSites',
  `INSERT INTO heritage_sites (code, name, kind, rank, ranked_on, commune_code, commune_edition)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[])`,
  z.unknown(),
);

const insertAccommodations = statement(
  'insertAccommodations',
  `INSERT INTO accommodation_establishments (recognition_number, name, kind, stars, rooms, address_line, commune_code,
     commune_edition, operator_tax_code, guest_arrivals_last_year, revenue_last_year)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::smallint[], $6::text[], $7::text[],
     $8::text[], $9::text[], $10::int[], $11::int[])`,
  z.unknown(),
);

/** The register holds this many heritage sites at any scale. */
const HERITAGE_SITES = 40;

/** Syllables of the synthetic place names: common in the province's names, none a real site's. */
const SYLLABLES = ['An', 'Bình', 'Hòa', 'Phú', 'Long', 'Thạnh', 'Xuân', 'Mỹ', 'Đông', 'Quang', 'Thuận', 'Phước', 'Sơn', 'Minh', 'Tân', 'Lạc'];

/** Two different syllables, fixed by (salt, index). */
function placeName(salt: string, index: number): string {
  const first = hash(`${salt}:1`, index) % SYLLABLES.length;
  const second = (first + 1 + (hash(`${salt}:2`, index) % (SYLLABLES.length - 1))) % SYLLABLES.length;
  return `${SYLLABLES[first] ?? 'An'} ${SYLLABLES[second] ?? 'Bình'}`;
}

const SITE_PREFIX: Readonly<Record<HeritageSiteRow['kind'], string>> = {
  HISTORICAL: 'Địa điểm lưu niệm',
  ARCHITECTURAL_ARTISTIC: 'Đình làng',
  ARCHAEOLOGICAL: 'Di chỉ khảo cổ',
  SCENIC: 'Thắng cảnh',
};

const SITE_KINDS = Object.keys(SITE_PREFIX) as HeritageSiteRow['kind'][];

/** Mostly provincial relics, a quarter national, a few special national. */
function rankFor(index: number): HeritageSiteRow['rank'] {
  const roll = hash('heritage-rank', index) % 100;
  return roll < 72 ? 'PROVINCIAL' : roll < 96 ? 'NATIONAL' : 'SPECIAL_NATIONAL';
}

const ACCOMMODATION_PREFIX: Readonly<Record<AccommodationRow['kind'], string>> = {
  HOTEL: 'Khách sạn',
  TOURIST_VILLA: 'Biệt thự du lịch',
  TOURIST_APARTMENT: 'Căn hộ du lịch',
  GUEST_HOUSE: 'Nhà nghỉ',
  HOMESTAY: 'Homestay',
  CAMPSITE: 'Khu cắm trại',
};

function accommodationKind(index: number): AccommodationRow['kind'] {
  const roll = hash('accommodation-kind', index) % 100;
  return roll < 40 ? 'HOTEL' : roll < 50 ? 'TOURIST_VILLA' : roll < 58 ? 'TOURIST_APARTMENT' : roll < 80 ? 'GUEST_HOUSE' : roll < 96 ? 'HOMESTAY' : 'CAMPSITE';
}

/** Hotels, villas and apartments are ranked 1–5 stars, a fifth of them not yet; the other kinds never. */
function starsFor(index: number, kind: AccommodationRow['kind']): number | null {
  if (kind !== 'HOTEL' && kind !== 'TOURIST_VILLA' && kind !== 'TOURIST_APARTMENT') return null;
  const roll = pick('accommodation-stars', index, 0, 5);
  return roll === 0 ? null : roll;
}

/** Heritage site `index`'s register code, e.g. DT-0001 for index 0. */
export function heritageSiteCode(index: number): string {
  return `DT-${String(index + 1).padStart(4, '0')}`;
}

/** Accommodation `index`'s recognition number, e.g. 0001/LT for index 0. */
export function recognitionNumber(index: number): string {
  return `${String(index + 1).padStart(4, '0')}/LT`;
}

/**
 * Fills an empty tourism database: 40 heritage sites and max(30, 300 × scale) accommodation
 * establishments, synthetic but deterministic, in today's (two-level) communes, each establishment
 * operated by an enterprise of the enterprises seed at the same scale.
 */
export async function seedTourism(db: Database, scale: number): Promise<void> {
  const existing = await db.maybeOne(countSites);
  if ((existing?.n ?? 0) > 0) return;
  const { enterprises } = seedSizes(scale);
  const accommodations = Math.max(30, Math.round(300 * scale));
  const sites: (string | null)[][] = Array.from({ length: 7 }, () => []);
  for (let i = 0; i < HERITAGE_SITES; i++) {
    const kind = SITE_KINDS[hash('heritage-kind', i) % SITE_KINDS.length] ?? 'HISTORICAL';
    const commune = communeFor('heritage-commune', i, TWO_LEVEL_FROM);
    const row = [heritageSiteCode(i), `${SITE_PREFIX[kind]} ${placeName('heritage-name', i)}`, kind, rankFor(i), pickDate('heritage-ranked', i, 1980, 2024), commune.code, commune.edition];
    row.forEach((value, column) => sites[column]?.push(value));
  }
  const rows: (string | number | null)[][] = Array.from({ length: 11 }, () => []);
  for (let i = 0; i < accommodations; i++) {
    const kind = accommodationKind(i);
    const commune = communeFor('accommodation-commune', i, TWO_LEVEL_FROM);
    const rooms = kind === 'HOTEL' || kind === 'TOURIST_APARTMENT' ? pick('accommodation-rooms', i, 10, 300) : pick('accommodation-rooms', i, 1, 20);
    const arrivals = rooms * pick('accommodation-arrivals', i, 20, 250);
    const row = [
      recognitionNumber(i),
      `${ACCOMMODATION_PREFIX[kind]} ${placeName('accommodation-name', i)}`,
      kind,
      starsFor(i, kind),
      rooms,
      `Số ${pick('accommodation-house', i, 1, 300)}, đường ${placeName('accommodation-street', i)}`,
      commune.code,
      commune.edition,
      taxCodeAt(hash('accommodation-operator', i) % enterprises),
      arrivals,
      // Revenue in million VND: 0.3 to 1.5 million đồng per guest.
      Math.round((arrivals * pick('accommodation-spend', i, 300, 1500)) / 1000),
    ];
    row.forEach((value, column) => rows[column]?.push(value));
  }
  await db.transaction(async (client) => {
    await db.many(insertSites, sites, client);
    await db.many(insertAccommodations, rows, client);
  });
}
