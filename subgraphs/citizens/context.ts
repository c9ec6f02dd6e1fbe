import type DataLoader from 'dataloader';
import { groupLoader, rowLoader } from '../kit/loaders';
import type { SubgraphContext } from '../kit/server';
import { citizensStore, type CitizenRow, type CitizensStore, type HouseholdRow } from './store';

/** The per-request context of the citizens subgraph. */
export interface CitizensContext extends SubgraphContext {
  readonly store: CitizensStore;
  readonly citizenById: DataLoader<string, CitizenRow | null, string>;
  readonly householdById: DataLoader<string, HouseholdRow | null, string>;
  readonly membersByHousehold: DataLoader<string, CitizenRow[], string>;
}

/** Fresh loaders for one request: one statement per entity type per batch. */
export function createContext(base: SubgraphContext): CitizensContext {
  const store = citizensStore(base.db);
  return {
    ...base,
    store,
    citizenById: rowLoader(store.citizensByIds, (row) => row.id),
    householdById: rowLoader(store.householdsByIds, (row) => row.id),
    membersByHousehold: groupLoader(store.citizensByHouseholds, (row) => row.household_id ?? ''),
  };
}
