import assert from 'node:assert/strict';
import fs from 'node:fs';
import { checkpointPathFor } from '../../src/collector/checkpointStore.js';
import { startMockHec } from '../../src/mock/hecServer.js';
import { BUNDLE, hecPollArgs, hecVerdict, pollArgs, runDrainChild, runLauncher, startMockProcess, tempDir, type RunningMock } from '../../tools/benchRunner.js';

/** `npm run bench` in small: the same processes and counting, asserting correctness, never timings. */
describe('the benchmark, small (smoke)', function () {
  this.timeout(120_000);
  const EVENTS = 3000;
  const TOKEN = 'bench-smoke-token';
  let mock: RunningMock | undefined;

  before(function () {
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (npm test does)`);
  });
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  it('backfills through the launcher with one stream and with the default, 0 lost and 0 duplicated, no 429', async () => {
    mock = await startMockProcess({ initialEvents: EVENTS, latencyMs: 20, rateLimitPerMinute: 1500, tokens: { valid: [TOKEN] }, seed: 5 });
    for (const concurrency of ['1', '8']) {
      const run = await runLauncher(
        pollArgs({
          url: mock.url,
          workspaceGid: mock.workspaceGid,
          checkpoint: `${tempDir('bench-smoke-')}/c.checkpoint`,
          extra: ['--max-requests-per-minute', '1500', '--backfill-concurrency', concurrency],
        }),
        TOKEN,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.counter.verdict(EVENTS), { lost: 0, duplicated: 0 }, `backfill_concurrency ${concurrency}`);
      assert.match(run.stderr, /status=caught_up/);
      if (concurrency === '8') assert.match(run.stderr, /backfill: \d+ windows/);
    }
    assert.equal((await mock.stats()).rateLimited, 0);
  });

  it('drains with the cap lifted, and the bare baseline, 0 lost and 0 duplicated; a caught-up run fetches nothing', async () => {
    mock = await startMockProcess({ initialEvents: EVENTS, tokens: { valid: [TOKEN] }, seed: 6 });
    const spec = { url: mock.url, workspaceGid: mock.workspaceGid, token: TOKEN, concurrency: 8, checkpointDir: tempDir('bench-smoke-'), name: 'bench' };
    const addon = await runDrainChild({ ...spec, mode: 'addon' });
    assert.equal(addon.status, 'caught_up');
    assert.deepEqual(addon.counter.verdict(EVENTS), { lost: 0, duplicated: 0 });
    assert.ok(addon.maxRssKb > 0 && addon.cpuMs > 0);
    const baseline = await runDrainChild({ ...spec, mode: 'baseline', checkpointDir: tempDir('bench-smoke-') });
    assert.deepEqual(baseline.counter.verdict(EVENTS), { lost: 0, duplicated: 0 });
    const idle = await runLauncher(
      pollArgs({ url: mock.url, workspaceGid: mock.workspaceGid, checkpoint: checkpointPathFor(spec.checkpointDir, 'bench') }),
      TOKEN,
    );
    assert.equal(idle.code, 0, idle.stderr);
    assert.equal(idle.counter.total, 0);
  });

  it('backfills through HEC with pipelined acknowledgment, 0 lost and 0 duplicated', async () => {
    mock = await startMockProcess({ initialEvents: EVENTS, latencyMs: 20, rateLimitPerMinute: 1500, tokens: { valid: [TOKEN] }, seed: 7 });
    const hecToken = 'bench-smoke-hec-token';
    const hec = await startMockHec({ tokens: [{ token: hecToken, ack: true }], ackDelayMs: 200 });
    try {
      const run = await runLauncher(
        hecPollArgs({
          url: mock.url,
          workspaceGid: mock.workspaceGid,
          checkpoint: `${tempDir('bench-smoke-')}/h.checkpoint`,
          hecUrl: hec.url,
          extra: ['--max-requests-per-minute', '1500'],
        }),
        TOKEN,
        { env: { SPLUNK_HEC_TOKEN: hecToken } },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /status=caught_up/);
      assert.deepEqual(hecVerdict(hec.indexed(), EVENTS), { lost: 0, duplicated: 0 });
      assert.ok(hec.stats().maxPendingAcksPerChannel > 1, 'acks were pipelined');
    } finally {
      await hec.close();
    }
  });
});
