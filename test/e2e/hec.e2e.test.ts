import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startMockHec, type MockHec } from '../../src/mock/hecServer.js';
import { SeededRandom } from '../../src/mock/random.js';
import { errorLines, LAUNCHER, assertNamesItsNode, tempDir } from '../support/splunkdHarness.js';
import { startForwardProxy, type ForwardProxy } from '../support/forwardProxy.js';
import { makeTestCa } from '../support/testCa.js';

const BUNDLE = path.join(path.dirname(LAUNCHER), 'ta_asana_audit_log.cjs');
const ASANA_TOKEN = 'e2e-asana-token-3c9d1f7a';
const HEC_TOKEN = '6f1c2b7e-0d4a-4e8b-9c3f-1a2b3c4d5e6f';
const PAGE_SIZE = 100;
/** --hec-max-in-flight-events in the kill tests: with acks pipelined, what one kill may send again. */
const IN_FLIGHT = 300;

interface Child {
  process: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stderr: () => string;
}

/**
 * `poll` through the launcher, as a service manager would start it: a real child process (the
 * launcher execs node, so signals reach the collector itself). ASANA_AUDIT_LOG_NODE and
 * ASANA_AUDIT_LOG_LAUNCHER carry CI's Node matrix and unpacked-package runs through.
 */
function poll(args: string[], env: Record<string, string> = {}): Child {
  const nodeChoice = process.env.ASANA_AUDIT_LOG_NODE ? { ASANA_AUDIT_LOG_NODE: process.env.ASANA_AUDIT_LOG_NODE } : {};
  const child = spawn(LAUNCHER, ['poll', ...args], {
    cwd: tempDir('hec-e2e-cwd-'),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ASANA_TOKEN, SPLUNK_HEC_TOKEN: HEC_TOKEN, ...nodeChoice, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { process: child, done, stderr: () => stderr };
}

async function waitFor(what: string, test: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('poll --output hec, run as a child process from the bundle (e2e)', function () {
  this.timeout(180_000);
  let asana: MockAsana | undefined;
  let hec: MockHec | undefined;

  before(function () {
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (npm test does)`);
  });
  afterEach(async () => {
    await asana?.close();
    await hec?.close();
    asana = undefined;
    hec = undefined;
  });

  const baseArgs = (checkpoint: string, extra: string[] = []) => [
    '--workspace',
    (asana as MockAsana).workspaceGid,
    '--base-url',
    (asana as MockAsana).url,
    '--checkpoint',
    checkpoint,
    '--page-size',
    String(PAGE_SIZE),
    '--max-requests-per-minute',
    '1500',
    // One stream: the "one batch per kill" bound is per stream.
    '--backfill-concurrency',
    '1',
    '--output',
    'hec',
    '--hec-url',
    (hec as MockHec).url,
    '--index',
    'asana',
    '--host',
    'collector-e2e',
    ...extra,
  ];

  for (const ack of [true, false]) {
    it(`indexes every event across SIGKILLs at random moments, sending again at most the in-flight bound per kill (${ack ? 'with pipelined indexer acknowledgment' : 'without indexer acknowledgment'})`, async () => {
      asana = await startMockAsana({ initialEvents: 3_000, spreadDays: 20 / 1440, latencyMs: 25, tokens: { valid: [ASANA_TOKEN] }, seed: ack ? 11 : 12 });
      // Acks slower than a page's round trip: pages are written while earlier ones await their acks.
      hec = await startMockHec({ tokens: [{ token: HEC_TOKEN, ack, allowedIndexes: ['asana'] }], ackDelayMs: 150 });
      hec.scriptFaults([{ kind: 'busy' }, { kind: 'busy' }]);
      const checkpoint = path.join(tempDir('hec-e2e-ckpt-'), 'acme.checkpoint');
      // With ack, batches are spread over two channels: each keeps its own ack ids.
      const args = baseArgs(checkpoint, [...(ack ? ['--hec-ack', '--hec-channels', '2'] : []), '--hec-max-in-flight-events', String(IN_FLIGHT)]);
      const rng = new SeededRandom(ack ? 101 : 202);

      let kills = 0;
      for (let attempt = 0; attempt < 40 && kills < 6; attempt++) {
        const child = poll(args);
        // Wait until this run has delivered something, then kill it at a random moment after.
        const before = hec.indexed().length;
        const progressed = waitFor('progress', () => hec!.indexed().length > before || child.process.exitCode !== null, 30_000);
        await progressed;
        await new Promise((r) => setTimeout(r, rng.int(300)));
        if (child.process.exitCode === null && child.process.kill('SIGKILL')) kills++;
        const result = await child.done;
        if (result.signal !== 'SIGKILL') assert.equal(result.code, 0, result.stderr);
        if (result.code === 0) break;
      }
      assert.ok(kills >= 3, `killed ${kills} times`);

      // The last run drains what is left and ends normally.
      const last = await poll(args).done;
      assert.equal(last.code, 0, last.stderr);
      assert.match(last.stderr, /^INFO action=events_ingested input=workspace-\d+ n_events=\d+ .*status=caught_up/m);
      assertNamesItsNode(last.stderr);
      // The mock indexes what it accepted ackDelayMs later, as Splunk does after answering 200.
      await new Promise((r) => setTimeout(r, 300));

      const indexed = hec.indexed();
      const expected = asana.events().map((e) => (e as { gid: string }).gid);
      const gids = indexed.map((e) => (e.event as { gid: string }).gid);
      assert.deepEqual([...new Set(gids)].sort(), [...expected].sort(), 'every event indexed');
      // A kill sends again what was sent but not yet in the saved checkpoint: at most the in-flight bound.
      const seen = new Set<string>();
      const duplicateBatches = new Set<number>();
      for (const e of indexed) {
        const gid = (e.event as { gid: string }).gid;
        if (seen.has(gid)) duplicateBatches.add(e.batch);
        seen.add(gid);
      }
      const duplicates = gids.length - seen.size;
      assert.ok(duplicates <= kills * IN_FLIGHT, `${duplicates} duplicate events for ${kills} kills`);
      assert.ok(duplicateBatches.size <= kills * (IN_FLIGHT / PAGE_SIZE), `${duplicateBatches.size} duplicate batches for ${kills} kills`);
      if (ack) assert.ok(hec.stats().maxPendingAcksPerChannel > 1, `acks were pipelined: ${hec.stats().maxPendingAcksPerChannel} pending at most`);
      // Two channels per process, a new pair for every run (the last run may need only one).
      if (ack) assert.ok(hec.stats().channels >= 3, `${hec.stats().channels} channels`);

      const byGid = new Map(asana.events().map((e) => [(e as { gid: string }).gid, e]));
      for (const e of indexed) {
        assert.deepEqual(e.event, byGid.get((e.event as { gid: string }).gid), 'the API event unchanged');
        assert.equal(e.time, Date.parse((e.event as { created_at: string }).created_at) / 1000);
        assert.equal(e.index, 'asana');
        assert.equal(e.sourcetype, 'asana:audit');
        assert.equal(e.host, 'collector-e2e');
        assert.match(e.source ?? '', /^asana_audit_log:\/\/workspace-\d+$/);
        assert.equal(e.channel !== undefined, ack);
      }
      assert.ok(!last.stderr.includes(HEC_TOKEN) && !last.stderr.includes(ASANA_TOKEN));
    });
  }

  it('on SIGTERM waits for the pending acknowledgments and saves, so the next run repeats nothing (pipelined acks)', async () => {
    asana = await startMockAsana({ initialEvents: 2_000, spreadDays: 20 / 1440, latencyMs: 25, tokens: { valid: [ASANA_TOKEN] }, seed: 13 });
    hec = await startMockHec({ tokens: [{ token: HEC_TOKEN, ack: true, allowedIndexes: ['asana'] }], ackDelayMs: 400 });
    const checkpoint = path.join(tempDir('hec-e2e-term-'), 'acme.checkpoint');
    const args = baseArgs(checkpoint, ['--hec-ack']);
    const child = poll(args);
    // Stop while several pages await their acks.
    await waitFor('pages awaiting acks', () => hec!.stats().eventRequests >= 4 || child.process.exitCode !== null);
    const sentAtStop = hec.stats().eventRequests;
    child.process.kill('SIGTERM');
    const stopped = await child.done;
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stderr, /status=stopped/);
    assert.ok(hec.indexed().length >= (sentAtStop - 1) * PAGE_SIZE, 'what was sent before the stop was acknowledged before the exit');
    const last = await poll(args).done;
    assert.equal(last.code, 0, last.stderr);
    await new Promise((r) => setTimeout(r, 500));
    const gids = hec.indexed().map((e) => (e.event as { gid: string }).gid);
    assert.equal(new Set(gids).size, 2_000, 'every event indexed');
    assert.equal(gids.length, 2_000, 'none twice');
  });

  it('keeps the lock for a --follow collector: a second one on the checkpoint exits with a WARN and touches nothing', async () => {
    asana = await startMockAsana({ initialEvents: 300, spreadDays: 10 / 1440, tokens: { valid: [ASANA_TOKEN] } });
    hec = await startMockHec({ tokens: [{ token: HEC_TOKEN, ack: true }], ackDelayMs: 10 });
    const checkpoint = path.join(tempDir('hec-e2e-lock-'), 'acme.checkpoint');
    const first = poll(baseArgs(checkpoint, ['--hec-ack', '--follow', '--interval', '3600']));
    await waitFor('the first health line', () => /^INFO action=health /m.test(first.stderr()));
    assert.match(
      first.stderr(),
      /^INFO action=health input=workspace-\d+ output=hec status=ok runs=1 failures_in_row=0 events_total=300 late_events_total=0 uptime_s=\d+ last_success=\S+ next_run_in_s=3600 hec_events=300 hec_batches=3 hec_requests=\d+ hec_retries=0 hec_ack_polls=\d+ hec_resends=0 hec_pending_acks=0$/m,
    );
    const checkpointBefore = fs.readFileSync(checkpoint);
    const hecRequests = hec.stats().eventRequests + hec.stats().ackRequests;
    const asanaRequests = asana.stats().requests;
    asana.generateEvents(50);

    for (const extra of [[], ['--follow']]) {
      const second = await poll(baseArgs(checkpoint, ['--hec-ack', ...extra])).done;
      assert.equal(second.code, 1);
      const lines = second.stderr.trim().split('\n');
      assert.equal(lines.length, 1, second.stderr);
      assert.match(lines[0] ?? '', new RegExp(`^WARN input=workspace-\\d+ another collector \\(pid ${first.process.pid}\\) is running this input`));
    }
    assert.deepEqual(fs.readFileSync(checkpoint), checkpointBefore, 'checkpoint untouched');
    assert.equal(hec.stats().eventRequests + hec.stats().ackRequests, hecRequests, 'nothing sent to HEC');
    assert.equal(asana.stats().requests, asanaRequests, 'nothing asked of Asana');

    first.process.kill('SIGTERM');
    const result = await first.done;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!fs.existsSync(`${checkpoint}.lock`), 'the lock is released on exit');
  });

  it('stops a --follow collector with one clear ERROR when HEC refuses the token, the checkpoint untouched', async () => {
    asana = await startMockAsana({ initialEvents: 120, spreadDays: 10 / 1440, tokens: { valid: [ASANA_TOKEN] } });
    hec = await startMockHec({ tokens: [{ token: 'another-token-entirely' }] });
    const checkpoint = path.join(tempDir('hec-e2e-fatal-'), 'acme.checkpoint');
    const run = await poll(baseArgs(checkpoint, ['--follow', '--interval', '1'])).done;
    assert.equal(run.code, 1);
    const errors = errorLines(run.stderr);
    assert.equal(errors.length, 1, run.stderr);
    assert.match(errors[0] ?? '', /Splunk HEC rejected the token.*HEC said: "Invalid token" \(code 4\).*code=hec_token_rejected/);
    assert.equal(hec.stats().eventRequests, 1, 'no retries, no second run');
    assert.ok(!fs.existsSync(checkpoint), 'nothing checkpointed');
    assert.ok(!run.stderr.includes(HEC_TOKEN));
  });

  describe('through a proxy to a HEC with a private CA', () => {
    const HOST = 'hec.splunk.test';
    let proxy: ForwardProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
      proxy = undefined;
    });

    it('goes through HTTPS_PROXY or --hec-proxy, trusting --hec-ca-bundle; without the CA bundle, one ERROR and exit 1', async () => {
      const ca = makeTestCa('Private HEC CA');
      asana = await startMockAsana({ initialEvents: 150, spreadDays: 10 / 1440, tokens: { valid: [ASANA_TOKEN] } });
      hec = await startMockHec({
        tokens: [{ token: HEC_TOKEN, ack: true, allowedIndexes: ['asana'] }],
        ackDelayMs: 10,
        tls: ca.issue({ commonName: HOST, san: `DNS:${HOST}` }),
      });
      // Only the proxy knows the HEC host's name, as in a network where HEC is reachable only through it.
      proxy = await startForwardProxy({ credentials: { user: 'svc', password: 'hec-pr0xy-pw' }, hosts: { [HOST]: '127.0.0.1' } });
      const hecUrl = `https://${HOST}:${new URL(hec.url).port}`;
      const proxyWithPassword = `http://svc:hec-pr0xy-pw@127.0.0.1:${proxy.port}`;
      const args = (checkpoint: string, extra: string[]) => [...baseArgs(checkpoint, ['--hec-ack', ...extra]), '--hec-url', hecUrl];

      const noCa = await poll(args(path.join(tempDir('hec-e2e-proxy-'), 'a.checkpoint'), []), { HTTPS_PROXY: proxyWithPassword }).done;
      assert.equal(noCa.code, 1, noCa.stderr);
      const errors = errorLines(noCa.stderr);
      assert.equal(errors.length, 1, noCa.stderr);
      assert.match(errors[0] ?? '', /TLS certificate verification failed for Splunk HEC.*--hec-ca-bundle.*code=hec_tls_error/);
      assert.equal(hec.indexed().length, 0);

      const viaEnv = await poll(args(path.join(tempDir('hec-e2e-proxy-'), 'b.checkpoint'), ['--hec-ca-bundle', ca.caFile]), { HTTPS_PROXY: proxyWithPassword })
        .done;
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      assert.equal(hec.indexed().length, 150);

      const viaFlag = await poll(args(path.join(tempDir('hec-e2e-proxy-'), 'c.checkpoint'), ['--hec-ca-bundle', ca.caFile]), {
        SPLUNK_HEC_PROXY_URL: proxyWithPassword,
      }).done;
      assert.equal(viaFlag.code, 0, viaFlag.stderr);
      assert.equal(hec.indexed().length, 300);

      assert.ok(proxy.tunnels.length >= 2 && proxy.tunnels.every((t) => t === `${HOST}:${new URL((hec as MockHec).url).port}`), JSON.stringify(proxy.tunnels));
      assert.deepEqual(proxy.forwarded, [], 'nothing sent in clear through the proxy');
      assert.equal(asana.stats().requests > 0, true);
      for (const run of [noCa, viaEnv, viaFlag]) assert.ok(!run.stderr.includes('hec-pr0xy-pw') && !run.stderr.includes(HEC_TOKEN), 'no secret in the output');
    });
  });

  it("refuses a HEC token on the command line's view and bad HEC settings before contacting anything", async () => {
    asana = await startMockAsana({ initialEvents: 5, tokens: { valid: [ASANA_TOKEN] } });
    hec = await startMockHec({ tokens: [{ token: HEC_TOKEN }] });
    const checkpoint = path.join(tempDir('hec-e2e-args-'), 'acme.checkpoint');
    const noToken = await poll(baseArgs(checkpoint), { SPLUNK_HEC_TOKEN: '' }).done;
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /^ERROR .*SPLUNK_HEC_TOKEN \/ --hec-token-file is required: set SPLUNK_HEC_TOKEN or pass --hec-token-file FILE/m);
    const tokenFlag = await poll([...baseArgs(checkpoint), '--hec-token', HEC_TOKEN]).done;
    assert.equal(tokenFlag.code, 2, 'there is no --hec-token flag');
    assert.ok(!tokenFlag.stderr.includes(HEC_TOKEN));
    const plainHttp = await poll([...baseArgs(checkpoint), '--hec-url', 'http://splunk.example.com:8088']).done;
    assert.equal(plainHttp.code, 2);
    assert.match(plainHttp.stderr, /--hec-url must use https/);
    assert.equal(asana.stats().requests, 0);
    assert.equal(hec.stats().eventRequests, 0);
  });
});
