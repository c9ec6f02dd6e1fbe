import { z } from 'zod';
import { statement, type Queries } from '../kit/db';
import type { PageRequest } from '../kit/pagination';

const edition = z.enum(['THREE_LEVEL', 'TWO_LEVEL']);
export type Edition = z.infer<typeof edition>;

/** The identity of an administrative unit: codes are reused across editions. */
export interface UnitKey {
  readonly code: string;
  readonly edition: Edition;
}

/** The loader cache key of a unit, e.g. "TWO_LEVEL:22015". */
export function unitKeyOf(key: UnitKey): string {
  return `${key.edition}:${key.code}`;
}

export const administrativeUnitRow = z.object({
  code: z.string(),
  edition,
  level: z.enum(['PROVINCE', 'DISTRICT', 'COMMUNE']),
  name: z.string(),
  kind: z.string(),
  parent_code: z.string().nullable(),
  valid_from: z.string().nullable(),
  valid_until: z.string().nullable(),
});
/** A row of `administrative_units`: the mapper type of GraphQL `AdministrativeUnit`. */
export type AdministrativeUnitRow = z.infer<typeof administrativeUnitRow>;

/** A unit row tagged with the unit it was loaded for (`of_code`, `of_edition`): one member of a group. */
const relatedUnitRow = administrativeUnitRow.extend({ of_code: z.string(), of_edition: edition });
export type RelatedUnitRow = z.infer<typeof relatedUnitRow>;

export const ethnicGroupRow = z.object({ code: z.string(), name: z.string() });
/** A row of `ethnic_groups`: the mapper type of GraphQL `EthnicGroup`. */
export type EthnicGroupRow = z.infer<typeof ethnicGroupRow>;

export const landUseTypeRow = z.object({
  code: z.string(),
  name: z.string(),
  land_use_group: z.enum(['AGRICULTURAL', 'NON_AGRICULTURAL', 'UNUSED']),
});
/** A row of `land_use_types`: the mapper type of GraphQL `LandUseType`. */
export type LandUseTypeRow = z.infer<typeof landUseTypeRow>;

export const vsicActivityRow = z.object({ code: z.string(), name: z.string() });
/** A row of `vsic_activities`: the mapper type of GraphQL `VsicActivity`. */
export type VsicActivityRow = z.infer<typeof vsicActivityRow>;

/** The unit columns, qualified by `alias`. */
function unitColumns(alias: string): string {
  return ['code', 'edition', 'level', 'name', 'kind', 'parent_code', 'valid_from', 'valid_until'].map((c) => `${alias}.${c}`).join(', ');
}

/** Pairs ($1 codes, $2 editions) of unit keys, as a relation. */
const KEY_PAIRS = 'SELECT * FROM unnest($1::text[], $2::text[])';

const unitsByKeys = statement(
  'unitsByKeys',
  `SELECT ${unitColumns('u')} FROM administrative_units u WHERE (u.code, u.edition) IN (${KEY_PAIRS})`,
  administrativeUnitRow,
);

/**
 * Lineages (a unit and its ancestors, nearest first; depth 0 is the unit itself), each row tagged
 * with the unit it belongs to (`of_code`, `of_edition`): those of the units ($1 codes, $2 editions),
 * and those of the TWO_LEVEL communes that the THREE_LEVEL communes $3 became, tagged besides with
 * the old code (`successor_of`). So a unit, its successors and all their names up to the province
 * come in one statement. The depth guard only protects against a corrupted parent cycle: real
 * chains are at most commune–district–province.
 */
const unitLineages = statement(
  'unitLineages',
  `WITH RECURSIVE seeds AS (
     SELECT u.code, u.edition, NULL::text AS successor_of
       FROM administrative_units u
      WHERE (u.code, u.edition) IN (${KEY_PAIRS})
     UNION
     SELECT x.new_code, x.new_edition, x.old_code
       FROM unit_crosswalk x
      WHERE x.old_code = ANY($3::text[])
   ), lineage AS (
     SELECT s.successor_of, u.code AS of_code, u.edition AS of_edition, 0 AS depth, ${unitColumns('u')}
       FROM seeds s
       JOIN administrative_units u ON u.code = s.code AND u.edition = s.edition
     UNION ALL
     SELECT l.successor_of, l.of_code, l.of_edition, l.depth + 1, ${unitColumns('p')}
       FROM lineage l
       JOIN administrative_units p ON p.code = l.parent_code AND p.edition = l.edition
      WHERE l.depth < 3
   )
   SELECT successor_of, of_code, of_edition, depth, ${unitColumns('lineage')}
     FROM lineage
    ORDER BY successor_of NULLS FIRST, of_edition, of_code, depth`,
  relatedUnitRow.extend({ successor_of: z.string().nullable(), depth: z.number().int() }),
);

const predecessorsByNewCodes = statement(
  'predecessorsByNewCodes',
  `SELECT x.new_code AS of_code, x.new_edition AS of_edition, ${unitColumns('u')}
     FROM unit_crosswalk x
     JOIN administrative_units u ON u.code = x.old_code AND u.edition = x.old_edition
    WHERE x.new_code = ANY($1::text[])
    ORDER BY x.new_code, u.code`,
  relatedUnitRow,
);

/** One page ($3 offset, $4 limit) of the children of each parent, by code: one statement for all parents. */
const childrenByParents = statement(
  'childrenByParents',
  `SELECT of_code, of_edition, ${unitColumns('c')}
     FROM (SELECT u.parent_code AS of_code, u.edition AS of_edition, ${unitColumns('u')},
                  row_number() OVER (PARTITION BY u.parent_code, u.edition ORDER BY u.code) AS position
             FROM administrative_units u
            WHERE (u.parent_code, u.edition) IN (${KEY_PAIRS})) c
    WHERE c.position > $3 AND c.position <= $3 + $4
    ORDER BY of_edition, of_code, c.position`,
  relatedUnitRow,
);

const searchUnits = statement(
  'searchUnits',
  `SELECT ${unitColumns('u')} FROM administrative_units u
    WHERE u.edition = $1
      AND ($2::text IS NULL OR u.level = $2)
      AND ($3::text IS NULL OR u.parent_code = $3)
      AND ($4::text IS NULL OR u.name_folded LIKE '%' || $4 || '%')
    ORDER BY array_position(ARRAY['PROVINCE', 'DISTRICT', 'COMMUNE'], u.level), u.code
    LIMIT $5 OFFSET $6`,
  administrativeUnitRow,
  { plan: 'per-call' },
);

const ethnicGroupsByCodes = statement(
  'ethnicGroupsByCodes',
  'SELECT code, name FROM ethnic_groups WHERE code = ANY($1::text[])',
  ethnicGroupRow,
);
const allEthnicGroups = statement('allEthnicGroups', 'SELECT code, name FROM ethnic_groups ORDER BY code', ethnicGroupRow);

const landUseTypesByCodes = statement(
  'landUseTypesByCodes',
  'SELECT code, name, land_use_group FROM land_use_types WHERE code = ANY($1::text[])',
  landUseTypeRow,
);
const allLandUseTypes = statement(
  'allLandUseTypes',
  'SELECT code, name, land_use_group FROM land_use_types ORDER BY code',
  landUseTypeRow,
);

const vsicActivitiesByCodes = statement(
  'vsicActivitiesByCodes',
  'SELECT code, name FROM vsic_activities WHERE code = ANY($1::text[])',
  vsicActivityRow,
);
const allVsicActivities = statement('allVsicActivities', 'SELECT code, name FROM vsic_activities ORDER BY code', vsicActivityRow);

export interface UnitSearch {
  readonly edition: Edition;
  readonly level: string | null;
  readonly parentCode: string | null;
  /** Folded with foldVietnamese, LIKE wildcards escaped. */
  readonly namePattern: string | null;
}

/** Lineages by unit key (see unitKeyOf), and successors by old commune code, in code order. */
export interface Lineages {
  readonly lineages: ReadonlyMap<string, AdministrativeUnitRow[]>;
  readonly successors: ReadonlyMap<string, AdministrativeUnitRow[]>;
}

const codesOf = (keys: readonly UnitKey[]) => keys.map((k) => k.code);
const editionsOf = (keys: readonly UnitKey[]) => keys.map((k) => k.edition);

/** The code-table database's statements. Every one is named and parameterised. */
export function codesStore(db: Queries) {
  return {
    unitsByKeys: (keys: readonly UnitKey[]) => db.many(unitsByKeys, [codesOf(keys), editionsOf(keys)]),
    /**
     * In one statement: the lineage of each key, and the successors of each THREE_LEVEL commune
     * code of `successorsOf` with their lineages.
     */
    unitLineages: async (keys: readonly UnitKey[], successorsOf: readonly string[]): Promise<Lineages> => {
      const rows = await db.many(unitLineages, [codesOf(keys), editionsOf(keys), successorsOf]);
      const lineages = new Map<string, AdministrativeUnitRow[]>();
      const successors = new Map<string, AdministrativeUnitRow[]>(successorsOf.map((code) => [code, []]));
      // Rows come grouped by (successor_of, unit). A unit met twice (asked for and a successor, or
      // the successor of two old communes) has the same lineage each time: the first one is kept.
      let group: string | null = null;
      let lineage: AdministrativeUnitRow[] | null = null;
      for (const { successor_of, of_code, of_edition, depth, ...unit } of rows) {
        const owner = unitKeyOf({ code: of_code, edition: of_edition });
        if (`${successor_of}|${owner}` !== group) {
          group = `${successor_of}|${owner}`;
          lineage = lineages.has(owner) ? null : [];
          if (lineage) lineages.set(owner, lineage);
        }
        lineage?.push(unit);
        if (successor_of !== null && depth === 0) successors.get(successor_of)?.push(unit);
      }
      return { lineages, successors };
    },
    /** The THREE_LEVEL communes merged into each TWO_LEVEL commune code, tagged with the new code. */
    predecessorsByNewCodes: (codes: readonly string[]) => db.many(predecessorsByNewCodes, [codes]),
    /** One page (plus one row, to tell whether more follow) of each parent's children, tagged with the parent. */
    childrenByParents: (parents: readonly UnitKey[], page: PageRequest) =>
      db.many(childrenByParents, [codesOf(parents), editionsOf(parents), page.offset, page.limit + 1]),
    /** One page (plus one row, to tell whether more follow) of units matching `search`. */
    searchUnits: (search: UnitSearch, page: PageRequest) =>
      db.many(searchUnits, [search.edition, search.level, search.parentCode, search.namePattern, page.limit + 1, page.offset]),
    ethnicGroupsByCodes: (codes: readonly string[]) => db.many(ethnicGroupsByCodes, [codes]),
    allEthnicGroups: () => db.many(allEthnicGroups),
    landUseTypesByCodes: (codes: readonly string[]) => db.many(landUseTypesByCodes, [codes]),
    allLandUseTypes: () => db.many(allLandUseTypes),
    vsicActivitiesByCodes: (codes: readonly string[]) => db.many(vsicActivitiesByCodes, [codes]),
    allVsicActivities: () => db.many(allVsicActivities),
  };
}
export type CodesStore = ReturnType<typeof codesStore>;
