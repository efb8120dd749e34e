/**
 * Finds where each element of a page's top-level `data` array starts and ends in the body text,
 * so every event can be delivered as the exact text Asana sent: a parse and re-serialise would
 * round big integers (12345678901234567890), drop digits (1.10 → 1.1) and collapse duplicate
 * keys, and JSON.stringify recurses, so a deeply nested event would overflow the stack.
 *
 * The text must already be known to be valid JSON (JSON.parse accepted it): the scanner only
 * finds boundaries, it does not validate. It never recurses, so nesting depth costs nothing.
 * With duplicate `data` keys the last one counts, as it does for JSON.parse.
 */
export function dataElementSpans(text: string): Array<[start: number, end: number]> | undefined {
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipWhitespace(text, i + 1);
  let spans: Array<[number, number]> | undefined;
  while (text.charCodeAt(i) === QUOTE) {
    const keyEnd = skipString(text, i);
    const key = keyText(text, i, keyEnd);
    i = skipWhitespace(text, keyEnd);
    i = skipWhitespace(text, i + 1); // the colon
    if (key === 'data' && text.charCodeAt(i) === OPEN_BRACKET) {
      const found: Array<[number, number]> = [];
      i = skipWhitespace(text, i + 1);
      while (text.charCodeAt(i) !== CLOSE_BRACKET) {
        const end = skipValue(text, i);
        found.push([i, end]);
        i = skipWhitespace(text, end);
        if (text.charCodeAt(i) === COMMA) i = skipWhitespace(text, i + 1);
      }
      spans = found;
      i++;
    } else {
      i = skipValue(text, i);
    }
    i = skipWhitespace(text, i);
    if (text.charCodeAt(i) === COMMA) i = skipWhitespace(text, i + 1);
  }
  return spans;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** `i` at the opening quote; returns the index after the closing one. */
function skipString(text: string, i: number): number {
  let at = i + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return text.length;
    // The quote ends the string unless an odd number of backslashes escapes it.
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

function keyText(text: string, start: number, end: number): string {
  const inner = text.slice(start + 1, end - 1);
  return inner.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : inner;
}

/** `i` at the first character of a value; returns the index after its last one. */
function skipValue(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return skipString(text, i);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i = skipString(text, i);
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      } else if (Number.isNaN(c)) return text.length;
      i++;
    }
  }
  // A number, true, false or null: up to the next delimiter.
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || Number.isNaN(c)) return i;
    i++;
  }
}
