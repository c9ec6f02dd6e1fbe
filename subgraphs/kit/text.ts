/**
 * Folds Vietnamese text for diacritic-insensitive search: lower case, tone and vowel marks removed,
 * đ → d, spaces collapsed. "Nguyễn Văn An" and "nguyen  van an" fold to the same string.
 */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** A search fragment as a LIKE pattern body: `%`, `_` and `\` typed by the user match themselves. */
export function likeLiteral(fragment: string): string {
  return fragment.replace(/[\\%_]/g, '\\$&');
}

/**
 * A purpose as sent in the `x-purpose` header (percent-encoded UTF-8, so that Vietnamese survives
 * HTTP): decoded, control characters and line separators (a NUL, a line break) turned into spaces,
 * kept as other free text is (keptText: composed, trimmed), at most 500 characters. Null when not
 * readable, or when it holds no letter or digit (spaces or zero-width characters alone, say): a
 * purpose is one line of text that people read, and it is written to the disclosure logs as such.
 */
export function decodePurpose(header: string | undefined | null): string | null {
  const line = purposeLine(header);
  // A purpose people read says something: a letter or a digit at least (private-use characters,
  // annotation marks or a lone combining mark alone read as nothing).
  if (line === null || !/[\p{L}\p{N}]/u.test(line)) return null;
  // Cut by characters, not UTF-16 units, and only when it may be too long.
  return line.length <= MAX_PURPOSE_LENGTH ? line : [...line].slice(0, MAX_PURPOSE_LENGTH).join('');
}

/** The header decoded as one line of kept text, or null when absent or not percent-encoded UTF-8. */
function purposeLine(header: string | undefined | null): string | null {
  if (typeof header !== 'string') return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(header);
  } catch {
    return null;
  }
  return keptText(decoded.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' '));
}

/** The longest purpose a request may state, in characters once decoded. */
export const MAX_PURPOSE_LENGTH = 500;

/**
 * Why an `x-purpose` header cannot be taken as the request's purpose, or null when it can: text
 * sent unencoded (HTTP carries header bytes as Latin-1, so raw UTF-8 would be recorded garbled in the
 * disclosure logs), a broken encoding (a lone "%", a cut sequence), a bidirectional override (the
 * citizen would read the purpose in another order than it was written), or more than
 * MAX_PURPOSE_LENGTH characters once composed (recorded cut, it would no longer be what the caller
 * stated).
 */
export function purposeRefusal(header: string): string | null {
  if (/[^\x20-\x7e]/.test(header)) {
    return 'x-purpose phải được mã hoá phần trăm (percent-encoded): chữ có dấu gửi thẳng sẽ bị ghi sai. (x-purpose must be percent-encoded UTF-8 text: text sent as it is reaches the logs garbled.)';
  }
  const line = purposeLine(header);
  if (line === null) return 'x-purpose phải là văn bản UTF-8 mã hoá phần trăm. (x-purpose must be percent-encoded UTF-8 text.)';
  const unsafe = unsafeCharacter(line);
  if (unsafe) {
    return `x-purpose chứa ký tự đảo chiều ${unsafe}, khiến mục đích hiển thị sai thứ tự; hãy bỏ nó đi. (x-purpose holds a bidirectional-override character, ${unsafe}, which makes the purpose read out of order; remove it.)`;
  }
  if (characters(line) > MAX_PURPOSE_LENGTH) {
    return `x-purpose dài quá ${MAX_PURPOSE_LENGTH} ký tự. (x-purpose is longer than ${MAX_PURPOSE_LENGTH} characters.)`;
  }
  return null;
}

/**
 * Characters that show nothing: white space (line and paragraph separators among it), Unicode's
 * default-ignorable code points (zero-width spaces and joiners, direction marks, the soft hyphen,
 * variation selectors, Hangul fillers, tag characters) and the blank Braille pattern.
 */
const SHOWS_NOTHING = /[\s\p{Default_Ignorable_Code_Point}\u2800]/gu;

/**
 * Free text as kept: in Unicode's composed form (NFC, as Vietnamese is normally written, so that a
 * letter with its marks counts once), trimmed; empty when it holds nothing visible (SHOWS_NOTHING
 * alone).
 */
export function keptText(value: string): string {
  const text = value.normalize('NFC').trim();
  return text.replace(SHOWS_NOTHING, '') === '' ? '' : text;
}

/** Characters as people and PostgreSQL's char_length count them: code points, not UTF-16 units. */
export function characters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** `text` cut to at most `max` characters, ending in "…" when cut, never between the halves of a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const start = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(start) ? start.slice(0, -1) : start}…`;
}

/** A field's coordinate, `Type.field`, as text: what a grant, a consent, a record and a cursor name fields by. */
export const FIELD_COORDINATE_PATTERN = '[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*';
/** A whole string that is one field's coordinate. */
export const FIELD_COORDINATE = new RegExp(`^${FIELD_COORDINATE_PATTERN}$`);

/**
 * Characters free text kept in a ledger may not hold: C0 and C1 control characters other than tab
 * and line breaks (a bell, an escape), and the bidirectional overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069), which make a reason shown to another agency read in another order than it was
 * written. Returns a description of the first one found, or null.
 */
export function unsafeCharacter(text: string): string | null {
  const found = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.exec(text);
  if (!found) return null;
  return `U+${found[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0') ?? '?'}`;
}

/** ES2024's String.prototype.isWellFormed (Node 20 has it; this project's lib is ES2023). */
type WellFormedString = string & { isWellFormed(): boolean };

/**
 * True when `value` (a statement parameter, a value asked for) is or holds text PostgreSQL cannot
 * store as given: a NUL character (refused), or half of a UTF-16 surrogate pair (which would be
 * stored as U+FFFD, the text silently changed).
 */
export function holdsUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || !(value as WellFormedString).isWellFormed();
  return Array.isArray(value) && value.some(holdsUnstorableText);
}
