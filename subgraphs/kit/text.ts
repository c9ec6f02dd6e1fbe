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
