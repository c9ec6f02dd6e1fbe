import { z } from 'zod';
import { statement, type Queries } from '../kit/db';
import type { KeysetPageRequest } from '../kit/pagination';

const edition = z.enum(['THREE_LEVEL', 'TWO_LEVEL']);

export const heritageSiteRow = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.enum(['HISTORICAL', 'ARCHITECTURAL_ARTISTIC', 'ARCHAEOLOGICAL', 'SCENIC']),
  rank: z.enum(['PROVINCIAL', 'NATIONAL', 'SPECIAL_NATIONAL']),
  ranked_on: z.string(),
  commune_code: z.string(),
  commune_edition: edition,
});
/** A row of `heritage_sites`: the mapper type of GraphQL `HeritageSite`. */
export type HeritageSiteRow = z.infer<typeof heritageSiteRow>;

export const accommodationRow = z.object({
  recognition_number: z.string(),
  name: z.string(),
  kind: z.enum(['HOTEL', 'TOURIST_VILLA', 'TOURIST_APARTMENT', 'GUEST_HOUSE', 'HOMESTAY', 'CAMPSITE']),
  stars: z.number().int().nullable(),
  rooms: z.number().int(),
  address_line: z.string(),
  commune_code: z.string(),
  commune_edition: edition,
  operator_tax_code: z.string(),
  guest_arrivals_last_year: z.number().int(),
  revenue_last_year: z.number().int().nullable(),
});
/** A row of `accommodation_establishments`: the mapper type of GraphQL `AccommodationEstablishment`. */
export type AccommodationRow = z.infer<typeof accommodationRow>;

/** An enterprise of the enterprises subgraph, known here by its key only: the mapper type of `Enterprise`. */
export interface EnterpriseRef {
  readonly taxCode: string;
}

const SITE_COLUMNS = 'code, name, kind, rank, ranked_on, commune_code, commune_edition';
const ACCOMMODATION_COLUMNS = `recognition_number, name, kind, stars, rooms, address_line, commune_code, commune_edition,
  operator_tax_code, guest_arrivals_last_year, revenue_last_year`;

const sitesByCodes = statement('sitesByCodes', `SELECT ${SITE_COLUMNS} FROM heritage_sites WHERE code = ANY($1::text[])`, heritageSiteRow);

const searchSites = statement(
  'searchSites',
  `SELECT ${SITE_COLUMNS} FROM heritage_sites
    WHERE ($1::text IS NULL OR (commune_code = $1 AND commune_edition = $2))
      AND ($3::text IS NULL OR rank = $3)
      AND ($5::text IS NULL OR code > $5)
    ORDER BY code
    LIMIT $4`,
  heritageSiteRow,
  { plan: 'per-call' },
);

const accommodationsByNumbers = statement(
  'accommodationsByNumbers',
  `SELECT ${ACCOMMODATION_COLUMNS} FROM accommodation_establishments WHERE recognition_number = ANY($1::text[])`,
  accommodationRow,
);

const searchAccommodations = statement(
  'searchAccommodations',
  `SELECT ${ACCOMMODATION_COLUMNS} FROM accommodation_establishments
    WHERE ($1::text IS NULL OR (commune_code = $1 AND commune_edition = $2))
      AND ($3::text IS NULL OR kind = $3)
      AND ($4::int IS NULL OR stars >= $4)
      AND ($6::text IS NULL OR recognition_number > $6)
    ORDER BY recognition_number
    LIMIT $5`,
  accommodationRow,
  { plan: 'per-call' },
);

export interface SiteSearch {
  readonly communeCode: string | null;
  readonly communeEdition: string;
  readonly rank: string | null;
}

export interface AccommodationSearch {
  readonly communeCode: string | null;
  readonly communeEdition: string;
  readonly kind: string | null;
  readonly minStars: number | null;
}

/** The tourism database's statements. Every one is named and parameterised. */
export function tourismStore(db: Queries) {
  return {
    sitesByCodes: (codes: readonly string[]) => db.many(sitesByCodes, [codes]),
    /** One page (plus one row, to tell whether more follow) of heritage sites matching `search`, by code. */
    searchSites: (search: SiteSearch, page: KeysetPageRequest) =>
      db.many(searchSites, [search.communeCode, search.communeEdition, search.rank, page.limit + 1, page.afterKey]),
    accommodationsByNumbers: (numbers: readonly string[]) => db.many(accommodationsByNumbers, [numbers]),
    /** One page (plus one row) of accommodation establishments matching `search`, by recognition number. */
    searchAccommodations: (search: AccommodationSearch, page: KeysetPageRequest) =>
      db.many(searchAccommodations, [search.communeCode, search.communeEdition, search.kind, search.minStars, page.limit + 1, page.afterKey]),
  };
}
export type TourismStore = ReturnType<typeof tourismStore>;
