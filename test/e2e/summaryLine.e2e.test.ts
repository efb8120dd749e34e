import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startMockAsana, type MockAsana, type MockFault } from '../../src/mock/server.js';
import { startMockHec, type MockHec, type MockHecFault } from '../../src/mock/hecServer.js';
import { runCli, summaryFields } from '../support/cli.js';
import { LAUNCHER, inputXml, parseEventStream, runLauncher, tempDir } from '../support/splunkdHarness.js';

const TOKEN = 'summary-e2e-token-8d2f';
const HEC_TOKEN = '0b6f2c1e-5a4d-4c3b-8e2f-9d8c7b6a5f4e';

/** N good pages, then a 401: the token revoked part-way through a run. */
const revokedAfter = (pages: number): MockFault[] => [...Array<MockFault>(pages).fill({ kind: 'serve' }), { kind: 'status', status: 401 }];

function eventsEmitted(checkpointFile: string): number {
  const lines = fs.readFileSync(checkpointFile, 'utf8').trim().split('\n');
  return (JSON.parse(lines[lines.length - 1] as string) as { checkpoint: { eventsEmitted: number } }).checkpoint.eventsEmitted;
}

describe('the summary line counts what a failed run delivered and checkpointed (e2e, through the launcher)', function () {
  this.timeout(60_000);
  let asana: MockAsana | undefined;
  let hec: MockHec | undefined;
  afterEach(async () => {
    await asana?.close();
    await hec?.close();
    asana = hec = undefined;
  });

  const pollArgs = (mock: MockAsana, checkpoint: string) => [
    'poll',
    '--workspace',
    mock.workspaceGid,
    '--base-url',
    mock.url,
    '--checkpoint',
    checkpoint,
    '--page-size',
    '100',
    '--max-requests-per-minute',
    '1500',
    '--backfill-concurrency',
    '1',
  ];

  it('poll: a token revoked after 11 pages gives n_events=1100 pages=11 status=failed, as written and checkpointed', async () => {
    asana = await startMockAsana({ initialEvents: 2_000, tokens: { valid: [TOKEN] } });
    asana.scriptFaults(revokedAfter(11));
    const checkpoint = path.join(tempDir('summary-'), 'acme.checkpoint');
    const run = await runCli(pollArgs(asana, checkpoint), { env: { ASANA_TOKEN: TOKEN } });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^ERROR .*the token was rejected \(401\)/m);
    const summary = summaryFields(run.stderr);
    assert.equal(summary?.n_events, '1100', run.stderr);
    assert.equal(summary?.pages, '11');
    assert.equal(summary?.status, 'failed');
    assert.equal(run.stdout.trim().split('\n').length, 1100, 'what was written');
    assert.equal(eventsEmitted(checkpoint), 1100, 'what was checkpointed');
  });

  it('the modular input: a token revoked after 7 pages gives n_events=700 pages=7 status=failed', async () => {
    asana = await startMockAsana({ initialEvents: 1_500, tokens: { valid: [TOKEN] } });
    asana.scriptFaults(revokedAfter(7));
    const checkpointDir = tempDir('summary-ckpt-');
    const xml = inputXml({
      checkpointDir,
      name: 'acme',
      params: { workspace_gid: asana.workspaceGid, token: TOKEN, api_base_url: asana.url, max_requests_per_minute: '1500', backfill_concurrency: '1' },
    });
    const run = await runLauncher([], xml);
    assert.equal(run.code, 1, run.stderr);
    const summary = summaryFields(run.stderr);
    assert.equal(summary?.n_events, '700', run.stderr);
    assert.equal(summary?.pages, '7');
    assert.equal(summary?.status, 'failed');
    assert.equal(parseEventStream(run.stdout).length, 700);
    assert.equal(eventsEmitted(path.join(checkpointDir, 'acme.checkpoint')), 700);
  });

  it('poll --output hec: HEC refusing the token after 5 batches gives n_events=500 pages=5 status=failed', async () => {
    asana = await startMockAsana({ initialEvents: 1_000, tokens: { valid: [TOKEN] } });
    hec = await startMockHec({ tokens: [{ token: HEC_TOKEN }] });
    hec.scriptFaults([...Array<MockHecFault>(5).fill({ kind: 'accept' }), { kind: 'status', status: 403 }]);
    const checkpoint = path.join(tempDir('summary-hec-'), 'acme.checkpoint');
    const run = await runCli([...pollArgs(asana, checkpoint), '--output', 'hec', '--hec-url', hec.url, '--hec-batch-events', '100'], {
      env: { ASANA_TOKEN: TOKEN, SPLUNK_HEC_TOKEN: HEC_TOKEN },
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /code=hec_token_rejected/);
    const summary = summaryFields(run.stderr);
    assert.equal(summary?.n_events, '500', run.stderr);
    assert.equal(summary?.pages, '5');
    assert.equal(summary?.status, 'failed');
    assert.equal(hec.indexed().length, 500);
    assert.equal(eventsEmitted(checkpoint), 500);
  });

  it('poll: a reader that closes the pipe part-way gets a summary that matches the checkpoint', async () => {
    asana = await startMockAsana({ initialEvents: 3_000, latencyMs: 5, tokens: { valid: [TOKEN] } });
    const checkpoint = path.join(tempDir('summary-pipe-'), 'acme.checkpoint');
    // `head` reads 450 lines and exits: the collector's next write meets a closed pipe.
    const cwd = tempDir('summary-pipe-cwd-');
    const shellArgs = pollArgs(asana, checkpoint)
      .map((a) => `'${a}'`)
      .join(' ');
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn('sh', ['-c', `'${LAUNCHER}' ${shellArgs} 2>collector.log | head -n 450 >/dev/null; cat collector.log`], {
        cwd,
        env: {
          PATH: process.env.PATH,
          ASANA_TOKEN: TOKEN,
          ...(process.env.ASANA_AUDIT_LOG_NODE ? { ASANA_AUDIT_LOG_NODE: process.env.ASANA_AUDIT_LOG_NODE } : {}),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
    const summary = summaryFields(stderr);
    assert.equal(summary?.status, 'failed', stderr);
    const emitted = eventsEmitted(checkpoint);
    assert.ok(emitted >= 400 && emitted < 3_000, `checkpointed ${emitted}`);
    assert.equal(summary?.n_events, String(emitted), stderr);
    assert.equal(summary?.pages, String(emitted / 100));
  });
});
