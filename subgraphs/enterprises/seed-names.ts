/**
 * How the seed names enterprises: "<legal form> <trade> <brand>", e.g. "Công ty TNHH Thương mại Hoàng
 * Phát", and the English name a registrant may add, e.g. "HOANG PHAT TRADING COMPANY LIMITED".
 */
import { foldVietnamese } from '../kit/text';
import type { EnterpriseKind } from './store';

/** The legal-form words a registered name must start with, and the English suffix (private enterprises have none). */
export const FORM: Record<EnterpriseKind, { readonly vi: string; readonly en: string | null }> = {
  SINGLE_MEMBER_LLC: { vi: 'Công ty TNHH', en: 'COMPANY LIMITED' },
  MULTI_MEMBER_LLC: { vi: 'Công ty TNHH', en: 'COMPANY LIMITED' },
  JOINT_STOCK: { vi: 'Công ty Cổ phần', en: 'JOINT STOCK COMPANY' },
  PRIVATE: { vi: 'Doanh nghiệp tư nhân', en: null },
  PARTNERSHIP: { vi: 'Công ty Hợp danh', en: 'PARTNERSHIP' },
};

/** The trade word of a name, from the VSIC division (first two digits) of the main business line. */
const TRADES: readonly { readonly upToDivision: number; readonly vi: string; readonly en: string }[] = [
  { upToDivision: 2, vi: 'Nông lâm nghiệp', en: 'AGRICULTURE' },
  { upToDivision: 3, vi: 'Thủy sản', en: 'SEAFOOD' },
  { upToDivision: 9, vi: 'Khoáng sản', en: 'MINERALS' },
  { upToDivision: 33, vi: 'Sản xuất', en: 'MANUFACTURING' },
  { upToDivision: 35, vi: 'Năng lượng', en: 'ENERGY' },
  { upToDivision: 39, vi: 'Môi trường', en: 'ENVIRONMENT' },
  { upToDivision: 43, vi: 'Xây dựng', en: 'CONSTRUCTION' },
  { upToDivision: 47, vi: 'Thương mại', en: 'TRADING' },
  { upToDivision: 53, vi: 'Vận tải', en: 'TRANSPORT' },
  { upToDivision: 56, vi: 'Du lịch', en: 'TOURISM' },
  { upToDivision: 63, vi: 'Công nghệ', en: 'TECHNOLOGY' },
  { upToDivision: 66, vi: 'Đầu tư', en: 'INVESTMENT' },
  { upToDivision: 68, vi: 'Bất động sản', en: 'REAL ESTATE' },
  { upToDivision: 75, vi: 'Tư vấn', en: 'CONSULTING' },
  { upToDivision: 78, vi: 'Dịch vụ', en: 'SERVICES' },
  { upToDivision: 79, vi: 'Lữ hành', en: 'TRAVEL' },
  { upToDivision: 82, vi: 'Dịch vụ', en: 'SERVICES' },
  { upToDivision: 85, vi: 'Giáo dục', en: 'EDUCATION' },
  { upToDivision: 88, vi: 'Y tế', en: 'HEALTHCARE' },
  { upToDivision: 93, vi: 'Giải trí', en: 'ENTERTAINMENT' },
  { upToDivision: 99, vi: 'Dịch vụ', en: 'SERVICES' },
];

/** Words Vietnamese trade names are commonly made of; a brand is two of them. */
export const BRAND_WORDS = [
  'An', 'Bình', 'Phát', 'Thịnh', 'Hưng', 'Long', 'Minh', 'Thành', 'Tân', 'Phú', 'Đại', 'Việt', 'Hoàng', 'Gia',
  'Nam', 'Hải', 'Quang', 'Trường', 'Tín', 'Đức', 'Phúc', 'Khang', 'Lộc', 'Vạn', 'Kim', 'Sơn', 'Hòa', 'Thái',
  'Xuân', 'Thiên', 'Nhật', 'Đông', 'Toàn', 'Tiến', 'Mai', 'Hồng', 'Châu', 'Nguyên', 'Trí', 'Vĩnh',
] as const;

/** Places of the province, added to a brand already taken, as registrants do. */
const PLACE_SUFFIXES = [
  'Phú Yên', 'Tuy Hòa', 'Sông Cầu', 'Đông Hòa', 'Tây Hòa', 'Phú Hòa', 'Tuy An', 'Sơn Hòa', 'Đồng Xuân', 'Sông Hinh',
  'Đắk Lắk', 'Buôn Ma Thuột', 'Miền Trung', 'Tây Nguyên',
] as const;

/**
 * A brand not yet used with this trade in the register (`taken`, which it then joins). The legal
 * form does not count: by the Law on Enterprises, "Công ty TNHH X" and "Công ty Cổ phần X" are
 * confusingly similar names.
 */
export function uniqueBrand(words: string, tradeVi: string, taken: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const place = PLACE_SUFFIXES[attempt - 1];
    const brand = attempt === 0 ? words : place ? `${words} ${place}` : `${words} ${attempt - PLACE_SUFFIXES.length + 1}`;
    const key = foldVietnamese(`${tradeVi} ${brand}`);
    if (!taken.has(key)) {
      taken.add(key);
      return brand;
    }
  }
}

/** The trade words for a business line: those of its VSIC division. */
export function tradeOf(vsicCode: string): (typeof TRADES)[number] {
  const division = Number(vsicCode.slice(0, 2));
  const trade = TRADES.find((t) => division <= t.upToDivision);
  if (!trade) throw new Error(`VSIC code ${vsicCode} has no division`);
  return trade;
}
