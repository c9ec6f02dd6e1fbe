import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badUserInput } from './errors';

const TAX_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;

/** The check digit of a 10-digit Vietnamese tax code, from its first nine digits; null when none exists. */
export function taxCodeCheckDigit(firstNine: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (TAX_WEIGHTS[i] ?? 0);
  const check = 10 - (sum % 11);
  return check === 10 ? null : check === 11 ? 0 : check;
}

/** True for `NNNNNNNNNN` with a correct check digit, optionally followed by `-NNN` (a branch). */
export function isTaxCode(value: string): boolean {
  const match = /^(\d{9})(\d)(-\d{3})?$/.exec(value);
  if (!match || match[3] === '-000') return false;
  return taxCodeCheckDigit(match[1] ?? '') === Number(match[2]);
}

interface StringScalarSpec {
  readonly name: string;
  readonly description: string;
  /** The form a value must have, in Vietnamese and in English. */
  readonly expected: { readonly vi: string; readonly en: string };
  readonly valid: (value: string) => boolean;
}

function stringScalar(spec: StringScalarSpec): GraphQLScalarType<string, string> {
  const { vi, en } = spec.expected;
  // The `expected` extension, which clients may read, says both, once each.
  const expected = vi === en ? vi : `${vi} / ${en}`;
  // A literal's refusal names where it is in the document (its `locations`).
  const check = (value: unknown, node?: ValueNode): string => {
    if (typeof value !== 'string' || !spec.valid(value)) {
      throw badUserInput(`${spec.name} không hợp lệ: cần ${vi}. (Invalid ${spec.name}: expected ${en}.)`, { expected }, node);
    }
    return value;
  };
  return new GraphQLScalarType<string, string>({
    name: spec.name,
    description: spec.description,
    serialize: (value) => String(value),
    parseValue: check,
    parseLiteral: (node: ValueNode) => check(node.kind === Kind.STRING ? node.value : undefined, node),
  });
}

/**
 * True for a real calendar day `YYYY-MM-DD` from year 1 to 9999 (PostgreSQL has no year 0, and
 * rejects 31 February as a date): a value that passes never fails in SQL.
 */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || value.startsWith('0000')) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** Resolvers for the shared scalars declared in schema/directives.graphql; every subgraph mounts them all. */
export const sharedScalars = {
  Date: stringScalar({ name: 'Date', description: 'ISO 8601 date', expected: { vi: 'YYYY-MM-DD', en: 'YYYY-MM-DD' }, valid: isIsoDate }),
  PersonalId: stringScalar({
    name: 'PersonalId',
    description: '12-digit personal identification number',
    expected: { vi: '12 chữ số, ví dụ 054090000123', en: '12 digits, e.g. 054090000123' },
    valid: (v) => /^\d{12}$/.test(v),
  }),
  TaxCode: stringScalar({
    name: 'TaxCode',
    description: 'Vietnamese tax code',
    expected: { vi: '10 chữ số có số kiểm tra đúng, có thể kèm -NNN', en: '10 digits with a valid check digit, optionally -NNN' },
    valid: isTaxCode,
  }),
  AdministrativeUnitCode: stringScalar({
    name: 'AdministrativeUnitCode',
    description: 'GSO administrative unit code',
    expected: { vi: 'mã 2, 3 hoặc 5 chữ số của Tổng cục Thống kê', en: '2, 3 or 5 digits (GSO code)' },
    valid: (v) => /^(\d{2}|\d{3}|\d{5})$/.test(v),
  }),
  VsicCode: stringScalar({ name: 'VsicCode', description: 'VSIC 2018 code', expected: { vi: '4 chữ số', en: '4 digits' }, valid: (v) => /^\d{4}$/.test(v) }),
  LandUseTypeCode: stringScalar({
    name: 'LandUseTypeCode',
    description: 'Land-use type symbol',
    expected: { vi: '3 chữ in hoa, ví dụ ONT', en: '3 capital letters, e.g. ONT' },
    valid: (v) => /^[A-Z]{3}$/.test(v),
  }),
  EthnicGroupCode: stringScalar({ name: 'EthnicGroupCode', description: 'GSO ethnic group code', expected: { vi: '2 chữ số', en: '2 digits' }, valid: (v) => /^\d{2}$/.test(v) }),
};
