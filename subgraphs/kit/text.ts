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
 * HTTP): decoded, control characters (a NUL, a line break) turned into spaces, at most 500
 * characters. Null when empty or not readable: a purpose is one line of text, and it is written to
 * the disclosure logs as such.
 */
export function decodePurpose(header: string | undefined | null): string | null {
  if (typeof header !== 'string' || header.trim() === '') return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(header);
  } catch {
    return null;
  }
  const purpose = decoded.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 500);
  return purpose === '' ? null : purpose;
}

/** False for an `x-purpose` header that is not percent-encoded UTF-8 (a lone "%", a broken sequence). */
export function isReadablePurpose(header: string): boolean {
  try {
    decodeURIComponent(header);
    return true;
  } catch {
    return false;
  }
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
