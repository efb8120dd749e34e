import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ARGS } from '../../src/settings/args.js';
import { SCHEME } from '../../src/splunk/inputXml.js';
import { parseSpecArgs, parseSpecEntries, specDefault, specDisagreements } from '../../src/splunk/specFile.js';

const SPEC_PATH = resolve(process.cwd(), 'README/inputs.conf.spec');
const spec = readFileSync(SPEC_PATH, 'utf8');

describe('README/inputs.conf.spec', () => {
  it('documents exactly the args of ARGS, in order', () => {
    assert.deepEqual(
      parseSpecArgs(spec, SCHEME),
      ARGS.map((a) => a.name),
    );
  });

  it('agrees with ARGS on every description, default and required flag', () => {
    assert.deepEqual(specDisagreements(spec, SCHEME, ARGS), []);
  });

  it('has the modular input stanza and a header comment, with LF line ends', () => {
    assert.match(spec, /^# /);
    assert.match(spec, /^\[asana_audit_log:\/\/<name>\]$/m);
    assert.ok(!spec.includes('\r'));
  });

  it('names a placeholder matching each arg type', () => {
    const byName = new Map(parseSpecEntries(spec, SCHEME).map((e) => [e.name, e]));
    for (const a of ARGS) assert.equal(byName.get(a.name)?.placeholder, `<${a.dataType}>`, a.name);
  });
});

describe('default/inputs.conf', () => {
  it('ships only the interval and sourcetype defaults for the scheme', () => {
    const conf = readFileSync(resolve(process.cwd(), 'default/inputs.conf'), 'utf8');
    const settings = conf.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    assert.deepEqual(settings, ['[asana_audit_log]', 'interval = 60', 'sourcetype = asana:audit']);
  });
});

describe('specDisagreements', () => {
  it('reports an arg missing from the spec', () => {
    const without = spec.replace(/^page_size = [\s\S]*?\n\n/m, '');
    assert.ok(without !== spec);
    assert.deepEqual(specDisagreements(without, SCHEME, ARGS), ['page_size: an arg missing from the spec']);
  });

  it('reports a setting that is not an arg', () => {
    const extra = `${spec}\nsocks_proxy = <string>\n* A proxy.\n`;
    assert.deepEqual(specDisagreements(extra, SCHEME, ARGS), ['socks_proxy: documented in the spec but not an arg']);
  });

  it('reports a changed default text', () => {
    const changed = spec.replace('* Default: 600', '* Default: 300');
    assert.ok(changed !== spec);
    assert.deepEqual(specDisagreements(changed, SCHEME, ARGS), ['max_requests_per_minute: spec default "300" but arg default "600"']);
  });

  it('reports a default the arg does not have, a changed description and a dropped Required', () => {
    const changed = spec
      .replace('* Optional.\n', '* Default: all\n')
      .replace('Events per request, 1 to 100.', 'Events per request.')
      .replace(/(token = <string>[\s\S]*?)\* Required when creating the input\.\n/, '$1');
    assert.deepEqual(specDisagreements(changed, SCHEME, ARGS), [
      'token: spec does not say it is required',
      'event_type: spec default "all" but arg default null',
      "page_size: description differs from the arg's",
    ]);
  });
});

describe('parseSpecEntries', () => {
  const text = [
    '# comment = not a setting',
    '[other://<name>]',
    'elsewhere = <string>',
    '',
    '[asana_audit_log://<name>]',
    '* About the stanza.',
    '',
    'first = <string>',
    '* Wrapped over',
    '  two lines.',
    '* Default: x y',
    'second=<number>',
    '',
    '[asana_audit_log]',
    'interval = 60',
  ].join('\r\n');

  it("reads only the scheme's stanza, joins wrapped bullets and tolerates CRLF", () => {
    assert.deepEqual(parseSpecEntries(text, 'asana_audit_log'), [
      { name: 'first', placeholder: '<string>', bullets: ['Wrapped over two lines.', 'Default: x y'] },
      { name: 'second', placeholder: '<number>', bullets: [] },
    ]);
    assert.deepEqual(parseSpecArgs(text, 'other'), ['elsewhere']);
  });

  it('finds the default bullet', () => {
    const [first, second] = parseSpecEntries(text, 'asana_audit_log');
    assert.equal(specDefault(first!), 'x y');
    assert.equal(specDefault(second!), undefined);
  });
});
