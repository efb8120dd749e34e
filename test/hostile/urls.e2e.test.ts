import assert from 'node:assert/strict';
import os from 'node:os';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { errorLines, inputXml, parseEventStream, runLauncher, runLauncherOrKill, tempDir, type ChildResult } from '../support/splunkdHarness.js';

const TOKEN = 'hostile-url-token-6d8f0b2c4e';
/** A run that does not end is killed after this long and reported as hung. */
const HUNG_MS = 15_000;

/** This machine's own LAN address: a proxy there stands for one across the network, yet no packet leaves the host. */
function lanAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
}

describe('hostile input: URLs that would leak the token or mangle requests (e2e, through the launcher)', function () {
  this.timeout(60_000);
  let asana: MockAsana;

  beforeEach(async () => {
    asana = await startMockAsana({ tokens: { valid: [TOKEN] } });
    asana.generateEvents(3);
  });
  afterEach(() => asana.close());

  const run = (params: Record<string, string>): Promise<ChildResult & { hung: boolean }> => {
    const xml = inputXml({
      checkpointDir: tempDir('hostile-url-'),
      name: 'acme',
      params: { workspace_gid: asana.workspaceGid, token: TOKEN, api_base_url: asana.url, ...params },
    });
    return runLauncherOrKill([], xml, HUNG_MS);
  };
  const cli = (args: string[]): Promise<ChildResult> =>
    runLauncher(['check', '--workspace', asana.workspaceGid, ...args], '', {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ASANA_TOKEN: TOKEN,
        ...(process.env.ASANA_AUDIT_LOG_NODE ? { ASANA_AUDIT_LOG_NODE: process.env.ASANA_AUDIT_LOG_NODE } : {}),
      },
    });
  const refused = (r: ChildResult & { hung?: boolean }, pattern: RegExp) => {
    assert.equal(r.hung ?? false, false, 'the run did not end');
    assert.equal(r.code, 1, r.stderr);
    const errors = errorLines(r.stderr);
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0] as string, pattern);
    assert.equal(asana.stats().requests, 0, 'nothing was sent');
    assert.equal(parseEventStream(r.stdout).length, 0);
  };

  describe('item 10: a plain-http proxy across the network with a plain-http api_base_url', () => {
    let proxy: ForwardProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
      proxy = undefined;
    });

    it('is refused, naming proxy_url, before the token is sent through it', async function () {
      const lan = lanAddress();
      if (lan === undefined) this.skip();
      proxy = await startForwardProxy({ listenHost: lan });
      const r = await run({ proxy_url: proxy.url });
      assert.deepEqual(proxy.forwarded, [], 'the proxy saw no request (it would have carried the bearer token in clear text)');
      refused(
        r,
        /^ERROR input=acme invalid setting proxy_url: .*plain http to a host other than this machine.*api_base_url is plain http.*token would cross the network unencrypted/,
      );
    });

    it('is refused on the command line naming --proxy', async function () {
      const lan = lanAddress();
      if (lan === undefined) this.skip();
      proxy = await startForwardProxy({ listenHost: lan });
      const r = await cli(['--base-url', asana.url, '--proxy', proxy.url]);
      assert.deepEqual(proxy.forwarded, []);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /^ERROR --proxy .*plain http to a host other than this machine/m);
    });

    it('a plain-http proxy on this machine is still allowed', async () => {
      proxy = await startForwardProxy();
      const r = await run({ proxy_url: proxy.url });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(parseEventStream(r.stdout).length, 3);
      assert.ok(proxy.forwarded.length >= 1);
    });
  });

  describe('item 9: user:password@, a query or a fragment in api_base_url', () => {
    const withPart = (part: 'userinfo' | 'query' | 'fragment' | 'empty query' | 'empty fragment'): string => {
      const u = new URL(asana.url);
      if (part === 'userinfo') return `${u.protocol}//alice:s3cret@${u.host}${u.pathname}`;
      const suffix = { query: '?limit=1', fragment: '#section', 'empty query': '?', 'empty fragment': '#' }[part];
      return `${asana.url}${suffix}`;
    };
    for (const part of ['userinfo', 'query', 'fragment', 'empty query', 'empty fragment'] as const) {
      it(`${part}: refused naming api_base_url, nothing sent`, async () => {
        const r = await run({ api_base_url: withPart(part) });
        refused(r, /^ERROR input=acme invalid setting api_base_url: api_base_url must be only scheme, host, port and path/);
        assert.equal(r.stderr.includes('s3cret'), false, 'the URL is not repeated: it may hold a password');
      });
    }

    it('the same on the command line, naming --base-url', async () => {
      for (const part of ['userinfo', 'query', 'fragment'] as const) {
        const r = await cli(['--base-url', withPart(part)]);
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(r.stderr, /^ERROR --base-url must be only scheme, host, port and path/m);
      }
      assert.equal(asana.stats().requests, 0);
    });
  });

  describe('item 9: proxy_url and --proxy take no path, query or fragment, empty ones included (a trailing / is harmless)', () => {
    for (const suffix of ['?', '#', '/?#', '/path']) {
      it(`proxy_url ending in "${suffix}" is refused naming proxy_url`, async () => {
        const r = await run({ proxy_url: `http://127.0.0.1:3128${suffix}` });
        refused(r, /^ERROR input=acme invalid setting proxy_url: proxy_url must be only scheme/);
      });
    }

    it('--proxy with a fragment is refused naming --proxy', async () => {
      const r = await cli(['--base-url', asana.url, '--proxy', 'http://127.0.0.1:3128#x']);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /^ERROR --proxy must be only scheme/m);
    });
  });
});
