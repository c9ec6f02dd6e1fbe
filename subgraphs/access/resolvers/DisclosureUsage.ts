import type { DisclosureUsageResolvers } from '../__generated__/resolvers-types';

export const DisclosureUsage: DisclosureUsageResolvers = {
  day: (row) => row.day,
  provider: (row) => ({ code: row.provider_agency }),
  consumer: (row) => row.consumer,
  field: (row) => row.field,
  category: (row) => row.category,
  requests: (row) => row.requests,
};
