import type DataLoader from 'dataloader';
import { groupLoader, rowLoader, loaderPerArgument } from '../kit/loaders';
import type { SubgraphContext } from '../kit/server';
import { landStore, type CertificateRow, type LandStore, type ParcelRow } from './store';

/** A one-to-many loader per distinct page size: `first` is part of the SQL, so it is part of the cache key. */
export type ListLoaders<Row> = (first: number) => DataLoader<string, Row[], string>;

/** The per-request context of the land subgraph. */
export interface LandContext extends SubgraphContext {
  readonly store: LandStore;
  readonly parcelById: DataLoader<string, ParcelRow | null, string>;
  readonly certificateByParcel: DataLoader<string, CertificateRow | null, string>;
  readonly certificateBySerial: DataLoader<string, CertificateRow | null, string>;
  /** Certificates in force naming each citizen, at most `first` per citizen. */
  readonly certificatesOfCitizen: ListLoaders<CertificateRow>;
  /** Parcels each enterprise holds, at most `first` per enterprise. */
  readonly parcelsOfEnterprise: ListLoaders<ParcelRow>;
}

/** One group loader per `first` for the request: all parents asking the same page size share one statement. */
function perPageSize<Row>(
  fetch: (keys: readonly string[], first: number) => Promise<Row[]>,
  groupOfRow: (row: Row) => string,
): ListLoaders<Row> {
  return loaderPerArgument((first: number) => groupLoader((keys: readonly string[]) => fetch(keys, first), groupOfRow));
}

/** Fresh loaders for one request: one statement per entity type per batch. */
export function createContext(base: SubgraphContext): LandContext {
  const store = landStore(base.db);
  const parcelById = rowLoader(store.parcelsByIds, (row) => row.id);
  const certificateByParcel = rowLoader(store.currentCertificatesByParcels, (row) => row.parcel_id);
  const certificateBySerial = rowLoader(store.certificatesBySerials, (row) => row.serial);
  return {
    ...base,
    store,
    parcelById,
    certificateByParcel,
    certificateBySerial,
    certificatesOfCitizen: perPageSize(
      async (citizenIds, first) => {
        const rows = await store.currentCertificatesByCitizens(citizenIds, first);
        for (const row of rows) {
          certificateBySerial.prime(row.serial, row);
          certificateByParcel.prime(row.parcel_id, row);
        }
        return rows;
      },
      (row) => row.holder_citizen_id ?? '',
    ),
    parcelsOfEnterprise: perPageSize(
      async (taxCodes, first) => {
        const rows = await store.currentParcelsByEnterprises(taxCodes, first);
        for (const { holder_tax_code: _holder, ...parcel } of rows) parcelById.prime(parcel.id, parcel);
        return rows;
      },
      (row) => row.holder_tax_code,
    ),
  };
}
