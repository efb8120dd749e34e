import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeXmlBytes } from '../../src/splunk/decodeStdin.js';
import { inputNameOf, parseRunInput, parseValidationInput, SplunkXmlError, type RunInput, type SplunkXmlErrorCode } from '../../src/splunk/inputXml.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/splunk-sdk');
const fixtureText = (name: string) => decodeXmlBytes(readFileSync(resolve(FIXTURES, name)));

const SECRET = 'sEcReT-KeY-0123456789';

function doc(inner: string, fields: Partial<Record<'server_host' | 'server_uri' | 'session_key' | 'checkpoint_dir', string>> = {}): string {
  const f = { server_host: 'sh1', server_uri: 'https://127.0.0.1:8089', session_key: SECRET, checkpoint_dir: '/opt/ckpt', ...fields };
  const head = Object.entries(f)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('\n');
  return `<input>\n${head}\n<configuration>${inner}</configuration>\n</input>`;
}

function expectXmlError(fn: () => unknown, code: SplunkXmlErrorCode): SplunkXmlError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SplunkXmlError, `expected a SplunkXmlError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(!e.message.includes(SECRET), `the message leaks the session key: ${e.message}`);
    assert.ok(!e.message.includes('\n'), 'the message is one line');
    return e;
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}

const TWO_INPUTS: RunInput = {
  serverHost: 'tiny',
  serverUri: 'https://127.0.0.1:8089',
  sessionKey: '123102983109283019283',
  checkpointDir: '/some/dir',
  stanzas: [
    { name: 'foobar://aaa', params: { param1: 'value1', param2: 'value2', disabled: '0', index: 'default' }, paramLists: {} },
    {
      name: 'foobar://bbb',
      params: { param1: 'value11', param2: 'value22', disabled: '0', index: 'default' },
      paramLists: { multiValue: ['value1', 'value2'], multiValue2: ['value3', 'value4'] },
    },
  ],
};

describe('parseRunInput / parseValidationInput on the Splunk SDK fixtures', () => {
  it('parses every fixture that is an input or validation document, and rejects the others by root', () => {
    const parsed: string[] = [];
    for (const name of readdirSync(FIXTURES).sort()) {
      const text = fixtureText(name);
      const root = /^\s*(?:<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.-]*)/.exec(text)?.[1];
      if (root === 'input') {
        parseRunInput(text);
        parsed.push(name);
        expectXmlError(() => parseValidationInput(text), 'xml_unexpected_root');
      } else if (root === 'items') {
        parseValidationInput(text);
        parsed.push(name);
        expectXmlError(() => parseRunInput(text), 'xml_unexpected_root');
      } else {
        expectXmlError(() => parseRunInput(text), 'xml_unexpected_root');
      }
    }
    assert.deepEqual(parsed, [
      'conf_with_0_inputs.xml',
      'conf_with_2_inputs.xml',
      'conf_with_5_inputs.xml',
      'conf_with_invalid_inputs.xml',
      'py_conf_with_0_inputs.xml',
      'py_conf_with_2_inputs.xml',
      'py_conf_with_invalid_inputs.xml',
      'py_validation.xml',
      'validation.xml',
    ]);
  });

  it('reads two stanzas with params and param lists from the CRLF fixture', () => {
    assert.deepEqual(parseRunInput(fixtureText('conf_with_2_inputs.xml')), TWO_INPUTS);
  });

  it('reads the UTF-16BE fixture to the same result (its extra app attribute is ignored)', () => {
    assert.deepEqual(parseRunInput(fixtureText('py_conf_with_2_inputs.xml')), TWO_INPUTS);
  });

  it('gives zero stanzas for an empty <configuration/>', () => {
    assert.deepEqual(parseRunInput(fixtureText('conf_with_0_inputs.xml')).stanzas, []);
    assert.deepEqual(parseRunInput(fixtureText('py_conf_with_0_inputs.xml')).stanzas, []);
  });

  it('keeps five stanzas in document order', () => {
    const names = parseRunInput(fixtureText('conf_with_5_inputs.xml')).stanzas.map((s) => s.name);
    assert.deepEqual(names, ['foobar://aaa', 'foobar://bbb', 'foobar://ccc', 'foobar://ddd', 'foobar://eee']);
  });

  it('ignores unknown elements inside a stanza', () => {
    for (const name of ['conf_with_invalid_inputs.xml', 'py_conf_with_invalid_inputs.xml']) {
      const input = parseRunInput(fixtureText(name));
      assert.deepEqual(input.stanzas, [{ name: 'foobar://aaa', params: { disabled: '0', index: 'default' }, paramLists: {} }]);
      assert.equal(input.checkpointDir, '/opt/splunk/var/lib/splunk/modinputs');
    }
  });

  it('reads the validation item, ignoring the comment before it', () => {
    for (const name of ['validation.xml', 'py_validation.xml']) {
      assert.deepEqual(parseValidationInput(fixtureText(name)), {
        serverHost: 'tiny',
        serverUri: 'https://127.0.0.1:8089',
        sessionKey: '123102983109283019283',
        checkpointDir: '/opt/splunk/var/lib/splunk/modinputs',
        item: {
          name: 'aaa',
          params: { param1: 'value1', param2: 'value2', disabled: '0', index: 'default' },
          paramLists: { multiValue: ['value1', 'value2'], multiValue2: ['value3', 'value4'] },
        },
      });
    }
  });
});

describe('parameter values', () => {
  it('are kept exactly, surrounding spaces included, with XML entities and character references decoded', () => {
    const input = parseRunInput(
      doc(
        '<stanza name="asana_audit_log://a&amp;b">' +
          '<param name="spaced">  two  words </param>' +
          '<param name="entities">&lt;&gt;&amp;&quot;&apos; &amp;lt; &#x1F600;&#233;&#13;</param>' +
          '<param name="cdata"><![CDATA[<not> &a; tag]]></param>' +
          '<param name="empty"></param><param name="selfclosed"/>' +
          '<param name="multiline">a\n  b</param>' +
          '<param_list name="l"><value> x </value><value/></param_list>' +
          '</stanza>',
      ),
    );
    assert.deepEqual(input.stanzas[0], {
      name: 'asana_audit_log://a&b',
      params: {
        spaced: '  two  words ',
        entities: '<>&"\' &lt; 😀é\r',
        cdata: '<not> &a; tag',
        empty: '',
        selfclosed: '',
        multiline: 'a\n  b',
      },
      paramLists: { l: [' x ', ''] },
    });
  });

  it('stay strings even when they look like numbers or booleans', () => {
    const { params } = parseRunInput(doc('<stanza name="s://n"><param name="n">007</param><param name="b">true</param></stanza>')).stanzas[0]!;
    assert.deepEqual(params, { n: '007', b: 'true' });
  });

  it('cannot reach an object prototype through a param named __proto__', () => {
    const { params } = parseRunInput(doc('<stanza name="s://n"><param name="__proto__">x</param></stanza>')).stanzas[0]!;
    assert.equal(Object.getPrototypeOf(params), Object.prototype);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('keeps the session key as sent, for the caller to use', () => {
    assert.equal(parseRunInput(doc('')).sessionKey, SECRET);
  });
});

describe('documents splunkd would never send', () => {
  const full = doc('<stanza name="asana_audit_log://acme"><param name="workspace_gid">123</param></stanza>');

  it('empty or blank stdin is xml_empty and says how to run by hand', () => {
    for (const text of ['', '   \n\t ', '\uFEFF']) {
      const e = expectXmlError(() => parseRunInput(text), 'xml_empty');
      assert.match(e.message, /splunkd sent no input XML on stdin.*asana-audit-log poll/);
    }
    expectXmlError(() => parseValidationInput(''), 'xml_empty');
  });

  it('a document cut at any point is xml_malformed', () => {
    for (let cut = 1; cut < full.length - 1; cut += 7) {
      const text = full.slice(0, cut);
      if (text.trim() === '') continue;
      expectXmlError(() => parseRunInput(text), 'xml_malformed');
    }
  });

  it('mismatched tags, bare ampersands, undefined entities and illegal character references are xml_malformed', () => {
    expectXmlError(() => parseRunInput('<input><server_host>h</server_uri></input>'), 'xml_malformed');
    expectXmlError(() => parseRunInput(doc('', { session_key: 'a & b' })), 'xml_malformed');
    expectXmlError(() => parseRunInput(doc('', { server_host: '&nbsp;' })), 'xml_malformed');
    expectXmlError(() => parseRunInput(doc('', { server_host: '&#1;' })), 'xml_malformed');
    expectXmlError(() => parseRunInput('<input/><input/>'), 'xml_malformed');
    expectXmlError(() => parseRunInput('just text'), 'xml_malformed');
  });

  it('a DTD declaring entities is refused', () => {
    const e = expectXmlError(() => parseRunInput('<!DOCTYPE input [<!ENTITY e "x">]><input>&e;</input>'), 'xml_malformed');
    assert.match(e.message, /entity declarations/);
  });

  it('a foreign root is xml_unexpected_root, and the other mode is pointed at', () => {
    assert.match(expectXmlError(() => parseRunInput('<scheme/>'), 'xml_unexpected_root').message, /expected <input>.*got <scheme>/);
    assert.match(expectXmlError(() => parseRunInput('<items/>'), 'xml_unexpected_root').message, /--validate-arguments/);
    assert.match(expectXmlError(() => parseValidationInput(full), 'xml_unexpected_root').message, /without --validate-arguments/);
  });

  it('a missing or empty server field is xml_missing_field naming the element', () => {
    const noKey = full.replace(/<session_key>.*<\/session_key>/, '');
    assert.match(expectXmlError(() => parseRunInput(noKey), 'xml_missing_field').message, /<session_key> is missing/);
    const emptyDir = doc('', { checkpoint_dir: '' });
    assert.match(expectXmlError(() => parseRunInput(emptyDir), 'xml_missing_field').message, /<checkpoint_dir> is empty/);
  });

  it('a stanza or param without a name is xml_missing_field', () => {
    assert.match(
      expectXmlError(() => parseRunInput(doc('<stanza><param name="a">1</param></stanza>')), 'xml_missing_field').message,
      /<stanza> #1 name attribute is missing/,
    );
    expectXmlError(() => parseRunInput(doc('<stanza name="s://x"><param>1</param></stanza>')), 'xml_missing_field');
  });

  it('a repeated server field is xml_malformed', () => {
    const twice = full.replace('<server_host>sh1</server_host>', '<server_host>a</server_host><server_host>b</server_host>');
    assert.match(expectXmlError(() => parseRunInput(twice), 'xml_malformed').message, /<server_host> is repeated/);
  });

  it('a validation document needs exactly one <item>', () => {
    const items = (inner: string) =>
      `<items><server_host>h</server_host><server_uri>u</server_uri><session_key>${SECRET}</session_key><checkpoint_dir>/c</checkpoint_dir>${inner}</items>`;
    expectXmlError(() => parseValidationInput(items('')), 'xml_missing_field');
    expectXmlError(() => parseValidationInput(items('<item name="a"/><item name="b"/>')), 'xml_malformed');
    assert.equal(parseValidationInput(items('<item name="a"/>')).item.name, 'a');
  });

  it('never quotes the session key, even when the parser trips over it', () => {
    for (const key of [`${SECRET}<tail`, `<${SECRET}>`, `${SECRET}&x`, `${SECRET}</tail>`, `tail ${SECRET}<!-- open`]) {
      const text = doc('', { session_key: key });
      let message = '';
      try {
        parseRunInput(text);
      } catch (e) {
        message = (e as Error).message;
      }
      assert.notEqual(message, '', `expected ${JSON.stringify(key)} to be rejected`);
      assert.ok(!message.includes(SECRET) && !message.includes('tail'), message);
    }
  });
});

describe('inputNameOf', () => {
  it('takes the name after the scheme', () => {
    assert.equal(inputNameOf('asana_audit_log://acme'), 'acme');
    assert.equal(inputNameOf('asana_audit_log://a://b c'), 'a://b c');
    assert.equal(inputNameOf('foobar://aaa', 'foobar'), 'aaa');
  });

  it('refuses another scheme or an empty name', () => {
    for (const stanza of ['foobar://aaa', 'asana_audit_log', 'asana_audit_log://', 'asana_audit_log://  ', 'xasana_audit_log://a']) {
      assert.throws(
        () => inputNameOf(stanza),
        (e: unknown) => e instanceof SplunkXmlError && /asana_audit_log:\/\/<name>/.test(e.message),
      );
    }
  });
});
