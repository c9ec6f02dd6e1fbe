import type { DataDisclosureConnectionResolvers } from '../__generated__/resolvers-types';

export const DataDisclosureConnection: DataDisclosureConnectionResolvers = {
  // Read only when asked for: most views of who saw one's data do not select it.
  gaps: (page, _args, context) => context.disclosures.gapNotices(page.subject),
};
