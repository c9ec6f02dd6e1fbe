import { fakerVI as faker } from '@faker-js/faker';
import { statement, type Database } from '../kit/db';
import { citizenIdentity, communeFor, hash, pickDate, seedSizes } from '../kit/seed-plan';
import { foldVietnamese } from '../kit/text';
import { ethnicGroups } from '../codes/data/ethnic-groups';
import { z } from 'zod';

const countCitizens = statement('countCitizens', 'SELECT count(*) AS n FROM citizens', z.object({ n: z.coerce.number() }));

const insertHouseholds = statement(
  'insertHouseholds',
  `INSERT INTO households (id, head_id, commune_code, commune_edition)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
  z.unknown(),
);

const insertCitizens = statement(
  'insertCitizens',
  `INSERT INTO citizens (id, full_name, name_folded, gender, date_of_birth, ethnic_group_code, address_line,
     commune_code, commune_edition, address_registered_on, household_id)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[],
     $8::text[], $9::text[], $10::date[], $11::text[])`,
  z.unknown(),
);

const BATCH = 5000;
/** Members per household: citizens 3h, 3h+1, 3h+2 share household h, headed by the first. */
const HOUSEHOLD_SIZE = 3;

/** Kinh for most, then the groups most present in the province's highlands (codes from the GSO table). */
function ethnicGroupFor(index: number): string {
  const roll = hash('citizen-ethnic', index) % 100;
  if (roll < 85) return '01';
  const others = ethnicGroups.filter((g) => g.code !== '01').slice(0, 12);
  return others[roll % others.length]?.code ?? '01';
}

/** Fills an empty population database with `seedSizes(scale).citizens` synthetic citizens. */
export async function seedCitizens(db: Database, scale: number): Promise<void> {
  const existing = await db.maybeOne(countCitizens);
  if ((existing?.n ?? 0) > 0) return;
  const { citizens } = seedSizes(scale);
  await db.transaction(async (client) => {
    for (let start = 0; start < citizens; start += BATCH) {
      const end = Math.min(citizens, start + BATCH);
      const households: string[][] = [[], [], [], []];
      const columns: (string | null)[][] = Array.from({ length: 11 }, () => []);
      for (let i = start; i < end; i++) {
        const person = citizenIdentity(i);
        faker.seed(hash('citizen', i));
        const headIndex = i - (i % HOUSEHOLD_SIZE);
        const registeredOn = pickDate('citizen-registered', headIndex, 2010, 2026);
        const commune = communeFor('citizen-commune', headIndex, registeredOn);
        const householdId = `HK${String(headIndex / HOUSEHOLD_SIZE).padStart(8, '0')}`;
        if (i === headIndex) {
          households[0]?.push(householdId);
          households[1]?.push(person.id);
          households[2]?.push(commune.code);
          households[3]?.push(commune.edition);
        }
        const fullName = `${faker.person.lastName()} ${faker.person.firstName(person.gender === 'MALE' ? 'male' : 'female')}`;
        const addressLine = `Số ${(hash('citizen-house', headIndex) % 300) + 1}, ${hash('citizen-street', headIndex) % 2 ? 'đường' : 'thôn'} ${faker.person.lastName()} ${faker.person.firstName('male')}`;
        const row = [person.id, fullName, foldVietnamese(fullName), person.gender, person.dateOfBirth, ethnicGroupFor(i), addressLine,
          commune.code, commune.edition, registeredOn, householdId];
        row.forEach((value, column) => columns[column]?.push(value));
      }
      await db.many(insertHouseholds, households, client);
      await db.many(insertCitizens, columns, client);
    }
  });
}
