import type { LandUseCertificateResolvers } from '../__generated__/resolvers-types';

export const LandUseCertificate: LandUseCertificateResolvers = {
  serial: (row) => row.serial,
  issuedOn: (row) => row.issued_on,
  holder: (row) => {
    if (row.holder_citizen_id !== null) return { __typename: 'Citizen', id: row.holder_citizen_id };
    if (row.holder_tax_code !== null) return { __typename: 'Enterprise', taxCode: row.holder_tax_code };
    // The table's CHECK constraint makes exactly one holder column non-null.
    throw new Error(`certificate ${row.serial} names no holder`);
  },
  parcel: async (row, _args, context) => {
    const parcel = await context.parcelById.load(row.parcel_id);
    // The foreign key guarantees the parcel row; its absence is a corrupted register.
    if (!parcel) throw new Error(`certificate ${row.serial} has no parcel row`);
    return parcel;
  },
};
