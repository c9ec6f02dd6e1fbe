import { pageSize } from '../../kit/pagination';
import type { CitizenResolvers } from '../__generated__/resolvers-types';

const PERSONAL_ID = /^\d{12}$/;

export const Citizen: CitizenResolvers = {
  // The land register cannot tell whether a citizen exists: any well-formed id is a valid reference,
  // and a citizen with no certificates simply has none here. Representations bypass scalar parsing,
  // so a malformed id is refused here (null), as the PersonalId scalar would refuse it.
  __resolveReference: (reference) => (PERSONAL_ID.test(reference.id) ? { __typename: 'Citizen', id: reference.id } : null),
  id: (citizen) => citizen.id,
  landCertificates: (citizen, { first }, context) => {
    const limit = pageSize(first);
    return limit === 0 ? [] : context.certificatesOfCitizen(limit).load(citizen.id);
  },
};
