import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startMockSplunkd, type MockSplunkd } from '../../src/mock/splunkd.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { inputXml, parseEventStream, runLauncher, tempDir, type ChildResult } from '../support/splunkdHarness.js';
import { makeTestCa } from '../support/testCa.js';
import { freePort } from '../support/freePort.js';

const hex = () => randomBytes(8).toString('hex');
const TOKEN = `tok-canary-${hex()}`;
const PROXY_USER = 'svc-splunk';
const PROXY_PASSWORD = `pxy-canary-${hex()}`;
const SESSION_KEY = `sk-canary-${hex()}`;
/** Every form a secret could leak in, the Basic header value included. */
const CANARIES = [TOKEN, PROXY_PASSWORD, SESSION_KEY, Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')];
const MASK = '********';

describe('secrets, proxies and private CAs, with the launcher run as splunkd runs it (e2e)', function () {
  this.timeout(180_000);
  let asana: MockAsana;
  let splunkd: MockSplunkd;
  let proxy: ForwardProxy;
  let splunkHome: string;
  let asanaCaFile: string;
  let logFile: string;
  let checkpointRoot: string;
  const runs: Array<{ label: string; result: ChildResult }> = [];

  before(async () => {
    const asanaCa = makeTestCa('Corporate Inspection CA');
    asanaCaFile = asanaCa.caFile;
    asana = await startMockAsana({ initialEvents: 40, tokens: { valid: [TOKEN] }, tls: asanaCa.issue({ commonName: 'localhost', san: 'IP:127.0.0.1' }) });
    const splunkCa = makeTestCa('SplunkCommonCA');
    splunkd = await startMockSplunkd({ sessionKey: SESSION_KEY, tls: splunkCa.issue({ commonName: 'SplunkServerDefaultCert' }) });
    splunkHome = tempDir('e2e-splunk-home-');
    fs.mkdirSync(path.join(splunkHome, 'etc', 'auth'), { recursive: true });
    fs.writeFileSync(path.join(splunkHome, 'etc', 'auth', 'cacert.pem'), splunkCa.caPem);
    proxy = await startForwardProxy({ credentials: { user: PROXY_USER, password: PROXY_PASSWORD } });
    logFile = path.join(tempDir('e2e-log-'), 'ta_asana_audit_log.log');
    checkpointRoot = tempDir('e2e-secrets-ckpt-');
  });

  after(async () => {
    await asana?.close();
    await splunkd?.close();
    await proxy?.close();
  });

  const proxyUrl = (password = PROXY_PASSWORD, port = proxy.port) => `http://${PROXY_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const params = (extra: Record<string, string> = {}): Record<string, string> => ({
    workspace_gid: asana.workspaceGid,
    token: TOKEN,
    api_base_url: asana.url,
    proxy_url: proxyUrl(),
    ca_bundle: asanaCaFile,
    max_requests_per_minute: '1500',
    log_level: 'DEBUG',
    ...extra,
  });
  const runXml = (opts: { name?: string; params?: Record<string, string>; serverUri?: string; sessionKey?: string } = {}) =>
    inputXml({
      checkpointDir: fs.mkdtempSync(path.join(checkpointRoot, 'run-')),
      name: opts.name ?? 'acme',
      params: opts.params ?? params(),
      serverUri: opts.serverUri ?? splunkd.uri,
      sessionKey: opts.sessionKey ?? SESSION_KEY,
    });
  const validationXml = (p: Record<string, string>, name = 'acme') =>
    `<items><server_host>h</server_host><server_uri>${splunkd.uri}</server_uri><session_key>${SESSION_KEY}</session_key><checkpoint_dir>${checkpointRoot}</checkpoint_dir><item name="${name}">${Object.entries(
      p,
    )
      .map(([k, v]) => `<param name="${k}">${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</param>`)
      .join('')}</item></items>`;
  const launch = async (label: string, stdin: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> => {
    const result = await runLauncher(args, stdin, { env: { ...process.env, SPLUNK_HOME: splunkHome, ASANA_AUDIT_LOG_FILE: logFile, ...env } });
    runs.push({ label, result });
    return result;
  };

  it('moves token and proxy password into the credential store, masks them, and collects through the proxy over verified TLS', async () => {
    const first = await launch('first run, plaintext secrets', runXml());
    assert.equal(first.code, 0, first.stderr);
    assert.equal(parseEventStream(first.stdout).length, 40);
    assert.match(first.stderr, /^INFO input=acme moved token and proxy_url into Splunk's credential store; the input's settings now show \*{8}/m);
    assert.deepEqual(
      [...splunkd.entries.values()].map((e) => ({ ...e, password: JSON.parse(e.password) })),
      [{ realm: 'TA-asana-audit-log', name: 'acme', password: { token: TOKEN, proxy_password: PROXY_PASSWORD } }],
    );
    assert.deepEqual(splunkd.inputEdits, [
      { app: 'TA-asana-audit-log', name: 'acme', fields: { token: MASK, proxy_url: `http://${PROXY_USER}:${MASK}@127.0.0.1:${proxy.port}` } },
    ]);
    assert.ok(proxy.tunnels.length >= 1 && proxy.tunnels.every((t) => t === `127.0.0.1:${new URL(asana.url).port}`), 'Asana reached through CONNECT');

    // What splunkd sends once the input is masked: the secrets come back from the store.
    asana.generateEvents(5);
    splunkd.calls.length = 0;
    const maskedParams = params({ token: MASK, proxy_url: `http://${PROXY_USER}:${MASK}@127.0.0.1:${proxy.port}` });
    const second = await launch('second run, masked secrets', runXml({ params: maskedParams }));
    assert.equal(second.code, 0, second.stderr);
    assert.equal(parseEventStream(second.stdout).length, 45, 'a fresh checkpoint dir: every event again');
    assert.deepEqual(splunkd.calls, ['read']);

    const validation = await launch('validation of the masked input', validationXml(maskedParams), ['--validate-arguments']);
    assert.equal(validation.code, 0, validation.stdout + validation.stderr);
    assert.equal(validation.stdout, '');
  });

  it('keeps every secret out of stdout, stderr, the log file and the checkpoints on every error path', async () => {
    const closedPort = await freePort();
    const expectFailure = (r: ChildResult, where: 'stderr' | 'stdout', pattern: RegExp) => {
      assert.notEqual(r.code, 0, r.stderr);
      assert.match(r[where], pattern);
    };

    asana.scriptFaults([{ kind: 'status', status: 401 }]);
    expectFailure(await launch('Asana 401', runXml()), 'stderr', /^ERROR input=acme the token was rejected \(401\)/m);

    const withoutCa = params();
    delete withoutCa.ca_bundle;
    expectFailure(await launch('TLS failure', runXml({ params: withoutCa })), 'stderr', /^ERROR input=acme TLS certificate verification failed.*ca_bundle/m);

    expectFailure(
      await launch('proxy 407', runXml({ params: params({ proxy_url: proxyUrl(`wrong-${PROXY_PASSWORD}`) }) })),
      'stderr',
      /^ERROR input=acme .*the proxy asks for credentials or rejected them \(407\)/m,
    );

    expectFailure(
      await launch('proxy unreachable (validation)', validationXml(params({ proxy_url: proxyUrl(PROXY_PASSWORD, closedPort) })), ['--validate-arguments']),
      'stdout',
      /^<error><message>.*the proxy could not be reached/,
    );

    splunkd.failRoute('create', 403);
    expectFailure(
      await launch('splunkd refuses to store', runXml()),
      'stderr',
      /^ERROR input=acme splunkd refused creating the entry in storage\/passwords \(HTTP 403/m,
    );

    splunkd.failRoute('edit', 500);
    expectFailure(
      await launch('splunkd refuses the mask', runXml()),
      'stderr',
      /^ERROR input=acme splunkd refused masking the secret in the input's settings/m,
    );

    expectFailure(
      await launch('splunkd unreachable', runXml({ serverUri: `https://127.0.0.1:${closedPort}` })),
      'stderr',
      /^ERROR input=acme splunkd at https:\/\/127\.0\.0\.1:\d+ could not be reached while .*ECONNREFUSED.*nothing was collected, and no secret was written anywhere else/m,
    );

    expectFailure(
      await launch('splunkd certificate untrusted', runXml(), [], { SPLUNK_HOME: tempDir('e2e-empty-home-') }),
      'stderr',
      /^ERROR input=acme splunkd's certificate at https:\/\/127\.0\.0\.1:\d+ failed verification/m,
    );

    expectFailure(
      await launch('session key refused', runXml({ sessionKey: `${SESSION_KEY}-expired` })),
      'stderr',
      /^ERROR input=acme splunkd refused .*\(HTTP 401: the session key was not accepted\)/m,
    );

    expectFailure(
      await launch('masked token not stored', runXml({ name: 'ghost', params: params({ token: MASK }) })),
      'stderr',
      /^ERROR input=ghost the input's token is masked \(\*{8}\) but Splunk's credential store holds no token for input "ghost"/m,
    );

    const full = runXml();
    expectFailure(await launch('cut XML', full.slice(0, full.indexOf(TOKEN) + TOKEN.length + 3)), 'stderr', /^ERROR /m);

    expectFailure(
      await launch('invalid proxy_url', runXml({ params: params({ proxy_url: `${proxyUrl()}/path` }) })),
      'stderr',
      /^ERROR input=acme invalid setting proxy_url: proxy_url must be only scheme/m,
    );

    expectFailure(
      await launch('validation: ca_bundle missing', validationXml(params({ ca_bundle: path.join(checkpointRoot, 'nope.pem') })), ['--validate-arguments']),
      'stdout',
      /^<error><message>cannot read ca_bundle .*nope\.pem \(ENOENT\)/,
    );

    asana.scriptFaults([{ kind: 'status', status: 401 }]);
    expectFailure(
      await launch('validation: 401', validationXml(params()), ['--validate-arguments']),
      'stdout',
      /^<error><message>the token was rejected \(401\)/,
    );

    asana.scriptFaults([{ kind: 'reset' }]);
    const reset = await launch('connection reset, then retried', runXml());
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stderr, /^WARN input=acme Asana request failed: retrying/m);

    // The log file saw all of it, at DEBUG too.
    const log = fs.readFileSync(logFile, 'utf8');
    assert.match(log, / DEBUG input=acme Asana request /);
    assert.ok(log.split('\n').filter((l) => / ERROR /.test(l)).length >= 12, 'the error paths reached the log file');

    const leaks: string[] = [];
    const scan = (where: string, text: string) => {
      for (const canary of CANARIES) if (text.includes(canary)) leaks.push(`${where} holds ${canary.slice(0, 10)}…`);
    };
    for (const { label, result } of runs) {
      scan(`${label}: stdout`, result.stdout);
      scan(`${label}: stderr`, result.stderr);
    }
    scan('log file', log);
    for (const file of walk(checkpointRoot)) scan(file, fs.readFileSync(file, 'latin1'));
    assert.deepEqual(leaks, []);
    assert.ok(runs.length >= 17);
  });
});

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
