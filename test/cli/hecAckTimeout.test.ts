import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { HealthTracker } from '../../src/cli/healthLine.js';
import { CheckpointStore } from '../../src/collector/checkpointStore.js';
import { ProcessLogger } from '../../src/logging/processLogger.js';
import { Redactor } from '../../src/logging/redactor.js';
import { startMockHec, type MockHec } from '../../src/mock/hecServer.js';
import { type MockAsana, startMockAsana } from '../../src/mock/server.js';
import { runInput } from '../../src/runner/runInput.js';
import { parseInputSettings } from '../../src/settings/settings.js';
import { HecError } from '../../src/sinks/hec/hecErrors.js';
import { HecSink } from '../../src/sinks/hec/hecSink.js';

const ASANA_TOKEN = 'ack-timeout-asana-token-41d2';
const HEC_TOKEN = 'ack-timeout-hec-token-77ab';

/**
 * What `poll --output hec --hec-ack --follow` composes (runInput, the HEC sink, the health line),
 * in process, on a time base of 1/10000: the 3-minute ack timeout is 18 ms.
 */
describe('HEC acknowledgments that never arrive, as poll --follow runs them', () => {
  let asana: MockAsana | undefined;
  let hec: MockHec | undefined;
  let sink: HecSink | undefined;
  afterEach(async () => {
    await sink?.close();
    await asana?.close();
    await hec?.close();
  });

  it('stop the run with one ERROR naming what to check; the health line shows the pending acks and the checkpoint passes nothing', async () => {
    asana = await startMockAsana({ initialEvents: 30, spreadDays: 10 / 1440, tokens: { valid: [ASANA_TOKEN] } });
    hec = await startMockHec({ tokens: [{ token: HEC_TOKEN, ack: true }] });
    hec.scriptFaults(Array.from({ length: 200 }, () => ({ kind: 'lose' as const })));
    const settings = parseInputSettings('acme', {
      workspace_gid: asana.workspaceGid,
      token: ASANA_TOKEN,
      api_base_url: asana.url,
      page_size: '10',
      backfill_concurrency: '1',
    });
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (c: Buffer) => (text += c.toString()));
    const redactor = new Redactor();
    redactor.add(HEC_TOKEN);
    const base = new ProcessLogger({ level: 'INFO', redactor, stderr });
    const logger = base.forInput('acme');
    sink = new HecSink({
      url: hec.url,
      token: HEC_TOKEN,
      ack: true,
      metadata: { sourcetype: 'asana:audit' },
      logger,
      timeScale: 0.0001,
      ackPollMs: { first: 5, max: 10 },
    });
    const checkpointFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ack-timeout-')), 'acme.checkpoint');

    const outcome = await runInput({ settings, sink, checkpointFile, logger, summaryLogger: base });
    assert.equal(outcome.status, 'failed');
    assert.ok(outcome.status === 'failed' && outcome.error instanceof HecError && outcome.error.code === 'hec_ack_timeout' && !outcome.error.retryable);
    const health = new HealthTracker();
    health.record(outcome);
    const fields = health.fields('acme', 'hec', 60, { prefix: 'hec_', stats: sink.stats });
    assert.equal(fields.status, 'failing');
    assert.equal(fields.last_error, 'hec_ack_timeout');
    assert.ok(Number(fields.hec_pending_acks) >= 1, `hec_pending_acks=${fields.hec_pending_acks}`);
    assert.ok(Number(fields.hec_resends) >= 3, `hec_resends=${fields.hec_resends}`);

    const lines = text.trim().split('\n');
    const errors = lines.filter((l) => l.startsWith('ERROR'));
    assert.equal(errors.length, 1, text);
    assert.match(
      errors[0] ?? '',
      /^ERROR input=acme Splunk HEC acknowledgments are not arriving: .*indexer acknowledgment is on for the HEC token.*sticky sessions.*code=hec_ack_timeout$/,
    );
    assert.ok(
      lines.filter((l) => l.startsWith('WARN')).every((l) => /sending it again .*code=hec_ack_timeout/.test(l)),
      text,
    );
    assert.match(text, /action=events_ingested input=acme n_events=0 .*status=failed/);
    assert.equal(new CheckpointStore({ file: checkpointFile, logger }).load()?.eventsEmitted ?? 0, 0, 'the checkpoint passed no unacknowledged event');
    // Each batch was sent at most 4 times: Splunk could hold no more copies than that.
    assert.ok(hec.stats().eventRequests <= 3 * 4, `${hec.stats().eventRequests} sends for 3 batches`);
  });
});
