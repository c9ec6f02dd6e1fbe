import type DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import { argumentsBelow } from '../kit/lookahead';
import { groupLoader, loaderPerArgument, mapLoader, rowLoader } from '../kit/loaders';
import type { PageRequest } from '../kit/pagination';
import type { SubgraphContext } from '../kit/server';
import {
  codesStore,
  unitKeyOf,
  type AdministrativeUnitRow,
  type CodesStore,
  type EthnicGroupRow,
  type LandUseTypeRow,
  type Lineages,
  type RelatedUnitRow,
  type UnitKey,
  type VsicActivityRow,
} from './store';

/** The per-request context of the code-table subgraph. */
export interface CodesContext extends SubgraphContext {
  readonly store: CodesStore;
  readonly unitByKey: DataLoader<UnitKey, AdministrativeUnitRow | null, string>;
  /** A unit followed by its ancestors, nearest first; empty for an unknown unit. */
  readonly lineageOf: DataLoader<UnitKey, AdministrativeUnitRow[], string>;
  /**
   * As lineageOf, for a unit whose successors will be asked for: they come, with their lineages, in
   * the same statement (successorsOf and lineageOf are primed with them).
   */
  readonly lineageWithSuccessorsOf: DataLoader<UnitKey, AdministrativeUnitRow[], string>;
  /** THREE_LEVEL commune code → the TWO_LEVEL communes it became, with their lineages primed. */
  readonly successorsOf: DataLoader<string, AdministrativeUnitRow[], string>;
  /** TWO_LEVEL commune code → the THREE_LEVEL communes merged into it. */
  readonly predecessorsOf: DataLoader<string, AdministrativeUnitRow[], string>;
  /** The loader of `AdministrativeUnit.children(first, after)` for one page request. */
  readonly childrenOf: (page: PageRequest) => DataLoader<UnitKey, AdministrativeUnitRow[], string>;
  readonly ethnicGroupByCode: DataLoader<string, EthnicGroupRow | null, string>;
  readonly landUseTypeByCode: DataLoader<string, LandUseTypeRow | null, string>;
  readonly vsicActivityByCode: DataLoader<string, VsicActivityRow | null, string>;
}

/** The group a tagged row belongs to, as a loader cache key. */
const groupOf = (row: RelatedUnitRow) => unitKeyOf({ code: row.of_code, edition: row.of_edition });

/** Fresh loaders for one request: one statement per entity type per batch. */
export function createContext(base: SubgraphContext): CodesContext {
  const store = codesStore(base.db);
  const unitByKey = rowLoader(store.unitsByKeys, unitKeyOf, unitKeyOf);
  // Every unit row that a lineage, successor or predecessor list brings is primed, so that the same
  // unit asked for by key later in the request (a reference, a root field) is not fetched again.
  const primeUnits = <Row extends AdministrativeUnitRow>(rows: Row[]): Row[] => {
    for (const row of rows) unitByKey.prime(row, row);
    return rows;
  };
  // One statement brings lineages and successors. All it brings is primed (each lineage, each old
  // commune's successors), so that the fields below (a successor's names) need no statement.
  const lineages = async (keys: readonly UnitKey[], oldCommunes: readonly string[]): Promise<Lineages> => {
    const found = await store.unitLineages(keys, oldCommunes);
    for (const lineage of found.lineages.values()) {
      const [unit] = primeUnits(lineage);
      if (unit) lineageOf.prime(unit, lineage);
    }
    for (const [code, successors] of found.successors) successorsOf.prime(code, successors);
    return found;
  };
  const lineageOf = mapLoader(async (keys: readonly UnitKey[]) => (await lineages(keys, [])).lineages, unitKeyOf, () => []);
  const lineageWithSuccessorsOf = mapLoader(
    async (keys: readonly UnitKey[]) => {
      // Only THREE_LEVEL communes have successors (the crosswalk's old side).
      const oldCommunes = keys.filter((key) => key.edition === 'THREE_LEVEL').map((key) => key.code);
      return (await lineages(keys, oldCommunes)).lineages;
    },
    unitKeyOf,
    () => [],
  );
  const successorsOf = mapLoader(async (codes: readonly string[]) => (await lineages([], codes)).successors, String, () => []);
  return {
    ...base,
    store,
    unitByKey,
    lineageOf,
    lineageWithSuccessorsOf,
    successorsOf,
    predecessorsOf: groupLoader(async (codes: readonly string[]) => primeUnits(await store.predecessorsByNewCodes(codes)), (row) => row.of_code),
    childrenOf: loaderPerArgument((page: PageRequest) =>
      groupLoader((parents: readonly UnitKey[]) => store.childrenByParents(parents, page), groupOf, unitKeyOf),
    (page) => `${page.limit}:${page.offset}`),
    ethnicGroupByCode: rowLoader(store.ethnicGroupsByCodes, (row) => row.code),
    landUseTypeByCode: rowLoader(store.landUseTypesByCodes, (row) => row.code),
    vsicActivityByCode: rowLoader(store.vsicActivitiesByCodes, (row) => row.code),
  };
}

/**
 * The unit at `key` (null when unknown), loaded with its lineage, and with its successors and theirs
 * too when the operation asks for `successors` below the field being resolved: one statement either way.
 */
export async function unitWithLineage(context: CodesContext, key: UnitKey, info: GraphQLResolveInfo): Promise<AdministrativeUnitRow | null> {
  const loader = argumentsBelow(info, ['successors']).length > 0 ? context.lineageWithSuccessorsOf : context.lineageOf;
  return (await loader.load(key))[0] ?? null;
}
