import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CodedError, errorCode, errorText } from '../../src/errors/codedError.js';
import { AsanaApiError } from '../../src/asana/asanaApiError.js';
import { CheckpointCorruptError } from '../../src/collector/checkpointStore.js';
import { ASANA_API_URL, causeAndFix, describeCode, ERROR_CODES, type ErrorCode } from '../../src/errors/errorCodes.js';
import { FLAG_NAMES, SETTING_NAMES } from '../../src/errors/naming.js';
import { SettingsError } from '../../src/settings/settings.js';

describe('error model', () => {
  it('gives every code a cause and a fix, in setting names and in flag names', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      assert.match(code, /^[a-z_]+$|^ERR_PROXY_[A-Z_]+$/, code);
      for (const names of [SETTING_NAMES, FLAG_NAMES]) {
        const text = causeAndFix(code, names, 'http://127.0.0.1:9/api/1.0');
        assert.ok(text.includes(':') && text.length > 30, `${code}: "${text}" does not say a cause and a fix`);
      }
    }
  });

  it('says a code in flag names without any setting name, and in setting names without any flag', () => {
    const settingWords = /input's token|workspace_gid|api_base_url|ca_bundle|max_requests_per_minute|start_at/;
    const flagWords = /ASANA_TOKEN|--workspace|--base-url|--ca-bundle|--max-requests-per-minute|--start-at/;
    const named = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => typeof ERROR_CODES[c] === 'function');
    assert.ok(named.length >= 8, named.join(', '));
    for (const code of named) {
      const target = 'http://127.0.0.1:9/api/1.0';
      assert.doesNotMatch(causeAndFix(code, FLAG_NAMES, target), settingWords, code);
      assert.doesNotMatch(causeAndFix(code, SETTING_NAMES, target), flagWords, code);
    }
  });

  it('defaults a message to the registry text in setting names, and adds details after it', () => {
    assert.equal(new CodedError('hec_redirect').message, ERROR_CODES.hec_redirect);
    assert.equal(new CodedError('not_found').message, causeAndFix('not_found', SETTING_NAMES));
    assert.equal(describeCode('timeout', undefined, 'after 30 s', ''), `${causeAndFix('timeout')}. after 30 s`);
    assert.match(causeAndFix('timeout'), new RegExp(`at ${ASANA_API_URL.replace(/\./g, '\\.')}:`));
  });

  it('describes one error in the words of the context that shows it: settings for the modular input, flags for the CLI', () => {
    const e = new AsanaApiError({ code: 'not_found', status: 404, retryable: false, detail: 'HTTP 404' });
    assert.equal(e.message, 'the organization was not found (404): set workspace_gid to the Domain ID from Admin console > Settings. HTTP 404');
    assert.equal(e.describe(SETTING_NAMES), e.message);
    assert.equal(e.describe(FLAG_NAMES), 'the organization was not found (404): set --workspace to the Domain ID from Admin console > Settings. HTTP 404');
    assert.equal(errorText(e, FLAG_NAMES), e.describe(FLAG_NAMES));
    assert.equal(errorText(e), e.message);
    const corrupt = new CheckpointCorruptError('/x/acme.checkpoint', 'asana-audit-log checkpoint reset --file /x/acme.checkpoint');
    assert.match(corrupt.message, /over from start_at /);
    assert.match(errorText(corrupt, FLAG_NAMES), /over from --start-at /);
    // A message without a naming reads the same everywhere.
    assert.equal(new CodedError('hec_redirect', 'plain text').describe(FLAG_NAMES), 'plain text');
  });

  it("names the URL that was tried, and Asana's own only when that was it", () => {
    const local = new AsanaApiError({ code: 'network_error', retryable: true, target: 'http://127.0.0.1:8089/api/1.0' });
    assert.match(
      local.describe(FLAG_NAMES),
      /^Asana could not be reached at http:\/\/127\.0\.0\.1:8089\/api\/1\.0: check --base-url, and DNS, firewall and proxy settings for 127\.0\.0\.1:8089;/,
    );
    assert.match(local.message, /check api_base_url, and/);
    const asana = new AsanaApiError({ code: 'network_error', retryable: true });
    assert.match(
      asana.message,
      /^Asana could not be reached at https:\/\/app\.asana\.com\/api\/1\.0: check DNS, firewall and proxy settings for app\.asana\.com;/,
    );
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
    assert.deepEqual(
      [...named].filter((c) => !(c in ERROR_CODES)),
      [],
    );
  });
});
