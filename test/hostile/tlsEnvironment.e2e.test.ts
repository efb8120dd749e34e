import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { inputXml, LAUNCHER, parseEventStream, runLauncher, tempDir, type ChildResult } from '../support/splunkdHarness.js';
import { makeTestCa, type TestCa } from '../support/testCa.js';

const TOKEN = 'hostile-tls-token-5c7e9a1b3d';
const HEC_TOKEN = '3e5a7c9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d';
/** What an admin (or a vendor's init script) may have left in splunkd's environment. */
const INSECURE_ENV = { NODE_TLS_REJECT_UNAUTHORIZED: '0' };
/** Every stderr line starts with a level word, or splunkd files it at the wrong level. */
const LEVELLED = /^(DEBUG|INFO|WARN|ERROR) /;

describe('hostile input: NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment turns nothing off (e2e, through the launcher)', function () {
  this.timeout(60_000);
  let untrusted: TestCa;
  let asana: MockAsana;

  before(() => {
    untrusted = makeTestCa('Impostor CA');
  });
  beforeEach(async () => {
    asana = await startMockAsana({ tokens: { valid: [TOKEN] }, tls: untrusted.issue({ commonName: 'localhost', san: 'IP:127.0.0.1' }) });
    asana.generateEvents(3);
  });
  afterEach(() => asana.close());

  const run = (params: Record<string, string> = {}, env: NodeJS.ProcessEnv = INSECURE_ENV): Promise<ChildResult> =>
    runLauncher(
      [],
      inputXml({
        checkpointDir: tempDir('hostile-tls-'),
        name: 'acme',
        params: { workspace_gid: asana.workspaceGid, token: TOKEN, api_base_url: asana.url, ...params },
      }),
      { env: { ...process.env, ...env } },
    );
  const assertLevelled = (r: { stderr: string }) => {
    const unlevelled = r.stderr.split('\n').filter((l) => l !== '' && !LEVELLED.test(l));
    assert.deepEqual(unlevelled, [], 'every stderr line starts with a level word');
  };

  it('an Asana certificate from an untrusted CA is refused: no request, hence no token, reaches it', async () => {
    const r = await run();
    assert.equal(r.code, 1, r.stderr);
    assert.equal(asana.stats().requests, 0, 'the untrusted server received no request');
    assert.match(r.stderr, /^ERROR input=acme TLS certificate verification failed/m);
    assert.equal(parseEventStream(r.stdout).length, 0);
  });

  it("Node's own warning about the variable reaches splunkd only as one WARN line that says it has no effect", async () => {
    const r = await run();
    assertLevelled(r);
    const warns = r.stderr.split('\n').filter((l) => /NODE_TLS_REJECT_UNAUTHORIZED/.test(l));
    assert.equal(warns.length, 1, r.stderr);
    assert.match(
      warns[0] as string,
      /^WARN NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment and has no effect: .*certificates are always verified.*remove it/,
    );
  });

  it('the same holds through a proxy tunnel', async () => {
    const proxy: ForwardProxy = await startForwardProxy();
    try {
      const r = await run({ proxy_url: proxy.url });
      assert.equal(r.code, 1, r.stderr);
      assert.ok(proxy.tunnels.length >= 1, 'the tunnel was opened');
      assert.equal(asana.stats().requests, 0);
      assert.match(r.stderr, /^ERROR input=acme TLS certificate verification failed/m);
      assertLevelled(r);
    } finally {
      await proxy.close();
    }
  });

  for (const via of ['directly', 'through --hec-proxy'] as const) {
    it(`HEC with a certificate from an untrusted CA is refused ${via}: no batch, hence no HEC token, reaches it`, async () => {
      const proxy = via === 'directly' ? undefined : await startForwardProxy();
      const plainAsana = await startMockAsana({ tokens: { valid: [TOKEN] } });
      plainAsana.generateEvents(3);
      let hecRequests = 0;
      const hec = https.createServer(untrusted.issue({ commonName: 'localhost', san: 'IP:127.0.0.1' }), (_req, res) => {
        hecRequests++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"text":"Success","code":0}');
      });
      await new Promise<void>((resolve) => hec.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = hec.address() as AddressInfo;
        const args = [
          'poll',
          '--workspace',
          plainAsana.workspaceGid,
          '--base-url',
          plainAsana.url,
          '--checkpoint',
          `${tempDir('hostile-tls-hec-')}/acme.checkpoint`,
          '--output',
          'hec',
          '--hec-url',
          `https://127.0.0.1:${port}`,
          '--index',
          'main',
          ...(proxy ? ['--hec-proxy', proxy.url] : []),
        ];
        const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
          const child = spawn(LAUNCHER, args, {
            cwd: tempDir('hostile-tls-cwd-'),
            env: {
              PATH: process.env.PATH ?? '/usr/bin:/bin',
              ASANA_TOKEN: TOKEN,
              SPLUNK_HEC_TOKEN: HEC_TOKEN,
              ...INSECURE_ENV,
              ...(process.env.ASANA_AUDIT_LOG_NODE ? { ASANA_AUDIT_LOG_NODE: process.env.ASANA_AUDIT_LOG_NODE } : {}),
            },
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.on('error', reject);
          child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stderr });
          });
        });
        assert.equal(hecRequests, 0, 'the untrusted HEC received no request');
        if (proxy) assert.ok(proxy.tunnels.length >= 1, 'the tunnel to HEC was opened');
        assert.notEqual(r.code, 0, r.stderr);
        assert.match(r.stderr, /^ERROR .*TLS certificate verification failed for Splunk HEC/m);
        assertLevelled(r);
      } finally {
        await plainAsana.close();
        await new Promise<void>((resolve) => hec.close(() => resolve()));
        await proxy?.close();
      }
    });
  }
});
