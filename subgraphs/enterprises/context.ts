import type DataLoader from 'dataloader';
import { groupLoader, rowLoader } from '../kit/loaders';
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

/**
 * One loader per distinct `first` within a request, so that parents asking for the same page size
 * share one statement, and a cached list is never served for a different `first`.
 */
function loaderPerFirst<L>(create: (first: number) => L): (first: number) => L {
  const loaders = new Map<number, L>();
  return (first) => {
    let loader = loaders.get(first);
    if (!loader) {
      loader = create(first);
      loaders.set(first, loader);
    }
    return loader;
  };
}

/** Fresh loaders for one request: one statement per entity type per batch. */
export function createContext(base: SubgraphContext): EnterprisesContext {
  const store = enterprisesStore(base.db);
  return {
    ...base,
    store,
    enterpriseByTaxCode: rowLoader(store.enterprisesByTaxCodes, (row) => row.tax_code),
    enterprisesOfRepresentative: loaderPerFirst((first) =>
      groupLoader((ids: readonly string[]) => store.enterprisesByRepresentatives(ids, first), (row) => row.representative_id),
    ),
    businessLinesOfEnterprise: loaderPerFirst((first) =>
      groupLoader((taxCodes: readonly string[]) => store.businessLinesByTaxCodes(taxCodes, first), (row) => row.tax_code),
    ),
  };
}
