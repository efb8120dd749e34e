import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeCheckpointFile } from '../../src/collector/checkpoint.js';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { LAUNCHER, runLauncher, tempDir } from '../support/splunkdHarness.js';

const TOKEN = 'e2e-backfill-token-8c2d';
const PAGE = 100;

/** Complete `<event>`s only: what splunkd keeps from a stream cut by a kill. */
function completeEvents(xml: string): Array<{ gid: string; created_at: string }> {
  const unescapeXml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#13;/g, '\r').replace(/&amp;/g, '&');
  return [...xml.matchAll(/<event [^>]*>.*?<data>(.*?)<\/data><\/event>/g)].map((m) => JSON.parse(unescapeXml(m[1] as string)));
}

describe('parallel backfill through the launcher (e2e, real child processes)', function () {
  this.timeout(120_000);
  let mock: MockAsana | undefined;

  before(function () {
    const program = path.join(path.dirname(LAUNCHER), 'ta_asana_audit_log.cjs');
    if (!fs.existsSync(program)) throw new Error(`${program} is missing: run \`npm run build\` first (npm test does)`);
  });
  afterEach(async () => {
    await mock?.close();
  });

  it('drains a backlog in windows, survives a SIGKILL mid-way, and repeats at most one page per window', async () => {
    mock = await startMockAsana({ initialEvents: 8000, spreadDays: 20, latencyMs: 15, tokens: { valid: [TOKEN] }, seed: 21 });
    const checkpoint = path.join(tempDir('e2e-backfill-'), 'acme.checkpoint');
    const args = [
      'poll',
      '--format',
      'xml',
      '--workspace',
      mock.workspaceGid,
      '--base-url',
      mock.url,
      '--checkpoint',
      checkpoint,
      '--max-requests-per-minute',
      '1500',
      '--backfill-concurrency',
      '6',
      '--name',
      'acme',
    ];
    const env = { ...process.env, ASANA_TOKEN: TOKEN };

    let seen = 0;
    const run1 = await runLauncher(args, '', {
      env,
      onStdout: (chunk, child) => {
        seen += chunk.split('</event>').length - 1;
        if (seen >= 2500 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      },
    });
    assert.equal(run1.signal, 'SIGKILL', run1.stderr);
    assert.match(run1.stderr, /backfill: \d+ windows from .* then the live stream/);
    const first = completeEvents(run1.stdout);
    assert.ok(first.length >= 2500 && first.length < 8000, `killed part way (${first.length})`);
    const atKill = decodeCheckpointFile(fs.readFileSync(checkpoint, 'utf8')).generations.at(-1);
    assert.ok(atKill && atKill.windows.length >= 1, 'the kill left windows to drain');
    const streamsAtKill = atKill.windows.length + 1;

    const run2 = await runLauncher(args, '', { env });
    assert.equal(run2.code, 0, run2.stderr);
    assert.match(run2.stderr, /resuming a backfill: \d+ windows left/);
    assert.match(run2.stderr, /status=caught_up/);
    const second = completeEvents(run2.stdout);

    const all = [...first, ...second].map((e) => e.gid);
    const expected = mock.events().map((e) => (e as { gid: string }).gid);
    assert.deepEqual([...new Set(all)].sort(), [...expected].sort(), 'every event arrived');
    const repeated = all.length - new Set(all).size;
    assert.ok(repeated <= streamsAtKill * PAGE, `${repeated} repeats for ${streamsAtKill} streams alive at the kill`);
    assert.deepEqual(decodeCheckpointFile(fs.readFileSync(checkpoint, 'utf8')).generations.at(-1)?.windows, [], 'no window left');
    assert.ok(!run1.stderr.includes(TOKEN) && !run2.stderr.includes(TOKEN));
  });
});
