import type DataLoader from 'dataloader';
import { groupLoader, rowLoader, loaderPerArgument } from '../kit/loaders';
import type { SubgraphContext } from '../kit/server';
import { vietnamDate } from './calendar';
import type { FieldCatalogue } from './catalogue';
import { accessStore, type AccessStore, type GrantEventRow, type GrantRow, type RequestRow } from './store';
import { disclosureStore } from './disclosures';

/** The per-request context of the access ledger. */
export interface AccessContext extends SubgraphContext {
  readonly store: AccessStore;
  /** The providers' disclosure records, as delivered to the ledger. */
  readonly disclosures: ReturnType<typeof disclosureStore>;
  /** The ledger's clock: every timestamp written and every state computed reads it. */
  readonly now: () => Date;
  /** Makes the id of a new request, grant, notification or consent. */
  readonly newId: () => string;
  /** The fields of the composed graph: categories and owners. */
  readonly catalogue: FieldCatalogue;
  readonly requestById: DataLoader<string, RequestRow | null, string>;
  readonly grantById: DataLoader<string, GrantRow | null, string>;
  readonly grantByRequest: DataLoader<string, GrantRow | null, string>;
  /** The event loader for one page size (`first`), made on first use: one statement per size. */
  eventsByGrant(first: number): DataLoader<string, GrantEventRow[], string>;
}

export interface LedgerSettings {
  readonly now: () => Date;
  readonly newId: () => string;
  readonly catalogue: () => FieldCatalogue;
}

/** Fresh loaders for one request. Grant loaders compute states on the day the request started. */
export function createAccessContext(base: SubgraphContext, settings: LedgerSettings): AccessContext {
  const store = accessStore(base.db);
  const today = vietnamDate(settings.now());
  return {
    ...base,
    store,
    disclosures: disclosureStore(base.db),
    now: settings.now,
    newId: settings.newId,
    catalogue: settings.catalogue(),
    requestById: rowLoader(store.requestsByIds, (row) => row.id),
    grantById: rowLoader((ids) => store.grantsByIds(today, ids), (row) => row.id),
    grantByRequest: rowLoader((ids) => store.grantsByRequestIds(today, ids), (row) => row.request_id),
    eventsByGrant: loaderPerArgument((first: number) =>
      groupLoader((ids: readonly string[]) => store.grantEventsByGrants(ids, first), (row: GrantEventRow) => row.grant_id),
    ),
  };
}
