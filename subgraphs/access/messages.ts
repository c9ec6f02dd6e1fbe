import { agencyName } from './directory';
import type { GrantRow, NotificationKind, RequestRow } from './store';

/**
 * The text of each notification, Vietnamese first and English in parentheses. Notifications are
 * addressed to agencies and never carry personal data: only agency names, field coordinates,
 * dates, and the reason the deciding official gave.
 */

function window(from: string, until: string | null): string {
  return until ? `từ ${from} đến ${until}` : `từ ${from}, không xác định thời hạn`;
}

function windowEn(from: string, until: string | null): string {
  return until ? `from ${from} to ${until}` : `from ${from}, open-ended`;
}

/** To the provider: a request reached its inbox. */
export function submittedMessage(request: RequestRow, dueAt: Date): string {
  const fields = request.fields.join(', ');
  return (
    `${agencyName(request.consumer_agency)} yêu cầu khai thác ${fields} ${window(request.valid_from, request.valid_until)}; ` +
    `hạn quyết định ${dueAt.toISOString()}. ` +
    `(New special-request access request from ${request.consumer_agency} for ${fields}; decision due ${dueAt.toISOString()}.)`
  );
}

/** To the consumer: its request was approved (and the window granted) or refused (and why). */
export function decisionMessage(request: RequestRow, grant: GrantRow | null): string {
  const provider = agencyName(request.provider_agency);
  const fields = request.fields.join(', ');
  if (grant) {
    return (
      `${provider} đã phê duyệt yêu cầu khai thác ${fields}, hiệu lực ${window(grant.valid_from, grant.valid_until)}. ` +
      `(Your request for ${fields} was approved, valid ${windowEn(grant.valid_from, grant.valid_until)}.)`
    );
  }
  return `${provider} đã từ chối yêu cầu khai thác ${fields}. Lý do: ${request.decision_reason ?? ''} (Your request for ${fields} was refused; reason above.)`;
}

const TRANSITION_TEXT: Record<Extract<NotificationKind, `GRANT_${string}`>, { vi: string; en: string }> = {
  GRANT_SUSPENDED: { vi: 'đã tạm dừng', en: 'suspended' },
  GRANT_RESUMED: { vi: 'đã khôi phục', en: 'resumed' },
  GRANT_TERMINATED: { vi: 'đã chấm dứt', en: 'terminated' },
};

/** To the consumer: the provider changed the state of its grant, and why. */
export function transitionMessage(kind: keyof typeof TRANSITION_TEXT, grant: GrantRow, reason: string): string {
  const text = TRANSITION_TEXT[kind];
  const fields = grant.fields.join(', ');
  return (
    `${agencyName(grant.provider_agency)} ${text.vi} quyền khai thác ${fields}. Lý do: ${reason} ` +
    `(Your grant for ${fields} was ${text.en}; reason above.)`
  );
}
