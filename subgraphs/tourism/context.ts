import type DataLoader from 'dataloader';
import { rowLoader } from '../kit/loaders';
import type { SubgraphContext } from '../kit/server';
import { tourismStore, type AccommodationRow, type HeritageSiteRow, type TourismStore } from './store';

/** The per-request context of the tourism subgraph. */
export interface TourismContext extends SubgraphContext {
  readonly store: TourismStore;
  readonly siteByCode: DataLoader<string, HeritageSiteRow | null, string>;
  readonly accommodationByNumber: DataLoader<string, AccommodationRow | null, string>;
}

/** Fresh loaders for one request: one statement per entity type per batch. */
export function createContext(base: SubgraphContext): TourismContext {
  const store = tourismStore(base.db);
  return {
    ...base,
    store,
    siteByCode: rowLoader(store.sitesByCodes, (row) => row.code),
    accommodationByNumber: rowLoader(store.accommodationsByNumbers, (row) => row.recognition_number),
  };
}
