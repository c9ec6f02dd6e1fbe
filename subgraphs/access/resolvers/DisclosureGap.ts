import type { DisclosureGapResolvers } from '../__generated__/resolvers-types';

export const DisclosureGap: DisclosureGapResolvers = {
  provider: (row) => ({ code: row.provider_agency }),
  chain: (row) => row.chain,
  afterSeq: (row) => row.after_seq,
  afterRecordedAt: (row) => row.after_at?.toISOString() ?? null,
  beforeSeq: (row) => row.before_seq,
  beforeRecordedAt: (row) => row.before_at.toISOString(),
  kind: (row) => row.kind,
  detectedAt: (row) => row.detected_at.toISOString(),
};
