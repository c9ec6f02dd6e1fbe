import type { EnterpriseBusinessLineResolvers } from '../__generated__/resolvers-types';

export const EnterpriseBusinessLine: EnterpriseBusinessLineResolvers = {
  activity: (row) => ({ code: row.vsic_code }),
  isMain: (row) => row.is_main,
};
