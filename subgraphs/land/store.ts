import { z } from 'zod';
import { statement, type Queries } from '../kit/db';
import type { KeysetPageRequest } from '../kit/pagination';

const edition = z.enum(['THREE_LEVEL', 'TWO_LEVEL']);

export const parcelRow = z.object({
  id: z.string(),
  map_sheet: z.number().int(),
  parcel_number: z.number().int(),
  area: z.coerce.number(),
  land_use_code: z.string(),
  address_line: z.string(),
  commune_code: z.string(),
  commune_edition: edition,
});
/** A row of `land_parcels`: the mapper type of GraphQL `LandParcel`. */
export type ParcelRow = z.infer<typeof parcelRow>;

export const certificateRow = z.object({
  serial: z.string(),
  parcel_id: z.string(),
  issued_on: z.string(),
  holder_citizen_id: z.string().nullable(),
  holder_tax_code: z.string().nullable(),
});
/** A row of `land_use_certificates`: the mapper type of GraphQL `LandUseCertificate`. */
export type CertificateRow = z.infer<typeof certificateRow>;

/** A parcel row tagged with the enterprise that holds it, for grouping. */
const enterpriseParcelRow = parcelRow.extend({ holder_tax_code: z.string() });
export type EnterpriseParcelRow = z.infer<typeof enterpriseParcelRow>;

/**
 * The land register knows citizens and enterprises only by their keys; the rest of them lives in
 * the citizens and enterprises subgraphs. These are the mapper types of the `Citizen` and
 * `Enterprise` stubs, tagged so that the `LandHolder` union can tell them apart.
 */
export interface CitizenRef {
  readonly __typename: 'Citizen';
  readonly id: string;
}
export interface EnterpriseRef {
  readonly __typename: 'Enterprise';
  readonly taxCode: string;
}

const PARCEL_COLUMNS = 'id, map_sheet, parcel_number, area, land_use_code, address_line, commune_code, commune_edition';
const CERTIFICATE_COLUMNS = 'serial, parcel_id, issued_on, holder_citizen_id, holder_tax_code';

const parcelsByIds = statement(
  'parcelsByIds',
  `SELECT ${PARCEL_COLUMNS} FROM land_parcels WHERE id = ANY($1::text[])`,
  parcelRow,
);

const currentCertificatesByParcels = statement(
  'currentCertificatesByParcels',
  `SELECT ${CERTIFICATE_COLUMNS} FROM land_use_certificates
    WHERE parcel_id = ANY($1::text[]) AND superseded_on IS NULL`,
  certificateRow,
);

const certificatesBySerials = statement(
  'certificatesBySerials',
  `SELECT ${CERTIFICATE_COLUMNS} FROM land_use_certificates WHERE serial = ANY($1::text[])`,
  certificateRow,
);

// The first $2 certificates in force of each citizen, newest first, for all citizens at once.
const currentCertificatesByCitizens = statement(
  'currentCertificatesByCitizens',
  `SELECT ${CERTIFICATE_COLUMNS} FROM (
      SELECT ${CERTIFICATE_COLUMNS},
             row_number() OVER (PARTITION BY holder_citizen_id ORDER BY issued_on DESC, serial) AS rank
        FROM land_use_certificates
       WHERE holder_citizen_id = ANY($1::text[]) AND superseded_on IS NULL
    ) ranked
    WHERE rank <= $2
    ORDER BY holder_citizen_id, rank`,
  certificateRow,
);

// The first $2 parcels (by id) that each enterprise holds under a certificate in force, all at once.
const currentParcelsByEnterprises = statement(
  'currentParcelsByEnterprises',
  `SELECT p.id, p.map_sheet, p.parcel_number, p.area, p.land_use_code, p.address_line, p.commune_code,
          p.commune_edition, ranked.holder_tax_code
     FROM (
       SELECT holder_tax_code, parcel_id,
              row_number() OVER (PARTITION BY holder_tax_code ORDER BY parcel_id) AS rank
         FROM land_use_certificates
        WHERE holder_tax_code = ANY($1::text[]) AND superseded_on IS NULL
     ) ranked
     JOIN land_parcels p ON p.id = ranked.parcel_id
    WHERE ranked.rank <= $2
    ORDER BY ranked.holder_tax_code, ranked.rank`,
  enterpriseParcelRow,
);

const searchParcels = statement(
  'searchParcels',
  `SELECT ${PARCEL_COLUMNS} FROM land_parcels
    WHERE ($1::text IS NULL OR (commune_code = $1 AND commune_edition = $2))
      AND ($3::text IS NULL OR land_use_code = $3)
      AND ($5::text IS NULL OR id > $5)
    ORDER BY id
    LIMIT $4`,
  parcelRow,
  { plan: 'per-call' },
);

export interface ParcelSearch {
  readonly communeCode: string | null;
  readonly communeEdition: string;
  readonly landUseCode: string | null;
}

/** The land register's statements. Every one is named and parameterised. */
export function landStore(db: Queries) {
  return {
    parcelsByIds: (ids: readonly string[]) => db.many(parcelsByIds, [ids]),
    currentCertificatesByParcels: (parcelIds: readonly string[]) => db.many(currentCertificatesByParcels, [parcelIds]),
    certificatesBySerials: (serials: readonly string[]) => db.many(certificatesBySerials, [serials]),
    /** At most `first` certificates in force per citizen, newest first, in one statement. */
    currentCertificatesByCitizens: (citizenIds: readonly string[], first: number) =>
      db.many(currentCertificatesByCitizens, [citizenIds, first]),
    /** At most `first` parcels per enterprise, by id, in one statement. */
    currentParcelsByEnterprises: (taxCodes: readonly string[], first: number) =>
      db.many(currentParcelsByEnterprises, [taxCodes, first]),
    /** One page (plus one row, to tell whether more follow) of parcels matching `search`, by id. */
    search: (search: ParcelSearch, page: KeysetPageRequest) =>
      db.many(searchParcels, [search.communeCode, search.communeEdition, search.landUseCode, page.limit + 1, page.afterKey]),
  };
}
export type LandStore = ReturnType<typeof landStore>;
