import { z } from 'zod';
import { statement, type Queries } from '../kit/db';
import type { KeysetPageRequest, PageRequest } from '../kit/pagination';

const edition = z.enum(['THREE_LEVEL', 'TWO_LEVEL']);

export const citizenRow = z.object({
  id: z.string(),
  full_name: z.string(),
  gender: z.enum(['MALE', 'FEMALE']),
  date_of_birth: z.string(),
  ethnic_group_code: z.string(),
  address_line: z.string(),
  commune_code: z.string(),
  commune_edition: edition,
  address_registered_on: z.string(),
  household_id: z.string().nullable(),
});
/** A row of `citizens`: the mapper type of GraphQL `Citizen`. */
export type CitizenRow = z.infer<typeof citizenRow>;

export const householdRow = z.object({
  id: z.string(),
  head_id: z.string(),
  commune_code: z.string(),
  commune_edition: edition,
});
/** A row of `households`: the mapper type of GraphQL `Household`. */
export type HouseholdRow = z.infer<typeof householdRow>;

const populationRow = z.object({ commune_code: z.string(), commune_edition: edition, residents: z.coerce.number() });
export type PopulationRow = z.infer<typeof populationRow>;

const CITIZEN_COLUMNS = `id, full_name, gender, date_of_birth, ethnic_group_code, address_line, commune_code,
  commune_edition, address_registered_on, household_id`;

const citizensByIds = statement(
  'citizensByIds',
  `SELECT ${CITIZEN_COLUMNS} FROM citizens WHERE id = ANY($1::text[])`,
  citizenRow,
);

const citizensByHouseholds = statement(
  'citizensByHouseholds',
  `SELECT ${CITIZEN_COLUMNS} FROM citizens WHERE household_id = ANY($1::text[]) ORDER BY household_id, date_of_birth, id`,
  citizenRow,
);

const householdsByIds = statement(
  'householdsByIds',
  'SELECT id, head_id, commune_code, commune_edition FROM households WHERE id = ANY($1::text[])',
  householdRow,
);

const searchCitizens = statement(
  'searchCitizens',
  `SELECT ${CITIZEN_COLUMNS} FROM citizens
    WHERE ($1::text IS NULL OR name_folded LIKE '%' || $1 || '%')
      AND ($2::text IS NULL OR (commune_code = $2 AND commune_edition = $3))
      AND ($4::date IS NULL OR date_of_birth >= $4)
      AND ($5::date IS NULL OR date_of_birth <= $5)
      AND ($6::text IS NULL OR gender = $6)
    ORDER BY id
    LIMIT $7 OFFSET $8`,
  citizenRow,
  { plan: 'per-call' },
);

const populationByCommune = statement(
  'populationByCommune',
  `SELECT commune_code, commune_edition, count(*) AS residents FROM citizens
    WHERE commune_edition = $1 AND ($3::text IS NULL OR commune_code > $3)
    GROUP BY commune_code, commune_edition
    ORDER BY commune_code
    LIMIT $2`,
  populationRow,
  { plan: 'per-call' },
);

export interface CitizenSearch {
  readonly nameFolded: string | null;
  readonly communeCode: string | null;
  readonly communeEdition: string;
  readonly bornFrom: string | null;
  readonly bornTo: string | null;
  readonly gender: string | null;
}

/** The population database's statements. Every one is named and parameterised. */
export function citizensStore(db: Queries) {
  return {
    citizensByIds: (ids: readonly string[]) => db.many(citizensByIds, [ids]),
    citizensByHouseholds: (ids: readonly string[]) => db.many(citizensByHouseholds, [ids]),
    householdsByIds: (ids: readonly string[]) => db.many(householdsByIds, [ids]),
    /** One page (plus one row, to tell whether more follow) of citizens matching `search`. */
    search: (search: CitizenSearch, page: PageRequest) =>
      db.many(searchCitizens, [
        search.nameFolded,
        search.communeCode,
        search.communeEdition,
        search.bornFrom,
        search.bornTo,
        search.gender,
        page.limit + 1,
        page.offset,
      ]),
    populationByCommune: (edition: string, page: KeysetPageRequest) => db.many(populationByCommune, [edition, page.limit + 1, page.afterKey]),
  };
}
export type CitizensStore = ReturnType<typeof citizensStore>;
