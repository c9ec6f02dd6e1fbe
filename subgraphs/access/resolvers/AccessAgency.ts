import type { AccessAgencyResolvers } from '../__generated__/resolvers-types';
import { agencyName } from '../directory';

export const AccessAgency: AccessAgencyResolvers = {
  code: (agency) => agency.code,
  name: (agency) => agencyName(agency.code),
};
