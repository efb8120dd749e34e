import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type tls from 'node:tls';
import { entryId, SplunkCredentialStore, SplunkdError } from '../../src/splunk/credentialStore.js';
import { confValue, splunkdTrust, sslRootCaPath } from '../../src/splunk/splunkdTrust.js';
import { startMockSplunkd, type MockSplunkd } from '../../src/mock/splunkd.js';
import { tempDir } from '../support/splunkdHarness.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';

const KEY = 'sk-credstore-3f9a1c77e0b2';
const REALM = 'TA-asana-audit-log';
const APP = 'TA-asana-audit-log';

/** A $SPLUNK_HOME laid out as Splunk's: etc/auth/cacert.pem and, optionally, server.conf. */
function splunkHome(opts: { cacert?: string; serverConf?: { layer: 'local' | 'default'; text: string } } = {}): string {
  const home = tempDir('splunk-home-');
  if (opts.cacert !== undefined) {
    fs.mkdirSync(path.join(home, 'etc', 'auth'), { recursive: true });
    fs.writeFileSync(path.join(home, 'etc', 'auth', 'cacert.pem'), opts.cacert);
  }
  if (opts.serverConf) {
    fs.mkdirSync(path.join(home, 'etc', 'system', opts.serverConf.layer), { recursive: true });
    fs.writeFileSync(path.join(home, 'etc', 'system', opts.serverConf.layer, 'server.conf'), opts.serverConf.text);
  }
  return home;
}

async function rejection(p: Promise<unknown>): Promise<SplunkdError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SplunkdError, String(e));
    assert.ok(!e.message.includes(KEY) && !String(e.stack).includes(KEY), 'no session key in the error');
    return e;
  }
  assert.fail('the call succeeded');
}

describe('SplunkCredentialStore against a mock splunkd over https with its own CA', function () {
  this.timeout(20_000);
  let splunkCa: TestCa;
  let splunkd: MockSplunkd;

  before(async () => {
    splunkCa = makeTestCa('SplunkCommonCA');
    // Like splunkd's default certificate: signed by Splunk's CA, naming no host.
    splunkd = await startMockSplunkd({ sessionKey: KEY, tls: splunkCa.issue({ commonName: 'SplunkServerDefaultCert' }) });
  });
  after(() => splunkd.close());
  beforeEach(() => splunkd.entries.clear());

  const store = (env: NodeJS.ProcessEnv, sessionKey = KEY, uri = splunkd.uri) =>
    new SplunkCredentialStore({ serverUri: uri, sessionKey, app: APP, trust: splunkdTrust(env), timeoutMs: 5_000 });

  it('trusts $SPLUNK_HOME/etc/auth/cacert.pem for a loopback server_uri, then creates, reads and updates one entry', async () => {
    const s = store({ SPLUNK_HOME: splunkHome({ cacert: splunkCa.caPem }) });
    assert.equal(await s.read(REALM, 'acme'), undefined);
    assert.equal(await s.write(REALM, 'acme', 'first'), 'created');
    assert.equal(await s.read(REALM, 'acme'), 'first');
    assert.equal(await s.write(REALM, 'acme', 'second'), 'updated');
    assert.equal(await s.read(REALM, 'acme'), 'second');
    assert.deepEqual([...splunkd.entries.keys()], [`${REALM}:acme:`], 'one entry, never two');
    await s.editInput('asana_audit_log', 'acme', { token: '********' });
    assert.deepEqual(splunkd.inputEdits.at(-1), { app: APP, name: 'acme', fields: { token: '********' } });
  });

  it('prefers the sslRootCAPath that server.conf names, with $SPLUNK_HOME expanded', async () => {
    const wrong = makeTestCa('Unrelated CA');
    const home = splunkHome({
      cacert: wrong.caPem,
      serverConf: { layer: 'local', text: '[general]\nserverName = x\n\n[sslConfig]\nsslRootCAPath = $SPLUNK_HOME/etc/auth/mine/ca.pem\n' },
    });
    fs.mkdirSync(path.join(home, 'etc', 'auth', 'mine'), { recursive: true });
    fs.writeFileSync(path.join(home, 'etc', 'auth', 'mine', 'ca.pem'), splunkCa.caPem);
    assert.equal(sslRootCaPath(home), path.join(home, 'etc', 'auth', 'mine', 'ca.pem'));
    assert.equal(await store({ SPLUNK_HOME: home }).write(REALM, 'acme', 'x'), 'created');
  });

  it('refuses a splunkd whose certificate does not chain to the trusted CA, naming the step and the CA it tried', async () => {
    const other = makeTestCa('Unrelated CA');
    const e = await rejection(store({ SPLUNK_HOME: splunkHome({ cacert: other.caPem }) }).write(REALM, 'acme', 'x'));
    assert.equal(e.code, 'splunkd_tls');
    assert.match(
      e.message,
      /splunkd's certificate at https:\/\/127\.0\.0\.1:\d+ failed verification while creating the entry in storage\/passwords \(\w+\); trusted CA: .*cacert\.pem/,
    );
    const none = await rejection(store({}).read(REALM, 'acme'));
    assert.match(none.message, /no Splunk CA was found/);
    assert.equal(splunkd.entries.size, 0);
  });

  it('checks the certificate name for any host but loopback', () => {
    const trust = splunkdTrust({});
    const cert = { subject: { CN: 'SplunkServerDefaultCert' }, subjectaltname: undefined } as unknown as tls.PeerCertificate;
    assert.equal(trust.checkServerIdentity('127.0.0.1', cert), undefined);
    assert.equal(trust.checkServerIdentity('localhost', cert), undefined);
    assert.ok(trust.checkServerIdentity('splunk.corp.example', cert) instanceof Error);
  });

  it('reports a refused session key as splunkd refusing the named step', async () => {
    const e = await rejection(store({ SPLUNK_HOME: splunkHome({ cacert: splunkCa.caPem }) }, 'wrong-key-000000').read(REALM, 'acme'));
    assert.equal(e.code, 'splunkd_refused');
    assert.equal(e.status, 401);
    assert.match(
      e.message,
      /^splunkd refused reading the stored secret from storage\/passwords \(HTTP 401: the session key was not accepted\); splunkd said: "call not properly authenticated"/,
    );
  });

  it('names the step splunkd refused: create, update or the input edit', async () => {
    const s = store({ SPLUNK_HOME: splunkHome({ cacert: splunkCa.caPem }) });
    splunkd.failRoute('create', 403);
    assert.match(
      (await rejection(s.write(REALM, 'acme', 'x'))).message,
      /refused creating the entry in storage\/passwords \(HTTP 403: .*list_storage_passwords/,
    );
    await s.write(REALM, 'acme', 'x');
    splunkd.failRoute('update', 500);
    assert.match((await rejection(s.write(REALM, 'acme', 'y'))).message, /refused updating the entry in storage\/passwords \(HTTP 500\)/);
    splunkd.failRoute('edit', 'reset');
    const reset = await rejection(s.editInput('asana_audit_log', 'acme', { token: '********' }));
    assert.equal(reset.code, 'splunkd_unreachable');
    assert.match(reset.message, /while masking the secret in the input's settings \(data\/inputs\/asana_audit_log\) \(ECONNRESET\)/);
  });

  it('reports a splunkd that cannot be reached', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const e = await rejection(store({}, KEY, `https://127.0.0.1:${port}`).read(REALM, 'acme'));
    assert.equal(e.code, 'splunkd_unreachable');
    assert.match(
      e.message,
      /splunkd at https:\/\/127\.0\.0\.1:\d+ could not be reached while reading the stored secret from storage\/passwords \(ECONNREFUSED\)/,
    );
  });
});

describe('SplunkCredentialStore over a plain-http server_uri', () => {
  it('accepts http as given', async () => {
    const splunkd = await startMockSplunkd({ sessionKey: KEY });
    try {
      const s = new SplunkCredentialStore({ serverUri: splunkd.uri, sessionKey: KEY, app: APP, trust: splunkdTrust({}) });
      await s.write(REALM, 'a:b', 'pw');
      assert.equal(await s.read(REALM, 'a:b'), 'pw');
      assert.deepEqual([...splunkd.entries.keys()], [`${REALM}:a\\:b:`]);
    } finally {
      await splunkd.close();
    }
  });
});

describe('SplunkCredentialStore against a splunkd whose answer never ends', function () {
  this.timeout(5_000);
  let splunkd: MockSplunkd;
  beforeEach(async () => {
    splunkd = await startMockSplunkd({ sessionKey: KEY });
  });
  afterEach(() => splunkd.close());
  const store = (timeoutMs: number) => new SplunkCredentialStore({ serverUri: splunkd.uri, sessionKey: KEY, app: APP, trust: splunkdTrust({}), timeoutMs });

  it('a body dripping a byte every 100 ms is cut at the whole-request deadline', async () => {
    splunkd.failRoute('read', 'drip');
    const started = Date.now();
    const e = await rejection(store(400).read(REALM, 'acme'));
    assert.equal(e.code, 'splunkd_timeout');
    assert.match(
      e.message,
      /^splunkd at http:\/\/127\.0\.0\.1:\d+ did not finish answering within 0\.4 s while reading the stored secret from storage\/passwords/,
    );
    assert.ok(Date.now() - started < 2_000, `${Date.now() - started} ms`);
  });

  it('an endless body is cut at 1 MB', async () => {
    splunkd.failRoute('create', 'endless');
    const e = await rejection(store(30_000).write(REALM, 'acme', 'pw'));
    assert.equal(e.code, 'splunkd_bad_answer');
    assert.match(e.message, /^splunkd's answer while creating the entry in storage\/passwords is larger than 1 MB/);
  });
});

describe('splunkd helpers', () => {
  it('escapes colons in entry ids as splunkd does', () => {
    assert.equal(entryId('TA-asana-audit-log', 'acme'), 'TA-asana-audit-log:acme:');
    assert.equal(entryId('r:1', 'a:b'), 'r\\:1:a\\:b:');
  });

  it('reads one setting of one stanza of a .conf text, the last one winning', () => {
    const text = '# c\n[sslConfig]\nsslRootCAPath = /a\n[other]\nsslRootCAPath = /b\n[sslConfig]\nsslRootCAPath=/c\n';
    assert.equal(confValue(text, 'sslConfig', 'sslRootCAPath'), '/c');
    assert.equal(confValue(text, 'general', 'sslRootCAPath'), undefined);
  });
});
