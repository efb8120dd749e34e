import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { AuditLogClient } from '../../src/asana/auditLogClient.js';
import { CaBundleError, loadCaFile } from '../../src/net/caCertificates.js';
import { AsanaApiError } from '../../src/asana/asanaApiError.js';
import { createAsanaAgents, type AsanaAgents, type AsanaAgentsOptions } from '../../src/asana/httpAgents.js';
import { bypassedByNoProxy, proxyFromEnv } from '../../src/net/proxyConfig.js';
import { maskProxyPassword, parseProxyUrl, withProxyPassword } from '../../src/net/proxyUrl.js';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';
import { nock } from './nockScope.js';
import { freePort } from '../support/freePort.js';

const TOKEN = 'agents-token-7c41e9a2d0';
const PROXY_USER = 'svc-splunk';
const PROXY_PASSWORD = 'pr0xy-pa55-e1f3:@/x';
const FAST = { maxRetries: 0, maxRateLimitRetries: 0 };

describe('Asana HTTP agents: proxies and certificates against real loopback servers', function () {
  this.timeout(20_000);
  let ca: TestCa;
  let httpsMock: MockAsana;
  let httpMock: MockAsana;
  let agents: AsanaAgents | undefined;
  let proxy: ForwardProxy | undefined;

  before(async () => {
    // An active nock interceptor opens sockets itself and ignores an agent's asynchronous
    // createConnection (the CONNECT tunnel): say so instead of timing out.
    assert.ok(!nock.isActive(), 'nock is still active from another suite: it must be restored (see nockScope.ts)');
    ca = makeTestCa('Inspecting Proxy CA');
    // Like a TLS-inspecting proxy's certificates: issued by a private CA for the names clients ask for.
    const leaf = ca.issue({ commonName: 'app.asana.test', san: 'DNS:app.asana.test,IP:127.0.0.1' });
    httpsMock = await startMockAsana({ initialEvents: 5, tokens: { valid: [TOKEN] }, tls: leaf });
    httpMock = await startMockAsana({ initialEvents: 5, tokens: { valid: [TOKEN] } });
  });
  after(async () => {
    await httpsMock.close();
    await httpMock.close();
  });
  afterEach(async () => {
    agents?.destroy();
    agents = undefined;
    await proxy?.close();
    proxy = undefined;
  });

  async function fetchOne(baseUrl: string, opts: AsanaAgentsOptions): Promise<number> {
    agents = createAsanaAgents(opts);
    const client = new AuditLogClient({
      baseUrl,
      token: TOKEN,
      maxRequestsPerMinute: 6000,
      policy: FAST,
      httpAgent: agents.httpAgent,
      httpsAgent: agents.httpsAgent,
    });
    try {
      const page = await client.fetchPage({ workspaceGid: httpsMock.workspaceGid, filters: {}, limit: 2 });
      return page.events.length;
    } finally {
      await client.close();
    }
  }

  async function failure(baseUrl: string, opts: AsanaAgentsOptions): Promise<AsanaApiError> {
    try {
      await fetchOne(baseUrl, opts);
    } catch (e) {
      assert.ok(e instanceof AsanaApiError, String(e));
      return e;
    }
    assert.fail('the request succeeded');
  }

  const withCreds = (p: ForwardProxy) => `http://${PROXY_USER}:${encodeURIComponent(PROXY_PASSWORD)}@127.0.0.1:${p.port}`;

  it('rejects a server whose CA is not trusted, with an error that points to ca_bundle', async () => {
    const e = await failure(httpsMock.url, {});
    assert.equal(e.code, 'tls_error');
    assert.match(e.message, /TLS certificate verification failed.*ca_bundle/);
    assert.equal(httpsMock.stats().requests, 0, 'nothing reached the server');
  });

  it('accepts the same server once its CA is given in ca_bundle', async () => {
    assert.equal(await fetchOne(httpsMock.url, { caBundle: ca.caFile }), 2);
  });

  it('adds ca_bundle to the public CAs instead of replacing them, and never turns verification off', () => {
    agents = createAsanaAgents({ caBundle: ca.caFile });
    const cas = agents.httpsAgent.options.ca as string[];
    assert.ok(cas.includes(ca.caPem.trim()) || cas.some((c) => c.trim() === ca.caPem.trim()), 'the extra CA is trusted');
    for (const publicCa of tls.rootCertificates.slice(0, 5)) assert.ok(cas.includes(publicCa), 'public CAs stay trusted');
    assert.notEqual(agents.httpsAgent.options.rejectUnauthorized, false);
  });

  it('tunnels https through a proxy with CONNECT, sending Basic credentials, and the proxy sees no token', async () => {
    proxy = await startForwardProxy({ credentials: { user: PROXY_USER, password: PROXY_PASSWORD }, hosts: { 'app.asana.test': '127.0.0.1' } });
    const port = new URL(httpsMock.url).port;
    assert.equal(await fetchOne(`https://app.asana.test:${port}/api/1.0`, { proxyUrl: withCreds(proxy), caBundle: ca.caFile }), 2);
    assert.deepEqual(proxy.tunnels, [`app.asana.test:${port}`]);
    assert.deepEqual(proxy.forwarded, []);
    assert.equal(proxy.rejected, 0);
    assert.deepEqual(proxy.authorizations, [`Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`]);
    assert.ok(!proxy.connectHeaders.some((h) => JSON.stringify(h).includes(TOKEN)), 'the CONNECT request carries no token');
  });

  it('sends plain-http loopback requests to the proxy in absolute form with its credentials', async () => {
    proxy = await startForwardProxy({ credentials: { user: PROXY_USER, password: PROXY_PASSWORD } });
    assert.equal(await fetchOne(httpMock.url, { proxyUrl: withCreds(proxy) }), 2);
    assert.equal(proxy.forwarded.length, 1);
    assert.ok(proxy.forwarded[0]?.startsWith(`${httpMock.url}/workspaces/`), proxy.forwarded[0]);
    assert.deepEqual(proxy.tunnels, []);
  });

  it('says the proxy wants credentials when a CONNECT is answered 407, without retrying', async () => {
    proxy = await startForwardProxy({ credentials: { user: PROXY_USER, password: PROXY_PASSWORD } });
    const e = await failure(httpsMock.url, { proxyUrl: proxy.url, caBundle: ca.caFile });
    assert.equal(e.code, 'network_error');
    assert.equal(e.retryable, false);
    assert.match(e.message, /proxy asks for credentials or rejected them \(407\).*proxy_url/);
    assert.equal(proxy.rejected, 1);
  });

  it('says the proxy wants credentials when an absolute-form request is answered 407', async () => {
    proxy = await startForwardProxy({ credentials: { user: PROXY_USER, password: PROXY_PASSWORD } });
    const e = await failure(httpMock.url, { proxyUrl: `http://${PROXY_USER}:wrong-password@127.0.0.1:${proxy.port}` });
    assert.equal(e.status, 407);
    assert.match(e.message, /proxy asks for credentials or rejected them \(407\)/);
  });

  it('names an unreachable proxy as the proxy, for https and http targets', async () => {
    const closed = await freePort();
    for (const target of [httpsMock.url, httpMock.url]) {
      const e = await failure(target, { proxyUrl: `http://127.0.0.1:${closed}`, caBundle: ca.caFile });
      assert.equal(e.code, 'network_error');
      assert.match(e.message, /the proxy could not be reached.*ERR_PROXY_UNREACHABLE/, target);
    }
  });

  it('takes HTTPS_PROXY from the environment when no proxy_url is given', async () => {
    proxy = await startForwardProxy({ hosts: { 'app.asana.test': '127.0.0.1' } });
    const port = new URL(httpsMock.url).port;
    assert.equal(await fetchOne(`https://app.asana.test:${port}/api/1.0`, { env: { HTTPS_PROXY: proxy.url }, caBundle: ca.caFile }), 2);
    assert.deepEqual(proxy.tunnels, [`app.asana.test:${port}`]);
  });

  it('never sends loopback targets to an environment proxy', async () => {
    proxy = await startForwardProxy();
    assert.equal(await fetchOne(httpMock.url, { env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } }), 2);
    assert.deepEqual([proxy.forwarded, proxy.tunnels], [[], []]);
  });
});

describe('ca_bundle files', () => {
  it('loads every certificate of a PEM file and refuses files that are missing, empty or broken', () => {
    const ca = makeTestCa();
    const other = makeTestCa('Other CA');
    const dir = ca.dir;
    const two = path.join(dir, 'two.pem');
    fs.writeFileSync(two, `${ca.caPem}\n${other.caPem}`);
    assert.equal(loadCaFile(two).length, 2);
    assert.throws(
      () => loadCaFile(path.join(dir, 'nope.pem')),
      (e: Error) => e instanceof CaBundleError && /cannot read ca_bundle .*nope\.pem \(ENOENT\)/.test(e.message),
    );
    const text = path.join(dir, 'text.pem');
    fs.writeFileSync(text, 'not a certificate');
    assert.throws(() => loadCaFile(text), /holds no PEM certificate/);
    const broken = path.join(dir, 'broken.pem');
    fs.writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    assert.throws(() => loadCaFile(broken), /certificate 1 in ca_bundle .* does not parse/);
  });
});

describe('proxy configuration', () => {
  it('parses proxy URLs and never repeats one in an error', () => {
    assert.deepEqual(parseProxyUrl('http://u%40corp:p%3Ass@proxy.corp:3128'), {
      protocol: 'http:',
      hostname: 'proxy.corp',
      port: 3128,
      username: 'u@corp',
      password: 'p:ss',
    });
    assert.equal(parseProxyUrl('https://proxy.corp').port, 443);
    for (const bad of ['socks5://u:secret-pw@h:1080', 'http://u:secret-pw@h:3128/path', 'not a url secret-pw', 'http://:secret-pw@h:1']) {
      assert.throws(
        () => parseProxyUrl(bad),
        (e: Error) => !e.message.includes('secret-pw'),
        bad,
      );
    }
  });

  it('masks the password for inputs.conf and puts it back from the store', () => {
    const masked = maskProxyPassword('http://user:s3cret@proxy.corp:3128');
    assert.equal(masked, 'http://user:********@proxy.corp:3128');
    assert.equal(parseProxyUrl(masked).password, '********');
    assert.equal(parseProxyUrl(withProxyPassword(masked, 'p@ss:w/rd')).password, 'p@ss:w/rd');
    assert.equal(maskProxyPassword('http://proxy.corp:3128'), 'http://proxy.corp:3128');
  });

  it('reads the environment like curl, except that loopback targets are never proxied', () => {
    const env = { HTTPS_PROXY: 'http://p:1', http_proxy: 'http://q:2', NO_PROXY: 'internal.corp, .svc:8443' };
    const t = (protocol: string, hostname: string, port: number) => proxyFromEnv(env, { protocol, hostname, port });
    assert.equal(t('https:', 'app.asana.com', 443), 'http://p:1');
    assert.equal(t('http:', 'example.com', 80), 'http://q:2');
    assert.equal(t('https:', 'api.internal.corp', 443), undefined);
    assert.equal(t('https:', 'a.svc', 8443), undefined);
    assert.equal(t('https:', 'a.svc', 443), 'http://p:1');
    assert.equal(t('http:', '127.0.0.1', 80), undefined);
    assert.equal(t('https:', '::1', 443), undefined);
    assert.equal(proxyFromEnv({}, { protocol: 'https:', hostname: 'app.asana.com', port: 443 }), undefined);
  });

  it('matches NO_PROXY entries by domain suffix, exact host, port and wildcard', () => {
    assert.equal(bypassedByNoProxy('*', 'anything', 1), true);
    assert.equal(bypassedByNoProxy('asana.com', 'app.asana.com', 443), true);
    assert.equal(bypassedByNoProxy('*.asana.com', 'app.asana.com', 443), true);
    assert.equal(bypassedByNoProxy('asana.com', 'notasana.com', 443), false);
    assert.equal(bypassedByNoProxy('app.asana.com:8443', 'app.asana.com', 443), false);
    assert.equal(bypassedByNoProxy('10.0.0.1', '10.0.0.1', 443), true);
    assert.equal(bypassedByNoProxy('', 'app.asana.com', 443), false);
  });
});
