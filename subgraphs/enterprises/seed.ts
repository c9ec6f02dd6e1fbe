import { fakerVI as faker } from '@faker-js/faker';
import { z } from 'zod';
import { statement, type Database } from '../kit/db';
import { citizenIdentity, communeFor, hash, pick, pickDate, representativeOf, seedSizes, taxCodeAt } from '../kit/seed-plan';
import { foldVietnamese } from '../kit/text';
import { businessLines } from '../codes/data/vsic';
import { BRAND_WORDS, FORM, tradeOf, uniqueBrand } from './seed-names';
import type { EnterpriseKind, EnterpriseStatus } from './store';

const countEnterprises = statement('countEnterprises', 'SELECT count(*) AS n FROM enterprises', z.object({ n: z.coerce.number() }));

const insertEnterprises = statement(
  'insertEnterprises',
  `INSERT INTO enterprises (tax_code, name, name_folded, international_name, kind, status, founded_on, address_line,
     commune_code, commune_edition, charter_capital, employee_count, representative_id)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[],
     $9::text[], $10::text[], $11::bigint[], $12::integer[], $13::text[])`,
  z.unknown(),
);

const insertBusinessLines = statement(
  'insertBusinessLines',
  `INSERT INTO enterprise_business_lines (tax_code, vsic_code, position, is_main)
   SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::boolean[])`,
  z.unknown(),
);

const BATCH = 5000;

/** A value chosen by (salt, index) with the given relative weights. */
function weighted<T>(salt: string, index: number, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = hash(salt, index) % total;
  for (const [value, weight] of choices) {
    if (roll < weight) return value;
    roll -= weight;
  }
  throw new Error('unreachable: weights exhausted');
}

// Shares roughly as in the national register: mostly limited liability companies, few partnerships.
const KINDS: readonly (readonly [EnterpriseKind, number])[] = [
  ['SINGLE_MEMBER_LLC', 45],
  ['MULTI_MEMBER_LLC', 22],
  ['JOINT_STOCK', 18],
  ['PRIVATE', 13],
  ['PARTNERSHIP', 2],
];

const STATUSES: readonly (readonly [EnterpriseStatus, number])[] = [
  ['ACTIVE', 84],
  ['SUSPENDED', 8],
  ['DISSOLVING', 3],
  ['DISSOLVED', 5],
];


/** Charter capital in VND, log-uniform from 100 million to about 50 billion (more for joint-stock), in 10-million steps. */
function charterCapitalFor(index: number, kind: EnterpriseKind): number {
  const exponent = 8 + (hash('enterprise-capital', index) % 10_000) / 10_000 * 2.7 + (kind === 'JOINT_STOCK' ? 0.6 : 0);
  return Math.max(1, Math.round(10 ** exponent / 1e7)) * 1e7;
}

/** Employees: most enterprises are micro or small; a dissolved one has none. */
function employeeCountFor(index: number, status: EnterpriseStatus): number {
  if (status === 'DISSOLVED') return 0;
  return Math.floor(2 ** ((hash('enterprise-employees', index) % 10_000) / 10_000 * 9));
}

/**
 * One to four distinct business lines, the main one first. The others are drawn from the lines
 * next to the main one in the VSIC order, so that an enterprise's lines belong together (a fish
 * farm also processes seafood; a builder also sells building materials).
 */
function businessLinesFor(index: number): (typeof businessLines)[number][] {
  const mainAt = hash('enterprise-main-line', index) % businessLines.length;
  const neighbours = businessLines.filter((_line, at) => at !== mainAt && Math.abs(at - mainAt) <= 4);
  const main = businessLines[mainAt];
  const others = faker.helpers.arrayElements(neighbours, pick('enterprise-lines', index, 1, 4) - 1);
  return main ? [main, ...others] : [];
}

type Column = (string | number | boolean | null)[];

/**
 * Fills an empty business register with `seedSizes(scale).enterprises` synthetic enterprises:
 * enterprise j has tax code taxCodeAt(j) and is represented by citizen representativeOf(j), as every
 * other agency's seed expects. A no-op when the register already holds enterprises.
 */
export async function seedEnterprises(db: Database, scale: number): Promise<void> {
  const existing = await db.maybeOne(countEnterprises);
  if ((existing?.n ?? 0) > 0) return;
  const sizes = seedSizes(scale);
  const takenNames = new Set<string>();
  await db.transaction(async (client) => {
    for (let start = 0; start < sizes.enterprises; start += BATCH) {
      const end = Math.min(sizes.enterprises, start + BATCH);
      const enterprises: Column[] = Array.from({ length: 13 }, () => []);
      const lines: Column[] = Array.from({ length: 4 }, () => []);
      for (let j = start; j < end; j++) {
        faker.seed(hash('enterprise', j));
        const taxCode = taxCodeAt(j);
        const kind = weighted('enterprise-kind', j, KINDS);
        const status = weighted('enterprise-status', j, STATUSES);
        const foundedOn = pickDate('enterprise-founded', j, 1995, 2026);
        const commune = communeFor('enterprise-commune', j, foundedOn);
        const registered = businessLinesFor(j);
        const main = registered[0];
        if (!main) throw new Error('the VSIC business-line table is empty');
        const trade = tradeOf(main.code);
        const brand = uniqueBrand(faker.helpers.arrayElements(BRAND_WORDS, 2).join(' '), trade.vi, takenNames);
        const form = FORM[kind];
        const name = `${form.vi} ${trade.vi} ${brand}`;
        const internationalName =
          form.en !== null && hash('enterprise-international', j) % 5 < 3
            ? `${foldVietnamese(brand).toUpperCase()} ${trade.en} ${form.en}`
            : null;
        const addressLine =
          hash('enterprise-address', j) % 3 === 0
            ? `Thôn ${faker.helpers.arrayElements(BRAND_WORDS, 2).join(' ')}`
            : `Số ${pick('enterprise-house', j, 1, 450)}, đường ${faker.person.lastName()} ${faker.person.firstName('male')}`;
        const row = [taxCode, name, foldVietnamese(name), internationalName, kind, status, foundedOn, addressLine,
          commune.code, commune.edition, charterCapitalFor(j, kind), employeeCountFor(j, status),
          citizenIdentity(representativeOf(j, sizes)).id];
        row.forEach((value, column) => enterprises[column]?.push(value));
        registered.forEach((line, position) => {
          lines[0]?.push(taxCode);
          lines[1]?.push(line.code);
          lines[2]?.push(position);
          lines[3]?.push(position === 0);
        });
      }
      await db.many(insertEnterprises, enterprises, client);
      await db.many(insertBusinessLines, lines, client);
    }
  });
}
