/**
 * Characters XML 1.0 cannot carry at all, not even as `&#...;` references: C0 controls other than
 * tab, LF and CR, U+FFFE, U+FFFF and unpaired surrogates.
 */
const XML_ILLEGAL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this regex's job.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const XML_ILLEGAL_ONE = new RegExp(XML_ILLEGAL.source);

/** True when every character of `s` may appear in an XML 1.0 document. */
export function isXmlSafe(s: string): boolean {
  return !XML_ILLEGAL_ONE.test(s);
}

const TEXT_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  // `>` is escaped everywhere so `]]>` can never appear in output text.
  '>': '&gt;',
  // A raw CR would be turned into LF by any XML parser's end-of-line handling.
  '\r': '&#13;',
};

const ATTR_ESCAPES: Record<string, string> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  "'": '&apos;',
  // Attribute-value normalisation would turn raw tab and LF into spaces.
  '\t': '&#9;',
  '\n': '&#10;',
};

/**
 * Escapes `s` for use as element text. Characters XML cannot carry are replaced by U+FFFD
 * (lossy by necessity); use `toXmlSafeJson` first when the text must survive exactly.
 */
export function escapeXmlText(s: string): string {
  return s.replace(XML_ILLEGAL, '\uFFFD').replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

/** Escapes `s` for use inside a double- or single-quoted attribute value. Same lossy rule. */
export function escapeXmlAttr(s: string): string {
  return s.replace(XML_ILLEGAL, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ATTR_ESCAPES[c] ?? c);
}

/**
 * Rewrites every character XML cannot carry as a JSON `\uXXXX` escape. In valid JSON such a
 * character can only sit inside a string literal (JSON whitespace is space, tab, LF and CR), where
 * the escape means the very same UTF-16 code unit, so `JSON.parse` of the result equals
 * `JSON.parse` of the input. `JSON.stringify` already escapes C0 controls and lone surrogates;
 * U+FFFE and U+FFFF it leaves raw, and those are what this mainly catches.
 */
export function toXmlSafeJson(json: string): string {
  return json.replace(XML_ILLEGAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
