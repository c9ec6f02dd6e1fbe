import type { LandParcelResolvers } from '../__generated__/resolvers-types';

export const LandParcel: LandParcelResolvers = {
  __resolveReference: (reference, context) => context.parcelById.load(reference.id),
  id: (row) => row.id,
  mapSheet: (row) => row.map_sheet,
  parcelNumber: (row) => row.parcel_number,
  area: (row) => row.area,
  landUse: (row) => ({ code: row.land_use_code }),
  addressLine: (row) => row.address_line,
  commune: (row) => ({ code: row.commune_code, edition: row.commune_edition }),
  certificate: (row, _args, context) => context.certificateByParcel.load(row.id),
};
