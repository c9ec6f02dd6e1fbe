import { fakerVI as faker } from '@faker-js/faker';
import { z } from 'zod';
import { statement, type Database } from '../kit/db';
import {
  citizenIdentity,
  hash,
  holderOfParcel,
  parcelIdAt,
  parcelOfPermit,
  pick,
  pickDate,
  seedSizes,
  taxCodeAt,
  type Holder,
} from '../kit/seed-plan';
import { siteCommune } from './seed-site';
import type { PermitRow } from './store';

const countPermits = statement('countPermits', 'SELECT count(*) AS n FROM construction_permits', z.object({ n: z.coerce.number() }));

const insertPermits = statement(
  'insertPermits',
  `INSERT INTO construction_permits (number, kind, status, issued_on, expires_on, address_line, commune_code, commune_edition,
     floors, gross_floor_area, parcel_id, applicant_kind, applicant_citizen_id, applicant_tax_code)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::date[], $6::text[], $7::text[], $8::text[],
     $9::smallint[], $10::numeric[], $11::text[], $12::text[], $13::text[], $14::text[])`,
  z.unknown(),
);

const BATCH = 5000;

/**
 * Permits whose start-of-works deadline passed before this date may have lapsed. A fixed date, not
 * today, keeps the seed deterministic.
 */
const LAPSE_CUTOFF = '2026-01-01';

/** Permit number `index`: a 7-digit serial from 1 and the register's suffix, e.g. 0001235/GPXD for index 1234. */
export function permitNumber(index: number): string {
  return `${String(index + 1).padStart(7, '0')}/GPXD`;
}

/** Mostly new houses, a quarter renovations, a few relocations. */
function kindFor(index: number): PermitRow['kind'] {
  const roll = hash('permit-kind', index) % 100;
  return roll < 72 ? 'NEW_CONSTRUCTION' : roll < 95 ? 'RENOVATION' : 'RELOCATION';
}

/** A few revoked; of those whose deadline is past, some lapsed without works starting. */
function statusFor(index: number, expiresOn: string): PermitRow['status'] {
  const roll = hash('permit-status', index) % 100;
  if (roll < 3) return 'REVOKED';
  if (roll < 15 && expiresOn < LAPSE_CUTOFF) return 'EXPIRED';
  return 'ISSUED';
}

/** Storeys and gross floor area: individual houses for citizens, larger works for enterprises. */
function sizeFor(index: number, kind: PermitRow['kind'], holder: Holder): { floors: number; grossFloorArea: number } {
  const company = holder.kind === 'ENTERPRISE';
  const maxFloors = kind === 'RELOCATION' ? (company ? 3 : 2) : kind === 'RENOVATION' ? (company ? 10 : 4) : company ? 15 : 5;
  const floors = pick('permit-floors', index, 1, maxFloors);
  // Footprint in tenths of a square metre, so the area keeps one decimal like the register's.
  const footprint = company ? pick('permit-footprint', index, 3000, 30000) : pick('permit-footprint', index, 500, 2500);
  return { floors, grossFloorArea: (footprint * floors) / 10 };
}

/** The start-of-works deadline: 12 months after issue (issue days are at most the 28th, so always a valid date). */
function deadlineAfter(issuedOn: string): string {
  return `${Number(issuedOn.slice(0, 4)) + 1}${issuedOn.slice(4)}`;
}

/**
 * Fills an empty permit register with `seedSizes(scale).permits` synthetic permits. Permit m is on
 * parcel parcelOfPermit(m), in that parcel's commune (see siteCommune), and its applicant is the
 * parcel's holder in the land seed.
 */
export async function seedConstruction(db: Database, scale: number): Promise<void> {
  const existing = await db.maybeOne(countPermits);
  if ((existing?.n ?? 0) > 0) return;
  const sizes = seedSizes(scale);
  await db.transaction(async (client) => {
    for (let start = 0; start < sizes.permits; start += BATCH) {
      const end = Math.min(sizes.permits, start + BATCH);
      const columns: (string | number | null)[][] = Array.from({ length: 14 }, () => []);
      for (let m = start; m < end; m++) {
        faker.seed(hash('permit', m));
        const parcel = parcelOfPermit(m, sizes);
        const holder = holderOfParcel(parcel, sizes);
        const kind = kindFor(m);
        const issuedOn = pickDate('permit-issued', m, 2018, 2026);
        const expiresOn = deadlineAfter(issuedOn);
        const commune = siteCommune(m, parcel, issuedOn);
        const { floors, grossFloorArea } = sizeFor(m, kind, holder);
        const addressLine = hash('permit-street', m) % 2
          ? `Số ${pick('permit-house', m, 1, 300)}, đường ${faker.person.lastName()} ${faker.person.firstName('male')}`
          : `Thôn ${pick('permit-hamlet', m, 1, 15)}`;
        const row = [
          permitNumber(m),
          kind,
          statusFor(m, expiresOn),
          issuedOn,
          expiresOn,
          addressLine,
          commune.code,
          commune.edition,
          floors,
          grossFloorArea,
          parcelIdAt(parcel),
          holder.kind,
          holder.kind === 'CITIZEN' ? citizenIdentity(holder.index).id : null,
          holder.kind === 'ENTERPRISE' ? taxCodeAt(holder.index) : null,
        ];
        row.forEach((value, column) => columns[column]?.push(value));
      }
      await db.many(insertPermits, columns, client);
    }
  });
}
