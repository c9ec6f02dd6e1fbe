import { badUserInput } from '../kit/errors';
import { FIELD_COORDINATE } from '../kit/text';
import type { CatalogueField, FieldCatalogue } from './catalogue';

/** The most fields one request or consent may name. */
export const MAX_FIELDS = 100;


/** Why one named field cannot be requested or consented to. Stable values clients may switch on. */
export interface FieldProblem {
  readonly field: string;
  readonly reason: 'MALFORMED' | 'UNKNOWN_FIELD' | 'LEDGER_FIELD' | 'NOT_SPECIAL_REQUEST' | 'OTHER_PROVIDER' | 'OPEN_FIELD' | 'DEFAULT_FIELD' | 'OWN_FIELD';
  readonly category?: string;
  readonly owners?: readonly string[];
  readonly vi: string;
  readonly en: string;
}

function distinct(fields: readonly string[], argument: string): string[] {
  const unique = [...new Set(fields.map((f) => f.trim()))];
  if (unique.length === 0) {
    throw badUserInput('Cần nêu ít nhất một trường, dạng Type.field. (Name at least one field, as Type.field.)', { argument });
  }
  if (unique.length > MAX_FIELDS) {
    throw badUserInput(`Tối đa ${MAX_FIELDS} trường. (At most ${MAX_FIELDS} fields.)`, { argument, maximum: MAX_FIELDS });
  }
  return unique;
}

function lookup(catalogue: FieldCatalogue, field: string): { entry: CatalogueField } | { problem: FieldProblem } {
  if (!FIELD_COORDINATE.test(field)) {
    return { problem: { field, reason: 'MALFORMED', vi: 'không đúng dạng Type.field', en: 'is not of the form Type.field' } };
  }
  const entry = catalogue.field(field);
  if (entry?.ledger) {
    return {
      problem: {
        field,
        reason: 'LEDGER_FIELD',
        vi: 'là trường của chính sổ cái chia sẻ, không quyền khai thác hay sự đồng ý nào mở được (công dân tự xem dữ liệu của mình)',
        en: "is the access ledger's own, which no grant or consent opens (a citizen reads their own)",
      },
    };
  }
  if (entry) return { entry };
  return { problem: { field, reason: 'UNKNOWN_FIELD', vi: 'không có trong đồ thị dữ liệu hợp nhất', en: 'is not in the composed graph' } };
}

function refuse(problems: readonly FieldProblem[], argument: string): never {
  const vi = problems.map((p) => `${p.field} ${p.vi}`).join('; ');
  const en = problems.map((p) => `${p.field} ${p.en}`).join('; ');
  throw badUserInput(`Không chấp nhận các trường: ${vi}. (Fields refused: ${en}.)`, {
    argument,
    problems: problems.map(({ vi: _vi, en: _en, ...problem }) => problem),
  });
}

/**
 * The distinct fields of a request to `provider`, or BAD_USER_INPUT naming every field that is
 * unknown, not SPECIAL_REQUEST (nothing to request), or not resolved by the provider's subgraphs.
 */
export function requestableFields(catalogue: FieldCatalogue, provider: string, fields: readonly string[], argument = 'input.fields'): string[] {
  const unique = distinct(fields, argument);
  const problems: FieldProblem[] = [];
  for (const field of unique) {
    const found = lookup(catalogue, field);
    if ('problem' in found) {
      problems.push(found.problem);
      continue;
    }
    const { entry } = found;
    if (entry.category !== 'SPECIAL_REQUEST') {
      problems.push({
        field,
        reason: 'NOT_SPECIAL_REQUEST',
        category: entry.category,
        vi: `thuộc nhóm ${entry.category}, không phải chia sẻ theo yêu cầu riêng`,
        en: `is ${entry.category}, not SPECIAL_REQUEST`,
      });
    } else if (!entry.owners.includes(provider)) {
      const owners = entry.owners.join(', ') || '—';
      problems.push({
        field,
        reason: 'OTHER_PROVIDER',
        category: entry.category,
        owners: entry.owners,
        vi: `do ${owners} quản lý, không phải ${provider}`,
        en: `is owned by ${owners}, not ${provider}`,
      });
    }
  }
  if (problems.length > 0) refuse(problems, argument);
  return unique;
}

/**
 * The distinct fields of a citizen's consent to `agency`, or BAD_USER_INPUT naming every field that
 * is unknown, OPEN (open data needs no consent), DEFAULT (every state agency may read it already) or
 * the agency's own (its officials read all of it): a consent opens other agencies' SPECIAL_REQUEST
 * fields only.
 */
export function consentableFields(catalogue: FieldCatalogue, agency: string, fields: readonly string[]): string[] {
  const unique = distinct(fields, 'fields');
  const problems: FieldProblem[] = [];
  for (const field of unique) {
    const found = lookup(catalogue, field);
    if ('problem' in found) {
      problems.push(found.problem);
    } else if (found.entry.category === 'OPEN') {
      problems.push({
        field,
        reason: 'OPEN_FIELD',
        category: 'OPEN',
        vi: 'là dữ liệu mở, không cần sự đồng ý',
        en: 'is open data and needs no consent',
      });
    } else if (found.entry.category === 'DEFAULT') {
      problems.push({
        field,
        reason: 'DEFAULT_FIELD',
        category: 'DEFAULT',
        vi: 'mọi cơ quan nhà nước đã được khai thác, sự đồng ý không thêm gì',
        en: 'every state agency may read it already; a consent adds nothing',
      });
    } else if (found.entry.owners.includes(agency)) {
      problems.push({
        field,
        reason: 'OWN_FIELD',
        category: found.entry.category,
        vi: `do chính ${agency} quản lý, cơ quan này đã đọc được, sự đồng ý không thêm gì`,
        en: `is ${agency}'s own, which it reads already; a consent adds nothing`,
      });
    }
  }
  if (problems.length > 0) refuse(problems, 'fields');
  return unique;
}
