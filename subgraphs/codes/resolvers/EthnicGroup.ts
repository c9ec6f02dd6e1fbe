import type { EthnicGroupResolvers } from '../__generated__/resolvers-types';

export const EthnicGroup: EthnicGroupResolvers = {
  // Representations are untyped JSON: a code that is not a string is no ethnic group.
  __resolveReference: (reference, context) =>
    typeof reference.code === 'string' ? context.ethnicGroupByCode.load(reference.code) : null,
  code: (row) => row.code,
  name: (row) => row.name,
};
