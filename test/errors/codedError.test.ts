import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CodedError, errorCode, errorText } from '../../src/errors/codedError.js';
import { describeCode, ERROR_CODES } from '../../src/errors/errorCodes.js';
import { SettingsError } from '../../src/settings/settings.js';

describe('error model', () => {
  it('gives every code a cause and a fix', () => {
    for (const [code, text] of Object.entries(ERROR_CODES)) {
      assert.match(code, /^[a-z_]+$|^ERR_PROXY_[A-Z_]+$/, code);
      assert.ok(text.includes(':') && text.length > 30, `${code}: "${text}" does not say a cause and a fix`);
    }
  });

  it('defaults a message to the registry text, and adds details after it', () => {
    assert.equal(new CodedError('hec_redirect').message, ERROR_CODES.hec_redirect);
    assert.equal(describeCode('timeout', undefined, 'after 30 s', ''), `${ERROR_CODES.timeout}. after 30 s`);
  });

  it('reads the code for logs from a CodedError, else from a library error, else internal_error', () => {
    assert.equal(errorCode(new SettingsError([{ arg: 'workspace_gid', message: 'is required' }])), 'invalid_setting');
    assert.equal(errorCode(Object.assign(new Error('denied'), { code: 'EACCES' })), 'EACCES');
    assert.equal(errorCode(new Error('plain')), 'internal_error');
    assert.equal(errorCode('a string'), 'internal_error');
    assert.equal(errorText(new SettingsError([{ arg: 'workspace_gid', message: 'is required' }])), 'workspace_gid is required');
    assert.equal(errorText(42), '42');
  });

  it('names each error by its class', () => {
    assert.equal(new SettingsError([]).name, 'SettingsError');
  });

  it('registers every code a log line of src/ names literally', () => {
    const files = readdirSync('src', { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => path.join(e.parentPath, e.name))
      .filter((f) => !/src[/\\](mock|tools)[/\\]/.test(f));
    const named = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/[lL]ogger\.(?:error|warn|info|debug)\([^\n]*\{ code: '([A-Za-z_]+)'/g)) named.add(m[1] as string);
    }
    assert.ok(named.size >= 3, `found only ${[...named].join(', ')}`);
    assert.deepEqual([...named].filter((c) => !(c in ERROR_CODES)), []);
  });
});
