import type { ConstructionPermitResolvers } from '../__generated__/resolvers-types';
import type { CitizenRef, EnterpriseRef, PermitRow } from '../store';

/** The applicant as a federation reference; the table's CHECK guarantees the key matching the kind. */
function applicantOf(row: PermitRow): CitizenRef | EnterpriseRef {
  if (row.applicant_kind === 'CITIZEN' && row.applicant_citizen_id) return { __typename: 'Citizen', id: row.applicant_citizen_id };
  if (row.applicant_kind === 'ENTERPRISE' && row.applicant_tax_code) return { __typename: 'Enterprise', taxCode: row.applicant_tax_code };
  throw new Error(`permit ${row.number} has no applicant key for kind ${row.applicant_kind}`);
}

export const ConstructionPermit: ConstructionPermitResolvers = {
  __resolveReference: (reference, context) => context.permitByNumber.load(reference.number),
  number: (row) => row.number,
  kind: (row) => row.kind,
  status: (row) => row.status,
  issuedOn: (row) => row.issued_on,
  expiresOn: (row) => row.expires_on,
  addressLine: (row) => row.address_line,
  commune: (row) => ({ code: row.commune_code, edition: row.commune_edition }),
  floors: (row) => row.floors,
  grossFloorArea: (row) => row.gross_floor_area,
  parcel: (row) => ({ id: row.parcel_id }),
  applicant: (row) => applicantOf(row),
};
