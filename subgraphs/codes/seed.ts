import { z } from 'zod';
import { statement, type Database } from '../kit/db';
import { foldVietnamese } from '../kit/text';
import { loadAdministrativeUnits } from './data/administrative-units';
import { ethnicGroups } from './data/ethnic-groups';
import { landUseTypes } from './data/land-use-types';
import { businessLines } from './data/vsic';

/** Arbitrary but fixed: two processes seeding the same database at once take turns. */
const SEED_LOCK = 4_101_000_001;

const lockSeed = statement('lockCodeSeed', 'SELECT pg_advisory_xact_lock($1::bigint)', z.unknown());

const countRows = statement(
  'countCodeTables',
  `SELECT (SELECT count(*) FROM administrative_units) AS units,
          (SELECT count(*) FROM unit_crosswalk) AS crosswalk,
          (SELECT count(*) FROM ethnic_groups) AS ethnic_groups,
          (SELECT count(*) FROM land_use_types) AS land_use_types,
          (SELECT count(*) FROM vsic_activities) AS vsic_activities`,
  z.object({
    units: z.coerce.number(),
    crosswalk: z.coerce.number(),
    ethnic_groups: z.coerce.number(),
    land_use_types: z.coerce.number(),
    vsic_activities: z.coerce.number(),
  }),
);

// One INSERT per table: the largest, administrative_units, has a few hundred rows. Parents are
// checked at the end of the statement, so row order does not matter.
const insertUnits = statement(
  'insertAdministrativeUnits',
  `INSERT INTO administrative_units (code, edition, level, name, name_folded, kind, parent_code, valid_from, valid_until)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[], $9::date[])`,
  z.unknown(),
);

const insertCrosswalk = statement(
  'insertUnitCrosswalk',
  'INSERT INTO unit_crosswalk (old_code, new_code) SELECT * FROM unnest($1::text[], $2::text[])',
  z.unknown(),
);

const insertEthnicGroups = statement(
  'insertEthnicGroups',
  'INSERT INTO ethnic_groups (code, name) SELECT * FROM unnest($1::text[], $2::text[])',
  z.unknown(),
);

const insertLandUseTypes = statement(
  'insertLandUseTypes',
  'INSERT INTO land_use_types (code, name, land_use_group) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])',
  z.unknown(),
);

const insertVsicActivities = statement(
  'insertVsicActivities',
  'INSERT INTO vsic_activities (code, name) SELECT * FROM unnest($1::text[], $2::text[])',
  z.unknown(),
);

/**
 * Loads the code tables from the data modules into every table that is empty, in one transaction.
 * The tables are reference data, the same at every size, so `_scale` is ignored.
 */
export async function seedCodes(db: Database, _scale: number): Promise<void> {
  await db.transaction(async (client) => {
    await db.many(lockSeed, [SEED_LOCK], client);
    const counts = await db.maybeOne(countRows, [], client);
    if (!counts) throw new Error('countCodeTables returned no row');
    if (counts.units === 0) {
      const { units } = loadAdministrativeUnits();
      await db.many(
        insertUnits,
        [
          units.map((u) => u.code),
          units.map((u) => u.edition),
          units.map((u) => u.level),
          units.map((u) => u.name),
          units.map((u) => foldVietnamese(u.name)),
          units.map((u) => u.kind),
          units.map((u) => u.parentCode),
          units.map((u) => u.validFrom),
          units.map((u) => u.validUntil),
        ],
        client,
      );
    }
    if (counts.crosswalk === 0) {
      const { crosswalk } = loadAdministrativeUnits();
      await db.many(insertCrosswalk, [crosswalk.map((x) => x.oldCode), crosswalk.map((x) => x.newCode)], client);
    }
    if (counts.ethnic_groups === 0) {
      await db.many(insertEthnicGroups, [ethnicGroups.map((g) => g.code), ethnicGroups.map((g) => g.name)], client);
    }
    if (counts.land_use_types === 0) {
      await db.many(
        insertLandUseTypes,
        [landUseTypes.map((t) => t.code), landUseTypes.map((t) => t.name), landUseTypes.map((t) => t.group)],
        client,
      );
    }
    if (counts.vsic_activities === 0) {
      await db.many(insertVsicActivities, [businessLines.map((l) => l.code), businessLines.map((l) => l.name)], client);
    }
  });
}
