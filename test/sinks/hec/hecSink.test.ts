import assert from 'node:assert/strict';
import type { AuditLogEvent } from '../../../src/model/auditLog.js';
import { HecError } from '../../../src/sinks/hec/hecErrors.js';
import { HecSink, type HecSinkOptions } from '../../../src/sinks/hec/hecSink.js';
import { DEFAULT_MOCK_HEC_TOKEN, startMockHec, type MockHec, type MockHecOptions } from '../../../src/mock/hecServer.js';
import { auditEvent } from '../../support/events.js';

const ACK_TOKEN = 'ack-token-51c2a9e0';
const T0 = Date.parse('2026-02-01T00:00:00.000Z');

function events(n: number, from = 0): AuditLogEvent[] {
  return Array.from({ length: n }, (_, i) =>
    auditEvent({
      gid: String(1_000_000 + from + i),
      created_at: new Date(T0 + (from + i) * 7).toISOString(),
      event_type: 'user_login_succeeded',
    }),
  );
}

/** Writes and waits for the delivery, as the collector's watermark does. */
async function deliver(s: HecSink, batch: AuditLogEvent[]): Promise<void> {
  const d = await s.write(batch);
  await d?.delivered;
}

const gidsOf = (mock: MockHec) => mock.indexed().map((e) => (e.event as { gid: string }).gid);

describe('HEC sink against the mock HEC', () => {
  let mock: MockHec | undefined;
  let sink: HecSink | undefined;
  const start = async (options: MockHecOptions = {}) => {
    mock = await startMockHec({ tokens: [{ token: DEFAULT_MOCK_HEC_TOKEN }, { token: ACK_TOKEN, ack: true }], ...options });
    return mock;
  };
  const makeSink = (opts: Partial<HecSinkOptions> = {}) => {
    sink = new HecSink({
      url: (mock as MockHec).url,
      token: DEFAULT_MOCK_HEC_TOKEN,
      ack: false,
      metadata: { sourcetype: 'asana:audit', source: 'asana_audit_log://acme', host: 'collector1' },
      timeScale: 0.01,
      random: () => 0.5,
      ...opts,
    });
    return sink;
  };
  afterEach(async () => {
    await sink?.close();
    await mock?.close();
    sink = undefined;
    mock = undefined;
  });

  it('without ack: sends gzip batches by count, in order, and resolves on HTTP 200', async () => {
    const m = await start();
    const s = makeSink({ maxBatchEvents: 100, metadata: { sourcetype: 'asana:audit', index: 'asana', host: 'collector1', source: 'src' } });
    const batch = events(250);
    await deliver(s, batch);
    assert.deepEqual(
      gidsOf(m),
      batch.map((e) => e.gid),
    );
    assert.equal(m.stats().eventRequests, 3);
    assert.equal(m.stats().gzipRequests, 3);
    const first = m.indexed()[0];
    assert.equal(first?.index, 'asana');
    assert.equal(first?.sourcetype, 'asana:audit');
    assert.equal(first?.time, T0 / 1000);
    assert.deepEqual(first?.event, JSON.parse(batch[0]!.json));
    assert.equal(first?.channel, undefined);
    assert.deepEqual({ events: s.stats.events, batches: s.stats.batches, retries: s.stats.retries }, { events: 250, batches: 3, retries: 0 });
  });

  it('splits by bytes too', async () => {
    const m = await start();
    const s = makeSink({ maxBatchBytes: 2_000 });
    await deliver(s, events(40));
    assert.ok(m.stats().eventRequests >= 4, `${m.stats().eventRequests} requests`);
    assert.equal(gidsOf(m).length, 40);
  });

  it('with ack: resolves only once every batch is acknowledged as indexed, not on HTTP 200', async () => {
    const m = await start({ ackDelayMs: 300 });
    const s = makeSink({ token: ACK_TOKEN, ack: true, maxBatchEvents: 30, ackPollMs: { first: 20, max: 40 }, timeScale: 1 });
    const started = Date.now();
    let resolved = false;
    const writing = deliver(s, events(100)).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(resolved, false, 'still waiting for acks');
    assert.equal(m.stats().eventRequests, 4, 'all four batches were sent and accepted');
    assert.equal(m.indexed().length, 0);
    await writing;
    assert.ok(Date.now() - started >= 300);
    assert.equal(m.indexed().length, 100);
    assert.equal(m.stats().acksReported, 4);
    assert.match(s.channel ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(m.indexed().every((e) => e.channel === s.channel));
    assert.equal(s.stats.pendingAcks, 0);
  });

  it('retries 503 bursts and dropped connections with backoff, indexing each event once', async () => {
    const m = await start();
    const s = makeSink();
    m.scriptFaults([{ kind: 'busy' }, { kind: 'busy' }, { kind: 'reset' }, { kind: 'status', status: 502 }]);
    await deliver(s, events(10));
    assert.deepEqual(
      gidsOf(m),
      events(10).map((e) => e.gid),
    );
    assert.equal(s.stats.retries, 4);
    assert.equal(m.stats().eventRequests, 5);
  });

  it('with ack: sends a batch again when Splunk never acknowledges it (an indexer lost it)', async () => {
    const m = await start({ ackDelayMs: 20 });
    const s = makeSink({ token: ACK_TOKEN, ack: true, ackTimeoutMs: 200, ackPollMs: { first: 10, max: 20 }, timeScale: 1 });
    m.scriptFaults([{ kind: 'lose' }]);
    await deliver(s, events(5));
    assert.deepEqual(
      gidsOf(m),
      events(5).map((e) => e.gid),
      'indexed exactly once',
    );
    assert.equal(s.stats.resends, 1);
  });

  it('with ack: retries ack polls through 503s', async () => {
    const m = await start({ ackDelayMs: 10 });
    const s = makeSink({ token: ACK_TOKEN, ack: true, ackPollMs: { first: 5, max: 10 } });
    m.scriptAckFaults([{ kind: 'busy' }, { kind: 'reset' }, { kind: 'busy' }]);
    await deliver(s, events(3));
    assert.equal(m.indexed().length, 3);
    assert.equal(m.stats().eventRequests, 1, 'the batch itself was not sent again');
    assert.equal(s.stats.retries, 3);
    assert.ok(s.stats.ackPolls >= 4);
  });

  const fatalCases: Array<{ name: string; setup: (m: MockHec) => Partial<HecSinkOptions>; code: string; mock?: MockHecOptions }> = [
    { name: 'an unknown token', setup: () => ({ token: 'wrong-token-0a1b2c3d' }), code: 'hec_token_rejected' },
    {
      name: 'a disabled token',
      setup: (m) => {
        m.disableToken(DEFAULT_MOCK_HEC_TOKEN);
        return {};
      },
      code: 'hec_token_rejected',
    },
    {
      name: 'an index the token may not write to',
      setup: () => ({ metadata: { sourcetype: 'asana:audit', index: 'secret' } }),
      code: 'hec_index_rejected',
      mock: { tokens: [{ token: DEFAULT_MOCK_HEC_TOKEN, allowedIndexes: ['asana'] }] },
    },
    { name: 'an ack token used without --hec-ack', setup: () => ({ token: ACK_TOKEN }), code: 'hec_ack_required' },
    { name: '--hec-ack with a token that has ack off', setup: () => ({ ack: true }), code: 'hec_ack_disabled' },
    { name: 'a URL that is not HEC', setup: (m) => ({ url: `${m.url}/not-hec` }), code: 'hec_not_found' },
  ];
  for (const c of fatalCases) {
    it(`stops at once, without retrying, on ${c.name}`, async () => {
      const m = c.mock ? await startMockHec(c.mock) : await start();
      mock = m;
      const s = makeSink(c.setup(m));
      const error = await deliver(s, events(3)).then(
        () => assert.fail('write resolved'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof HecError);
      assert.equal(error.code, c.code);
      assert.equal(error.retryable, false);
      assert.equal(s.stats.retries, 0);
      assert.equal(s.stats.events, 0);
      assert.ok(!error.message.includes(DEFAULT_MOCK_HEC_TOKEN) && !error.message.includes('wrong-token-0a1b2c3d'));
      assert.equal(m.indexed().length, 0);
    });
  }

  it('gives up with a retryable error when HEC stays busy, claiming nothing', async () => {
    const m = await start({ busy: { rate: 1, burst: 1 } });
    const s = makeSink({ policy: { maxRetries: 3 } });
    await assert.rejects(deliver(s, events(3)), (e: unknown) => e instanceof HecError && e.code === 'hec_busy' && e.retryable);
    assert.equal(m.stats().eventRequests, 4);
    assert.equal(s.stats.retries, 3);
    assert.equal(s.stats.events, 0);
  });

  it('close() ends a write that is waiting out a backoff', async () => {
    const m = await start({ busy: { rate: 1, burst: 1 } });
    const s = makeSink({ timeScale: 1 });
    const writing = deliver(s, events(1));
    await new Promise((r) => setTimeout(r, 50));
    await s.close();
    await assert.rejects(writing, HecError);
    assert.equal(m.indexed().length, 0);
  });
});
