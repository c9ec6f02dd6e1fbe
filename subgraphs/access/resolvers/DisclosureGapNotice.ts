import type { DisclosureGapNoticeResolvers } from '../__generated__/resolvers-types';
import { agencyName } from '../directory';

// As in DataDisclosure, the provider is a plain code and name: the view is the citizen's own.
export const DisclosureGapNotice: DisclosureGapNoticeResolvers = {
  provider: (row) => row.provider_agency,
  providerName: (row) => agencyName(row.provider_agency),
  from: (row) => row.after_at?.toISOString() ?? null,
  until: (row) => row.before_at.toISOString(),
};
