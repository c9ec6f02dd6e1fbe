import { z } from 'zod';
import { statement, type Queries } from '../kit/db';
import type { KeysetPageRequest } from '../kit/pagination';

const edition = z.enum(['THREE_LEVEL', 'TWO_LEVEL']);

export const enterpriseKinds = ['SINGLE_MEMBER_LLC', 'MULTI_MEMBER_LLC', 'JOINT_STOCK', 'PRIVATE', 'PARTNERSHIP'] as const;
export type EnterpriseKind = (typeof enterpriseKinds)[number];
export const enterpriseStatuses = ['ACTIVE', 'SUSPENDED', 'DISSOLVING', 'DISSOLVED'] as const;
export type EnterpriseStatus = (typeof enterpriseStatuses)[number];

export const enterpriseRow = z.object({
  tax_code: z.string(),
  name: z.string(),
  international_name: z.string().nullable(),
  kind: z.enum(enterpriseKinds),
  status: z.enum(enterpriseStatuses),
  founded_on: z.string(),
  address_line: z.string(),
  commune_code: z.string(),
  commune_edition: edition,
  // bigint arrives as a string; VND amounts stay far below 2^53, so a number is exact.
  charter_capital: z.coerce.number(),
  employee_count: z.number().int(),
  representative_id: z.string(),
});
/** A row of `enterprises`: the mapper type of GraphQL `Enterprise`. */
export type EnterpriseRow = z.infer<typeof enterpriseRow>;

export const businessLineRow = z.object({
  tax_code: z.string(),
  vsic_code: z.string(),
  is_main: z.boolean(),
});
/** A row of `enterprise_business_lines`: the mapper type of GraphQL `EnterpriseBusinessLine`. */
export type BusinessLineRow = z.infer<typeof businessLineRow>;

/**
 * The mapper type of the `Citizen` stub: this subgraph knows a citizen only by personal id, and
 * cannot tell whether the police's database holds that id.
 */
export interface CitizenReference {
  readonly id: string;
}

const ENTERPRISE_COLUMNS = `tax_code, name, international_name, kind, status, founded_on, address_line, commune_code,
  commune_edition, charter_capital, employee_count, representative_id`;

const enterprisesByTaxCodes = statement(
  'enterprisesByTaxCodes',
  `SELECT ${ENTERPRISE_COLUMNS} FROM enterprises WHERE tax_code = ANY($1::text[])`,
  enterpriseRow,
);

// The first $2 enterprises of each representative, for all representatives of a batch at once.
const enterprisesByRepresentatives = statement(
  'enterprisesByRepresentatives',
  `SELECT ${ENTERPRISE_COLUMNS} FROM (
     SELECT ${ENTERPRISE_COLUMNS},
            row_number() OVER (PARTITION BY representative_id ORDER BY founded_on, tax_code) AS rank
       FROM enterprises
      WHERE representative_id = ANY($1::text[])
   ) ranked
   WHERE rank <= $2
   ORDER BY representative_id, rank`,
  enterpriseRow,
);

// The first $2 business lines of each enterprise (main line first), for all enterprises of a batch.
const businessLinesByTaxCodes = statement(
  'businessLinesByTaxCodes',
  `SELECT tax_code, vsic_code, is_main FROM (
     SELECT tax_code, vsic_code, is_main, position,
            row_number() OVER (PARTITION BY tax_code ORDER BY position) AS rank
       FROM enterprise_business_lines
      WHERE tax_code = ANY($1::text[])
   ) ranked
   WHERE rank <= $2
   ORDER BY tax_code, rank`,
  businessLineRow,
);

/**
 * One page of matching enterprises, by tax code. When $10 is not null, each row also carries its
 * first $10 business lines (main line first) as json, so that a search that shows business lines
 * needs no second statement; the lines are read for the page's rows only.
 */
const searchEnterprises = statement(
  'searchEnterprises',
  `SELECT ${ENTERPRISE_COLUMNS}, lines.business_lines FROM (
     SELECT ${ENTERPRISE_COLUMNS} FROM enterprises e
      WHERE ($1::text IS NULL OR e.name_folded LIKE '%' || $1 || '%')
        AND ($2::text IS NULL OR (e.commune_code = $2 AND e.commune_edition = $3))
        AND ($4::text IS NULL OR EXISTS (
              SELECT 1 FROM enterprise_business_lines b WHERE b.tax_code = e.tax_code AND b.vsic_code = $4))
        AND ($5::text IS NULL OR e.status = $5)
        AND ($6::date IS NULL OR e.founded_on >= $6)
        AND ($7::date IS NULL OR e.founded_on <= $7)
        AND ($9::text IS NULL OR e.tax_code > $9)
      ORDER BY e.tax_code
      LIMIT $8
   ) page
   LEFT JOIN LATERAL (
     SELECT json_agg(json_build_object('tax_code', b.tax_code, 'vsic_code', b.vsic_code, 'is_main', b.is_main) ORDER BY b.position)
            AS business_lines
       FROM (SELECT tax_code, vsic_code, is_main, position FROM enterprise_business_lines
              WHERE tax_code = page.tax_code AND $10::int IS NOT NULL
              ORDER BY position
              LIMIT $10) b
   ) lines ON true
   ORDER BY page.tax_code`,
  enterpriseRow.extend({ business_lines: z.array(businessLineRow).nullable() }),
  { plan: 'per-call' },
);

/** A search result: the enterprise, and its first business lines when they were asked for. */
export interface FoundEnterprise {
  readonly enterprise: EnterpriseRow;
  /** Null when the search was not asked for business lines. */
  readonly businessLines: BusinessLineRow[] | null;
}

export interface EnterpriseSearch {
  /** The name fragment, already folded with foldVietnamese. */
  readonly nameFolded: string | null;
  readonly communeCode: string | null;
  readonly communeEdition: string;
  readonly businessLine: string | null;
  readonly status: string | null;
  readonly foundedFrom: string | null;
  readonly foundedTo: string | null;
}

/** The business registration database's statements. Every one is named and parameterised. */
export function enterprisesStore(db: Queries) {
  return {
    enterprisesByTaxCodes: (taxCodes: readonly string[]) => db.many(enterprisesByTaxCodes, [taxCodes]),
    /** Up to `first` enterprises per representative, oldest first, in one statement. */
    enterprisesByRepresentatives: (citizenIds: readonly string[], first: number) =>
      db.many(enterprisesByRepresentatives, [citizenIds, first]),
    /** Up to `first` business lines per enterprise, main line first, in one statement. */
    businessLinesByTaxCodes: (taxCodes: readonly string[], first: number) => db.many(businessLinesByTaxCodes, [taxCodes, first]),
    /**
     * One page (plus one row, to tell whether more follow) of enterprises matching `search`, by tax
     * code, each with its first `businessLines` lines when that is not null: one statement.
     */
    search: async (search: EnterpriseSearch, page: KeysetPageRequest, businessLines: number | null): Promise<FoundEnterprise[]> => {
      const rows = await db.many(searchEnterprises, [
        search.nameFolded,
        search.communeCode,
        search.communeEdition,
        search.businessLine,
        search.status,
        search.foundedFrom,
        search.foundedTo,
        page.limit + 1,
        page.afterKey,
        businessLines,
      ]);
      return rows.map(({ business_lines, ...enterprise }) => ({
        enterprise,
        businessLines: businessLines === null ? null : (business_lines ?? []),
      }));
    },
  };
}
export type EnterprisesStore = ReturnType<typeof enterprisesStore>;
