import type { ApplicantResolvers } from '../__generated__/resolvers-types';

export const Applicant: ApplicantResolvers = {
  __resolveType: (applicant) => applicant.__typename,
};
