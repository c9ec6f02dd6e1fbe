import type DataLoader from 'dataloader';
import { groupLoader, rowLoader, loaderPerArgument } from '../kit/loaders';
import type { SubgraphContext } from '../kit/server';
import { enterprisesStore, type BusinessLineRow, type EnterpriseRow, type EnterprisesStore } from './store';

/** The per-request context of the enterprises subgraph. */
export interface EnterprisesContext extends SubgraphContext {
  readonly store: EnterprisesStore;
  readonly enterpriseByTaxCode: DataLoader<string, EnterpriseRow | null, string>;
  /** The loader of `Citizen.enterprises(first)` for one value of `first`. */
  readonly enterprisesOfRepresentative: (first: number) => DataLoader<string, EnterpriseRow[], string>;
  /** The loader of `Enterprise.businessLines(first)` for one value of `first`. */
  readonly businessLinesOfEnterprise: (first: number) => DataLoader<string, BusinessLineRow[], string>;
}

/** Fresh loaders for one request: one statement per entity type per batch. */
export function createContext(base: SubgraphContext): EnterprisesContext {
  const store = enterprisesStore(base.db);
  return {
    ...base,
    store,
    enterpriseByTaxCode: rowLoader(store.enterprisesByTaxCodes, (row) => row.tax_code),
    enterprisesOfRepresentative: loaderPerArgument((first) =>
      groupLoader((ids: readonly string[]) => store.enterprisesByRepresentatives(ids, first), (row) => row.representative_id),
    ),
    businessLinesOfEnterprise: loaderPerArgument((first) =>
      groupLoader((taxCodes: readonly string[]) => store.businessLinesByTaxCodes(taxCodes, first), (row) => row.tax_code),
    ),
  };
}
