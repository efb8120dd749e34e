import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { decodeXmlBytes, readXmlFrom } from '../../src/splunk/decodeStdin.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/splunk-sdk');
const fixture = (name: string) => readFileSync(resolve(FIXTURES, name));

const SAMPLE = '<input><server_host>fü😀</server_host></input>';

function utf16be(s: string): Buffer {
  return Buffer.from(s, 'utf16le').swap16();
}

describe('decodeXmlBytes', () => {
  it('decodes the UTF-16BE SDK fixtures (BOM) and drops their declaration', () => {
    const text = decodeXmlBytes(fixture('py_conf_with_2_inputs.xml'));
    assert.match(text, /^\n<input xmlns:xsi=/);
    assert.ok(!text.includes('\0'));
    assert.ok(text.includes('<param name="param1">value11</param>'));
  });

  it('decodes CRLF fixtures as UTF-8 although they declare utf-16, with LF line ends', () => {
    const raw = fixture('conf_with_2_inputs.xml');
    const text = decodeXmlBytes(raw);
    assert.match(text, /^\n<input /);
    assert.ok(!text.includes('\r'));
    const expected = raw
      .toString('utf8')
      .replace(/\r\n/g, '\n')
      .replace(/^<\?xml[^>]*\?>/, '');
    assert.equal(text, expected);
  });

  it('gives the same text for the UTF-16BE and the UTF-8 CRLF copy of a document', () => {
    assert.equal(decodeXmlBytes(fixture('py_validation.xml')).trim(), decodeXmlBytes(fixture('validation.xml')).trim());
  });

  it('recognises UTF-8 and UTF-16LE byte order marks', () => {
    assert.equal(decodeXmlBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE, 'utf8')])), SAMPLE);
    assert.equal(decodeXmlBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SAMPLE, 'utf16le')])), SAMPLE);
    assert.equal(decodeXmlBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(SAMPLE)])), SAMPLE);
  });

  it('recognises UTF-16 without a BOM from the NUL byte next to the opening <', () => {
    assert.equal(decodeXmlBytes(Buffer.from(SAMPLE, 'utf16le')), SAMPLE);
    assert.equal(decodeXmlBytes(utf16be(SAMPLE)), SAMPLE);
    const declared = `<?xml version="1.0" encoding="utf-16"?>\r\n${SAMPLE}`;
    assert.equal(decodeXmlBytes(utf16be(declared)), `\n${SAMPLE}`);
  });

  it('reads bytes without BOM or NULs as UTF-8, whatever the declaration says', () => {
    const doc = `<?xml version="1.0" encoding="ISO-8859-1"?>${SAMPLE}`;
    assert.equal(decodeXmlBytes(Buffer.from(doc, 'utf8')), SAMPLE);
  });

  it('normalises lone CR as well as CRLF to LF', () => {
    assert.equal(decodeXmlBytes(Buffer.from('<a>1\r2\r\n3\n</a>')), '<a>1\n2\n3\n</a>');
  });

  it('removes only a real XML declaration, not a processing instruction named xml-something', () => {
    assert.equal(decodeXmlBytes(Buffer.from('<?xml-stylesheet href="a"?><a/>')), '<?xml-stylesheet href="a"?><a/>');
    assert.equal(decodeXmlBytes(Buffer.from('  <?xml version="1.0"?><a/>')), '<a/>');
  });

  it('turns a dangling odd byte of UTF-16 into U+FFFD instead of throwing', () => {
    const cut = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be('<a>'), Buffer.from([0x00])]);
    assert.equal(decodeXmlBytes(cut), '<a>\uFFFD');
  });

  it('returns an empty string for empty input and for a lone BOM', () => {
    assert.equal(decodeXmlBytes(Buffer.alloc(0)), '');
    assert.equal(decodeXmlBytes(Buffer.from([0xef, 0xbb, 0xbf])), '');
    assert.equal(decodeXmlBytes(Buffer.from([0xfe, 0xff])), '');
  });
});

describe('readXmlFrom', () => {
  it('joins chunks before decoding, so a character split across chunks survives', async () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(SAMPLE)]);
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, 40), bytes.subarray(40)];
    assert.equal(await readXmlFrom(Readable.from(chunks)), SAMPLE);
  });
});
