import { badUserInput } from '../kit/errors';
import { characters, keptText, unsafeCharacter } from '../kit/text';

/** The longest free text (purpose, legal basis, reason) the ledger keeps. */
export const MAX_TEXT = 2000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `id` if it is a UUID (every ledger id is one); BAD_USER_INPUT otherwise, before any SQL sees it. */
export function ledgerId(id: string, argument = 'id'): string {
  if (UUID.test(id)) return id.toLowerCase();
  throw badUserInput(`Mã không hợp lệ: cần một UUID. (Invalid id: expected a UUID.)`, { argument });
}

/**
 * BAD_USER_INPUT when `text` holds a control character or a bidirectional override (unsafeCharacter):
 * text another agency or the public will read is kept as written, never reordered on screen.
 */
export function checkCharacters(text: string, argument: string): void {
  const unsafe = unsafeCharacter(text);
  if (unsafe) {
    throw badUserInput(
      `Văn bản chứa ký tự điều khiển hoặc ký tự đảo chiều ${unsafe}; hãy bỏ nó đi. (The text holds a control or bidirectional-override character, ${unsafe}; remove it.)`,
      { argument },
    );
  }
}

/** The kept text, or BAD_USER_INPUT when it is blank, longer than MAX_TEXT, or holds an unsafe character. */
export function requiredText(value: string, argument: string, vi: string, en: string): string {
  const text = keptText(value);
  if (text === '') throw badUserInput(`Cần nêu ${vi}. (${en} is required.)`, { argument });
  checkCharacters(text, argument);
  if (characters(text) > MAX_TEXT) {
    throw badUserInput(`${vi} dài tối đa ${MAX_TEXT} ký tự. (${en}: at most ${MAX_TEXT} characters.)`, { argument, maximum: MAX_TEXT });
  }
  return text;
}

/** BAD_USER_INPUT unless `until` (when given) is on or after `from` and not before `today`. */
export function checkWindow(from: string, until: string | null, today: string, argument: string): void {
  if (until === null) return;
  if (until < from) {
    throw badUserInput(`Ngày kết thúc ${until} trước ngày bắt đầu ${from}. (validUntil ${until} is before validFrom ${from}.)`, { argument });
  }
  if (until < today) {
    throw badUserInput(`Ngày kết thúc ${until} đã qua (hôm nay ${today}). (validUntil ${until} has already passed; today is ${today}.)`, {
      argument,
    });
  }
}
