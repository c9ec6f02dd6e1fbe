import type DataLoader from 'dataloader';
import { groupLoader, rowLoader, loaderPerArgument } from '../kit/loaders';
import type { SubgraphContext } from '../kit/server';
import { constructionStore, type ConstructionStore, type PermitRow } from './store';

/** The per-request context of the construction subgraph. */
export interface ConstructionContext extends SubgraphContext {
  readonly store: ConstructionStore;
  readonly permitByNumber: DataLoader<string, PermitRow | null, string>;
  /**
   * The loader of each parcel's newest `first` permits. One loader per distinct `first`, so that
   * parcels asked with the same page size share one statement and different sizes never mix.
   */
  permitsByParcel(first: number): DataLoader<string, PermitRow[], string>;
}

/** Fresh loaders for one request: one statement per entity type per batch. */
export function createContext(base: SubgraphContext): ConstructionContext {
  const store = constructionStore(base.db);
  const permitByNumber = rowLoader(store.permitsByNumbers, (row) => row.number);
  return {
    ...base,
    store,
    permitByNumber,
    permitsByParcel: loaderPerArgument((first: number) =>
      groupLoader((parcelIds: readonly string[]) => store.permitsByParcels(parcelIds, first), (row) => row.parcel_id),
    ),
  };
}
