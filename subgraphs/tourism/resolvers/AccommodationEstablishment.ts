import type { AccommodationEstablishmentResolvers } from '../__generated__/resolvers-types';

export const AccommodationEstablishment: AccommodationEstablishmentResolvers = {
  __resolveReference: (reference, context) => context.accommodationByNumber.load(reference.recognitionNumber),
  recognitionNumber: (row) => row.recognition_number,
  name: (row) => row.name,
  kind: (row) => row.kind,
  stars: (row) => row.stars,
  rooms: (row) => row.rooms,
  addressLine: (row) => row.address_line,
  commune: (row) => ({ code: row.commune_code, edition: row.commune_edition }),
  operator: (row) => ({ taxCode: row.operator_tax_code }),
  guestArrivalsLastYear: (row) => row.guest_arrivals_last_year,
  revenueLastYear: (row) => row.revenue_last_year,
};
