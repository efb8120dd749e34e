import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';

const TOKEN = 'cli-token-9f8e7d6c5b';
const PROXY_PASSWORD = 'cli-proxy-pw-1a2b3c';

async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(['node', 'asana-audit-log', ...args], { stdin: new PassThrough(), stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}

describe('check outside Splunk: --proxy, ASANA_PROXY_URL and --ca-bundle', function () {
  this.timeout(20_000);
  let ca: TestCa;
  let asana: MockAsana;
  let proxy: ForwardProxy;

  before(async () => {
    ca = makeTestCa();
    asana = await startMockAsana({ initialEvents: 3, tokens: { valid: [TOKEN] }, tls: ca.issue({ commonName: 'localhost', san: 'IP:127.0.0.1' }) });
    proxy = await startForwardProxy({ credentials: { user: 'me', password: PROXY_PASSWORD } });
  });
  after(async () => {
    await asana.close();
    await proxy.close();
  });

  const base = () => ['check', '--workspace', asana.workspaceGid, '--base-url', asana.url];

  it('goes through the proxy named by ASANA_PROXY_URL and trusts the --ca-bundle CA', async () => {
    const r = await runCli([...base(), '--ca-bundle', ca.caFile], {
      ASANA_TOKEN: TOKEN,
      ASANA_PROXY_URL: `http://me:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^OK: the token can read the audit log/);
    assert.equal(proxy.tunnels.length, 1);
  });

  it('fails certificate verification without --ca-bundle, and says so', async () => {
    const r = await runCli(base(), { ASANA_TOKEN: TOKEN });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAILED \(tls_error\): TLS certificate verification failed.*give its CA certificate in --ca-bundle/);
  });

  it('reports wrong proxy credentials from --proxy without repeating them', async () => {
    const r = await runCli([...base(), '--ca-bundle', ca.caFile, '--proxy', `http://me:wrong-${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`], {
      ASANA_TOKEN: TOKEN,
    });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAILED \(network_error\): .*proxy asks for credentials or rejected them \(407\)/);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(PROXY_PASSWORD) && !`${r.stdout}${r.stderr}`.includes(TOKEN));
  });

  it('names the flag when a proxy URL is invalid', async () => {
    const r = await runCli([...base(), '--proxy', `socks5://me:${PROXY_PASSWORD}@127.0.0.1:1080`], { ASANA_TOKEN: TOKEN });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^ERROR --proxy must start with http:\/\/ or https:\/\//m);
    assert.ok(!r.stderr.includes(PROXY_PASSWORD));
  });
});
