import { pageSize } from '../../kit/pagination';
import type { EnterpriseResolvers } from '../__generated__/resolvers-types';

export const Enterprise: EnterpriseResolvers = {
  __resolveReference: (reference, context) => context.enterpriseByTaxCode.load(reference.taxCode),
  taxCode: (row) => row.tax_code,
  name: (row) => row.name,
  internationalName: (row) => row.international_name,
  kind: (row) => row.kind,
  status: (row) => row.status,
  foundedOn: (row) => row.founded_on,
  businessLines: (row, { first }, context) => context.businessLinesOfEnterprise(pageSize(first)).load(row.tax_code),
  addressLine: (row) => row.address_line,
  commune: (row) => ({ code: row.commune_code, edition: row.commune_edition }),
  charterCapital: (row) => row.charter_capital,
  employeeCount: (row) => row.employee_count,
  legalRepresentative: (row) => ({ id: row.representative_id }),
};
