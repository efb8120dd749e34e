import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { hecSettingsFromFlags } from '../../src/cli/hecOptions.js';

const TOKEN = '9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d';

describe('HEC settings from poll flags and the environment', () => {
  it('takes the URL and token from the environment, with defaults for the rest', () => {
    const s = hecSettingsFromFlags(
      {},
      { SPLUNK_HEC_URL: 'https://http-inputs-acme.splunkcloud.com/services/collector/event/', SPLUNK_HEC_TOKEN: ` ${TOKEN}\n` },
      'acme',
    );
    assert.equal(s.url, 'https://http-inputs-acme.splunkcloud.com');
    assert.equal(s.token, TOKEN);
    assert.equal(s.ack, false);
    assert.equal(s.sourcetype, 'asana:audit');
    assert.equal(s.source, 'asana_audit_log://acme');
    assert.equal(s.host, os.hostname());
    assert.equal(s.index, undefined);
    assert.deepEqual([s.batchEvents, s.batchBytes], [500, 1_000_000]);
  });

  it('prefers flags and a token file over the environment', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hec-token-')), 'hec.token');
    fs.writeFileSync(file, `${TOKEN}\n`);
    const s = hecSettingsFromFlags(
      {
        hecUrl: 'https://splunk.example.com:8088',
        hecTokenFile: file,
        hecAck: true,
        index: 'asana',
        sourcetype: 'asana:audit:hec',
        host: 'vm1',
        hecBatchEvents: '50',
        hecBatchBytes: '20000',
      },
      { SPLUNK_HEC_URL: 'https://ignored.example.com', SPLUNK_HEC_TOKEN: 'ignored-token' },
      'acme',
    );
    assert.deepEqual(
      { url: s.url, token: s.token, ack: s.ack, index: s.index, sourcetype: s.sourcetype, host: s.host, batchEvents: s.batchEvents, batchBytes: s.batchBytes },
      {
        url: 'https://splunk.example.com:8088',
        token: TOKEN,
        ack: true,
        index: 'asana',
        sourcetype: 'asana:audit:hec',
        host: 'vm1',
        batchEvents: 50,
        batchBytes: 20_000,
      },
    );
  });

  it('names every bad setting by its flag, without echoing the token', () => {
    const bad = () =>
      hecSettingsFromFlags(
        { hecUrl: 'http://user:pw@splunk.example.com:8088', index: 'Main Index', hecBatchEvents: '0' },
        { SPLUNK_HEC_TOKEN: 'has space inside' },
        'acme',
      );
    assert.throws(bad, (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.match(e.message, /--hec-url must not carry credentials/);
      assert.match(e.message, /SPLUNK_HEC_TOKEN \/ --hec-token-file contains whitespace/);
      assert.match(e.message, /--index must be a Splunk index name/);
      assert.match(e.message, /--hec-batch-events must be a whole number from 1 to 100000/);
      assert.ok(!e.message.includes('has space inside') && !e.message.includes(':pw@'));
      return true;
    });
    assert.throws(
      () => hecSettingsFromFlags({ hecTokenFile: '/nonexistent/hec.token' }, {}, 'acme'),
      /: cannot read --hec-token-file \/nonexistent\/hec\.token \(ENOENT: no such file or directory, open '\/nonexistent\/hec\.token'\): name a readable file holding the HEC token, or set SPLUNK_HEC_TOKEN instead$/,
    );
  });

  it('takes the in-flight bounds, channels, proxy and CA bundle, and names a bad one by its flag without echoing a proxy password', () => {
    const env = { SPLUNK_HEC_URL: 'https://splunk.example.com:8088', SPLUNK_HEC_TOKEN: TOKEN };
    const defaults = hecSettingsFromFlags({}, env, 'acme');
    assert.deepEqual(
      [defaults.maxInFlightEvents, defaults.maxInFlightBytes, defaults.channels, defaults.proxyUrl, defaults.caBundle],
      [20_000, 32_000_000, 1, undefined, undefined],
    );
    const fromEnv = hecSettingsFromFlags(
      { hecChannels: '4', hecMaxInFlightEvents: '5000' },
      { ...env, SPLUNK_HEC_PROXY_URL: 'http://svc:s3cret@proxy.example.com:3128' },
      'acme',
    );
    assert.deepEqual([fromEnv.channels, fromEnv.maxInFlightEvents, fromEnv.proxyUrl], [4, 5000, 'http://svc:s3cret@proxy.example.com:3128']);

    const problems = (flags: Parameters<typeof hecSettingsFromFlags>[0], extraEnv: Record<string, string> = {}) => {
      try {
        hecSettingsFromFlags(flags, { ...env, ...extraEnv }, 'acme');
      } catch (e) {
        assert.ok(e instanceof InvalidArgumentError);
        return e.message;
      }
      return assert.fail('accepted');
    };
    assert.match(problems({ hecChannels: '17' }), /--hec-channels must be a whole number from 1 to 16/);
    assert.match(problems({ hecMaxInFlightEvents: '10' }), /--hec-max-in-flight-events must be a whole number from 100 to 1000000/);
    assert.match(problems({ hecProxy: 'socks5://proxy:1080' }), /--hec-proxy must start with http:\/\/ or https:\/\//);
    const badEnv = problems({}, { SPLUNK_HEC_PROXY_URL: 'http://svc:s3cret@proxy.example.com:3128/path' });
    assert.match(badEnv, /SPLUNK_HEC_PROXY_URL must be only scheme/);
    assert.ok(!badEnv.includes('s3cret'));
    assert.match(problems({ hecUrl: 'http://127.0.0.1:8088', hecProxy: 'http://proxy.example.com:3128' }), /--hec-proxy needs an https --hec-url/);
    assert.match(
      problems({ hecCaBundle: '/nonexistent/ca.pem' }),
      /--hec-ca-bundle is not usable: cannot read --hec-ca-bundle \/nonexistent\/ca.pem \(ENOENT\)/,
    );
  });
});
