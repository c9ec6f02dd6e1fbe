import { decodePurpose, purposeRefusal } from './text';

describe('the purpose a caller states (x-purpose)', () => {
  it('is no purpose when it shows nothing: spaces, zero-width characters, a byte-order mark, controls', () => {
    const invisibles = ['', ' ', '\u200b', '\u200b\u200c\u200d', '\u2060', '\ufeff', '\u00a0', '\u0000\n\t', '\u0085', '\u2028\u2029'];
    // Direction marks, the soft hyphen, fillers, a variation selector, a tag character, the blank Braille pattern.
    invisibles.push('\u200e', '\u200f', '\u061c', '\u00ad', '\u034f', '\u2061', '\u180e', '\u3164', '\uffa0', '\ufe0f', '\u{e0020}', '\u2800');
    // Annotation marks, a format control, private use, the object replacement character, a lone combining mark: no letter, no digit.
    invisibles.push('\ufff9\ufffa\ufffb', '\u{13430}', '\ue000', '\u{f0000}', '\ufffc', '\u0301', '-.');
    for (const invisible of invisibles) {
      expect({ invisible, purpose: decodePurpose(encodeURIComponent(invisible)) }).toEqual({ invisible, purpose: null });
      expect({ invisible, refusal: purposeRefusalOf(invisible) }).toEqual({ invisible, refusal: null });
    }
  });

  it('is one line: line and paragraph separators become spaces', () => {
    expect(decodePurpose(encodeURIComponent('Khám\u2028bệnh\u2029ngoại trú'))).toBe('Khám bệnh ngoại trú');
  });

  it('is kept composed (NFC), so that a Vietnamese letter counts once however it was typed', () => {
    const decomposed = 'Khám bệnh'.normalize('NFD');
    expect(decodePurpose(encodeURIComponent(decomposed))).toBe('Khám bệnh'.normalize('NFC'));
    const long = 'e\u0301'.repeat(300); // 300 letters é, 600 code points
    expect(purposeRefusalOf(long)).toBeNull();
    expect(decodePurpose(encodeURIComponent(long))).toBe('é'.repeat(300));
    expect(purposeRefusalOf('é'.repeat(501))).toContain('longer than 500 characters');
  });

  it('is refused when it holds a bidirectional override, which would show the citizen another text', () => {
    for (const override of ['\u202eKhám bệnh', 'Khám \u2066bệnh']) expect(purposeRefusalOf(override)).toContain('bidirectional-override');
  });
});

function purposeRefusalOf(text: string): string | null {
  return purposeRefusal(encodeURIComponent(text));
}
