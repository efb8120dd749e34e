import fc from 'fast-check';

/** Code units picked to hit every escaping rule: markup, CDATA end, CR, controls, non-characters, surrogates. */
export const nastyUnit = fc.oneof(
  fc.constantFrom('<', '>', '&', '"', "'", ']]>', '</data>', '&amp;', '\r', '\n', '\t', '\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\u2028'),
  fc.constantFrom('\uFFFE', '\uFFFF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '😀', '\uD83D\uDE00'),
  fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
export const nastyString = fc.string({ unit: nastyUnit, maxLength: 40 });

/** XML 1.0's Char production, written out independently of the code under test. */
export function allXmlChars(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) return false;
  }
  return true;
}

/** Strings every character of which XML can carry. */
export const legalString = fc.string({ unit: nastyUnit.filter(allXmlChars), maxLength: 40 }).filter(allXmlChars);
