import type DataLoader from 'dataloader';
import { groupLoader, rowLoader, loaderPerArgument } from '../kit/loaders';
import type { PageRequest } from '../kit/pagination';
import type { SubgraphContext } from '../kit/server';
import {
  codesStore,
  unitKeyOf,
  type AdministrativeUnitRow,
  type CodesStore,
  type EthnicGroupRow,
  type LandUseTypeRow,
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
  /** THREE_LEVEL commune code → the TWO_LEVEL communes it became. */
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
  return {
    ...base,
    store,
    unitByKey,
    lineageOf: groupLoader(async (keys: readonly UnitKey[]) => primeUnits(await store.unitLineages(keys)), groupOf, unitKeyOf),
    successorsOf: groupLoader(async (codes: readonly string[]) => primeUnits(await store.successorsByOldCodes(codes)), (row) => row.of_code),
    predecessorsOf: groupLoader(async (codes: readonly string[]) => primeUnits(await store.predecessorsByNewCodes(codes)), (row) => row.of_code),
    childrenOf: loaderPerArgument((page: PageRequest) =>
      groupLoader((parents: readonly UnitKey[]) => store.childrenByParents(parents, page), groupOf, unitKeyOf),
    (page) => `${page.limit}:${page.offset}`),
    ethnicGroupByCode: rowLoader(store.ethnicGroupsByCodes, (row) => row.code),
    landUseTypeByCode: rowLoader(store.landUseTypesByCodes, (row) => row.code),
    vsicActivityByCode: rowLoader(store.vsicActivitiesByCodes, (row) => row.code),
  };
}
