import { badUserInput } from '../../kit/errors';
import { keysetPageRequest, toKeysetPage } from '../../kit/pagination';
import type { QueryResolvers } from '../__generated__/resolvers-types';

const PARCEL_ID = /^TD\d{8}$/;
const CERTIFICATE_SERIAL = /^[A-Z]{2} \d{6}$/;

export const Query: QueryResolvers = {
  landParcel: (_parent, { id }, context) => {
    if (!PARCEL_ID.test(id)) {
      throw badUserInput('Mã thửa đất không hợp lệ: cần TD và 8 chữ số, ví dụ TD00001234. (Invalid parcel id: expected TD followed by 8 digits.)', {
        argument: 'id',
        expected: 'TD00001234',
      });
    }
    return context.parcelById.load(id);
  },

  landParcels: async (_parent, { filter, first, after }, context, info) => {
    const page = keysetPageRequest({ first, after }, info);
    const rows = await context.store.search(
      {
        communeCode: filter?.communeCode ?? null,
        communeEdition: filter?.communeEdition ?? 'TWO_LEVEL',
        landUseCode: filter?.landUseType ?? null,
      },
      page,
    );
    for (const row of rows) context.parcelById.prime(row.id, row);
    return toKeysetPage(rows, page, (row) => row.id);
  },

  landUseCertificate: (_parent, { serial }, context) => {
    if (!CERTIFICATE_SERIAL.test(serial)) {
      throw badUserInput('Số seri giấy chứng nhận không hợp lệ: cần hai chữ cái in hoa, dấu cách và 6 chữ số, ví dụ DA 123456. (Invalid certificate serial: expected two capital letters, a space and 6 digits.)', {
        argument: 'serial',
        expected: 'DA 123456',
      });
    }
    return context.certificateBySerial.load(serial);
  },
};
