import { strict as assert } from 'node:assert';
import { confValue, parseConf, setConfValue } from '../../tools/confFile.js';

describe('confFile: parsing .conf text', () => {
  it('reads stanzas and settings, ignoring comments and blank lines', () => {
    const conf = parseConf('# comment\n[a]\nx = 1\n\n  # indented comment\ny=two words \n[b]\nz =\n');
    assert.equal(confValue(conf, 'a', 'x'), '1');
    assert.equal(confValue(conf, 'a', 'y'), 'two words');
    assert.equal(confValue(conf, 'b', 'z'), '');
    assert.deepEqual(conf.problems, []);
  });

  it('joins continued lines and keeps the newline, as splunkd does for multi-line searches', () => {
    const conf = parseConf('[s]\nsearch = index=x \\\n| stats count \\\n| head 1\nnext = 2\n');
    assert.equal(confValue(conf, 's', 'search'), 'index=x \n| stats count \n| head 1');
    assert.equal(confValue(conf, 's', 'next'), '2');
  });

  it('puts settings before the first header in the default stanza', () => {
    const conf = parseConf('k = v\n[x]\n');
    assert.equal(confValue(conf, 'default', 'k'), 'v');
    assert.equal(parseConf('[x]\n').stanzas.has('default'), false);
  });

  it('reports what AppInspect rejects: repeated stanzas and keys, whitespace after a continuation, stray lines', () => {
    const conf = parseConf('[a]\nx = 1\nx = 2\n[a]\ny = \\ \nz\nnot a setting\n');
    assert.equal(conf.problems.length, 4, conf.problems.join('; '));
    assert.match(conf.problems.join('\n'), /sets x more than once/);
    assert.match(conf.problems.join('\n'), /stanza \[a\] appears more than once/);
    assert.match(conf.problems.join('\n'), /whitespace after a line continuation/);
    assert.match(conf.problems.join('\n'), /neither a stanza/);
    assert.equal(confValue(conf, 'a', 'x'), '2', 'the last value wins');
  });

  it('accepts CRLF and a byte-order mark', () => {
    const conf = parseConf('\uFEFF[a]\r\nx = 1\r\n');
    assert.equal(confValue(conf, 'a', 'x'), '1');
  });
});

describe('confFile: editing one value', () => {
  const text = '# head\n[launcher]\nauthor = me\nversion = 0.0.1\n\n[id]\nname = app\nversion = 0.0.1\n';

  it('changes only the value of the key in the named stanza', () => {
    const out = setConfValue(text, 'id', 'version', '1.2.3');
    assert.equal(out, text.replace('name = app\nversion = 0.0.1', 'name = app\nversion = 1.2.3'));
  });

  it('adds a missing key at the end of its stanza, before the blank line', () => {
    const out = setConfValue(text, 'launcher', 'description', 'hi');
    assert.equal(out, text.replace('version = 0.0.1\n\n', 'version = 0.0.1\ndescription = hi\n\n'));
  });

  it('adds a missing stanza at the end of the file', () => {
    const out = setConfValue(text, 'ui', 'label', 'L');
    assert.equal(confValue(parseConf(out), 'ui', 'label'), 'L');
    assert.ok(out.startsWith(text));
  });

  it('keeps CRLF line endings', () => {
    const out = setConfValue('[id]\r\nversion = 1\r\n', 'id', 'version', '2');
    assert.equal(out, '[id]\r\nversion = 2\r\n');
  });

  it('does not touch a commented-out key', () => {
    const out = setConfValue('[id]\n# version = old\nversion = 1\n', 'id', 'version', '2');
    assert.equal(out, '[id]\n# version = old\nversion = 2\n');
  });
});
