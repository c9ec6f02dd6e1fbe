import { z } from 'zod';
import { statement, type Queries } from '../kit/db';
import type { KeysetPageRequest } from '../kit/pagination';

export const permitRow = z.object({
  number: z.string(),
  kind: z.enum(['NEW_CONSTRUCTION', 'RENOVATION', 'RELOCATION']),
  status: z.enum(['ISSUED', 'REVOKED', 'EXPIRED']),
  issued_on: z.string(),
  expires_on: z.string(),
  address_line: z.string(),
  commune_code: z.string(),
  commune_edition: z.enum(['THREE_LEVEL', 'TWO_LEVEL']),
  floors: z.number().int(),
  // NUMERIC arrives as a string.
  gross_floor_area: z.coerce.number(),
  parcel_id: z.string(),
  applicant_kind: z.enum(['CITIZEN', 'ENTERPRISE']),
  applicant_citizen_id: z.string().nullable(),
  applicant_tax_code: z.string().nullable(),
});
/** A row of `construction_permits`: the mapper type of GraphQL `ConstructionPermit`. */
export type PermitRow = z.infer<typeof permitRow>;

/** A land parcel of the land subgraph, known here by its key only: the mapper type of `LandParcel`. */
export interface LandParcelRef {
  readonly id: string;
}

/** A citizen known by key only (a member of the `Applicant` union): the mapper type of `Citizen`. */
export interface CitizenRef {
  readonly __typename: 'Citizen';
  readonly id: string;
}

/** An enterprise known by key only (a member of the `Applicant` union): the mapper type of `Enterprise`. */
export interface EnterpriseRef {
  readonly __typename: 'Enterprise';
  readonly taxCode: string;
}

const PERMIT_COLUMNS = `number, kind, status, issued_on, expires_on, address_line, commune_code, commune_edition,
  floors, gross_floor_area, parcel_id, applicant_kind, applicant_citizen_id, applicant_tax_code`;

const permitsByNumbers = statement(
  'permitsByNumbers',
  `SELECT ${PERMIT_COLUMNS} FROM construction_permits WHERE number = ANY($1::text[])`,
  permitRow,
);

/** At most $2 permits per parcel, newest first, for all parcels of $1 in one statement. */
const permitsByParcels = statement(
  'permitsByParcels',
  `SELECT ${PERMIT_COLUMNS} FROM (
     SELECT ${PERMIT_COLUMNS},
            row_number() OVER (PARTITION BY parcel_id ORDER BY issued_on DESC, number DESC) AS position
       FROM construction_permits
      WHERE parcel_id = ANY($1::text[])
   ) ranked
   WHERE position <= $2
   ORDER BY parcel_id, position`,
  permitRow,
);

const searchPermits = statement(
  'searchPermits',
  `SELECT ${PERMIT_COLUMNS} FROM construction_permits
    WHERE ($1::text IS NULL OR (commune_code = $1 AND commune_edition = $2))
      AND ($3::date IS NULL OR issued_on >= $3)
      AND ($4::date IS NULL OR issued_on <= $4)
      AND ($5::text IS NULL OR status = $5)
      AND ($6::text IS NULL OR kind = $6)
      AND ($8::text IS NULL OR number > $8)
    ORDER BY number
    LIMIT $7`,
  permitRow,
  { plan: 'per-call' },
);

export interface PermitSearch {
  readonly communeCode: string | null;
  readonly communeEdition: string;
  readonly issuedFrom: string | null;
  readonly issuedTo: string | null;
  readonly status: string | null;
  readonly kind: string | null;
}

/** The construction-permit database's statements. Every one is named and parameterised. */
export function constructionStore(db: Queries) {
  return {
    permitsByNumbers: (numbers: readonly string[]) => db.many(permitsByNumbers, [numbers]),
    /** The newest `first` permits of each parcel in `parcelIds`, grouped by parcel in one statement. */
    permitsByParcels: (parcelIds: readonly string[], first: number) => db.many(permitsByParcels, [parcelIds, first]),
    /** One page (plus one row, to tell whether more follow) of permits matching `search`, by number. */
    search: (search: PermitSearch, page: KeysetPageRequest) =>
      db.many(searchPermits, [
        search.communeCode,
        search.communeEdition,
        search.issuedFrom,
        search.issuedTo,
        search.status,
        search.kind,
        page.limit + 1,
        page.afterKey,
      ]),
  };
}
export type ConstructionStore = ReturnType<typeof constructionStore>;
