import type { DataDisclosureResolvers } from '../__generated__/resolvers-types';
import { agencyName } from '../directory';

// Agencies are plain codes and names here: the whole record is the citizen's own personal data.
export const DataDisclosure: DataDisclosureResolvers = {
  requestId: (row) => row.request_id,
  at: (row) => row.recorded_at.toISOString(),
  provider: (row) => row.provider_agency,
  providerName: (row) => agencyName(row.provider_agency),
  // A citizen reading their own records is no agency.
  consumer: (row) => row.consumer_agency,
  consumerName: (row) => (row.consumer_agency ? agencyName(row.consumer_agency) : null),
  official: (row) => row.official,
  purpose: (row) => row.purpose,
  fields: (row) => row.fields,
  basis: (row) => row.used,
};
