import assert from 'node:assert/strict';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { escapeXmlAttr, escapeXmlText, isXmlSafe, toXmlSafeJson } from '../../src/splunk/xmlEscape.js';
import { allXmlChars, legalString, nastyString } from './nastyStrings.js';

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false, htmlEntities: true });

function textRoundTrip(escaped: string): string {
  const xml = `<r>${escaped}</r>`;
  assert.equal(XMLValidator.validate(xml), true);
  assert.ok(allXmlChars(xml));
  return String((parser.parse(xml) as { r: unknown }).r ?? '');
}

describe('escapeXmlText', () => {
  it('escapes markup, the CDATA terminator and CR', () => {
    assert.equal(escapeXmlText('a<b>&c ]]> d\r\n'), 'a&lt;b&gt;&amp;c ]]&gt; d&#13;\n');
  });

  it('replaces characters XML cannot carry with U+FFFD', () => {
    assert.equal(escapeXmlText('a\u0000b\uFFFFc\uD800d\uDC00e😀'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe😀');
  });

  it('round-trips any XML-legal text through a real XML parser', () => {
    fc.assert(
      fc.property(legalString, (s) => {
        assert.equal(textRoundTrip(escapeXmlText(s)), s);
      }),
      { numRuns: 300 },
    );
  });

  it('always produces text XML can carry, whatever the input', () => {
    fc.assert(
      fc.property(nastyString, (s) => {
        assert.ok(allXmlChars(escapeXmlText(s)));
        assert.equal(isXmlSafe(escapeXmlText(s)), true);
        assert.equal(isXmlSafe(s), allXmlChars(s));
      }),
      { numRuns: 300 },
    );
  });
});

describe('escapeXmlAttr', () => {
  it('escapes both quote kinds and keeps tab, LF and CR from attribute normalisation', () => {
    assert.equal(escapeXmlAttr(`"'<>&\t\n\r`), '&quot;&apos;&lt;&gt;&amp;&#9;&#10;&#13;');
  });

  it('round-trips through a real XML parser', () => {
    fc.assert(
      fc.property(legalString, (s) => {
        const xml = `<r a="${escapeXmlAttr(s)}" b='${escapeXmlAttr(s)}'/>`;
        assert.equal(XMLValidator.validate(xml), true);
        const r = (parser.parse(xml) as { r: Record<string, string> }).r;
        assert.equal(r['@_a'], s);
        assert.equal(r['@_b'], s);
      }),
      { numRuns: 300 },
    );
  });
});

describe('toXmlSafeJson', () => {
  it('rewrites U+FFFE, U+FFFF and lone surrogates as JSON escapes', () => {
    assert.equal(toXmlSafeJson('"a\uFFFFb\uFFFE\uD800"'), '"a\\uffffb\\ufffe\\ud800"');
  });

  it('leaves JSON that XML can already carry untouched', () => {
    const json = JSON.stringify({ a: 'émoji 😀 <&>', b: [1, null, true] });
    assert.equal(toXmlSafeJson(json), json);
  });

  it('gives JSON that parses to the same value and that XML can carry, for any string', () => {
    fc.assert(
      fc.property(nastyString, (s) => {
        const safe = toXmlSafeJson(JSON.stringify({ [s]: s }));
        assert.ok(allXmlChars(safe));
        assert.deepEqual(JSON.parse(safe), { [s]: s });
      }),
      { numRuns: 500 },
    );
  });
});
