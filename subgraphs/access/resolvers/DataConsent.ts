import type { DataConsentResolvers } from '../__generated__/resolvers-types';
import { agencyName } from '../directory';

export const DataConsent: DataConsentResolvers = {
  id: (row) => row.id,
  personalId: (row) => row.personal_id,
  agency: (row) => row.agency,
  agencyName: (row) => agencyName(row.agency),
  fields: (row) => row.fields,
  givenAt: (row) => row.given_at.toISOString(),
  validUntil: (row) => row.valid_until,
  withdrawnAt: (row) => row.withdrawn_at?.toISOString() ?? null,
  status: (row) => row.status,
};
