type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * Picks the encoding from the bytes alone. The XML declaration is not trusted: splunkd sends UTF-8
 * while Splunk's own test documents declare utf-16, and some really are UTF-16BE with a BOM.
 * Without a BOM, UTF-16 is recognised because a document starts with `<` or whitespace, ASCII
 * characters whose UTF-16 form pairs them with a NUL byte; UTF-8 XML never contains a NUL.
 */
function sniffEncoding(buf: Buffer): { encoding: Encoding; bomLength: number } {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  if (buf.length >= 2 && buf[0] !== 0 && buf[1] === 0) return { encoding: 'utf-16le', bomLength: 0 };
  if (buf.length >= 2 && buf[0] === 0 && buf[1] !== 0) return { encoding: 'utf-16be', bomLength: 0 };
  return { encoding: 'utf-8', bomLength: 0 };
}

/**
 * Buffer's own codecs, not TextDecoder: Node builds without full ICU (possible in the `node`
 * Splunk ships) lack a UTF-16BE TextDecoder. A dangling odd byte becomes U+FFFD.
 */
function decodeUtf16(bytes: Buffer, bigEndian: boolean): string {
  const even = bytes.length - (bytes.length % 2);
  const units = Buffer.from(bytes.subarray(0, even)); // a copy: swap16 works in place
  if (bigEndian) units.swap16();
  return units.toString('utf16le') + (even < bytes.length ? '\uFFFD' : '');
}

/** The XML declaration, which may only open a document; `<?xml-stylesheet` is a different thing. */
const XML_DECLARATION = /^\s*<\?xml(?=[\s?])[\s\S]*?\?>/;

/**
 * Turns the bytes splunkd wrote on stdin into XML text a parser can take as is: decoded by BOM or
 * NUL pattern (UTF-8 otherwise, whatever the declaration claims), the declaration removed so no
 * parser acts on its `encoding`, line ends normalised to LF as XML prescribes. Invalid byte
 * sequences become U+FFFD rather than an exception; the XML parser judges the result.
 */
export function decodeXmlBytes(buf: Buffer): string {
  const { encoding, bomLength } = sniffEncoding(buf);
  const body = buf.subarray(bomLength);
  const text = encoding === 'utf-8' ? body.toString('utf8') : decodeUtf16(body, encoding === 'utf-16be');
  return text.replace(/\r\n?/g, '\n').replace(XML_DECLARATION, '');
}

/** Reads a whole stream (splunkd closes stdin after the document) and decodes it. */
export async function readXmlFrom(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  return decodeXmlBytes(Buffer.concat(chunks));
}
