import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { DEFAULT_MOCK_HEC_TOKEN, startMockHec, type MockHec, type MockHecOptions } from '../../src/mock/hecServer.js';

const CHANNEL = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const ACK_TOKEN = 'ack-token-7d1e0c';

interface Answer {
  status: number;
  json: any;
}

async function post(
  mock: MockHec,
  path: string,
  body: string | Buffer,
  opts: { token?: string | null; channel?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const token = opts.token === undefined ? DEFAULT_MOCK_HEC_TOKEN : opts.token;
  const headers: Record<string, string> = { ...opts.headers };
  if (token !== null) headers.authorization = `Splunk ${token}`;
  if (opts.channel) headers['x-splunk-request-channel'] = opts.channel;
  const res = await fetch(`${mock.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: res.status, json: JSON.parse(await res.text()) };
}

const envelope = (i: number, extra: object = {}) =>
  JSON.stringify({ time: 1700000000 + i / 1000, event: { gid: String(i) }, sourcetype: 'asana:audit', ...extra });

describe('mock Splunk HTTP Event Collector', () => {
  let mock: MockHec | undefined;
  let now = 1_000_000;
  const start = async (options: MockHecOptions = {}) => {
    now = 1_000_000;
    mock = await startMockHec({ clock: () => now, ...options });
    return mock;
  };
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  it("indexes concatenated JSON envelopes in order, plain or gzip, with the token's default index", async () => {
    const m = await start();
    assert.deepEqual((await post(m, '/services/collector/event', `${envelope(1)}${envelope(2)}\n  ${envelope(3)}`)).json, { text: 'Success', code: 0 });
    const gz = zlib.gzipSync(`${envelope(4, { index: 'asana', host: 'h1', source: 's' })}\n${envelope(5)}`);
    const answer = await post(m, '/services/collector/event', gz, { headers: { 'content-encoding': 'gzip' } });
    assert.equal(answer.status, 200);
    const indexed = m.indexed();
    assert.deepEqual(
      indexed.map((e) => (e.event as { gid: string }).gid),
      ['1', '2', '3', '4', '5'],
    );
    assert.equal(indexed[3]?.index, 'asana');
    assert.equal(indexed[3]?.host, 'h1');
    assert.equal(indexed[0]?.index, 'main');
    assert.equal(indexed[0]?.time, 1700000000.001);
    assert.equal(m.stats().gzipRequests, 1);
  });

  it("answers authentication failures with HEC's codes", async () => {
    const m = await start({ tokens: [{ token: DEFAULT_MOCK_HEC_TOKEN }, { token: 'off-token-123', disabled: true }] });
    const body = envelope(1);
    assert.deepEqual(await post(m, '/services/collector/event', body, { token: null }), { status: 401, json: { text: 'Token is required', code: 2 } });
    const res = await fetch(`${m.url}/services/collector/event`, { method: 'POST', body, headers: { authorization: `Bearer ${DEFAULT_MOCK_HEC_TOKEN}` } });
    assert.deepEqual({ status: res.status, json: await res.json() }, { status: 401, json: { text: 'Invalid authorization', code: 3 } });
    assert.deepEqual(await post(m, '/services/collector/event', body, { token: 'nope-nope' }), { status: 403, json: { text: 'Invalid token', code: 4 } });
    assert.deepEqual(await post(m, '/services/collector/event', body, { token: 'off-token-123' }), { status: 403, json: { text: 'Token disabled', code: 1 } });
    m.disableToken(DEFAULT_MOCK_HEC_TOKEN);
    assert.equal((await post(m, '/services/collector/event', body)).json.code, 1);
    assert.equal(m.indexed().length, 0);
  });

  it('rejects malformed requests with the number of the first bad event, keeping the events before it', async () => {
    const m = await start({ tokens: [{ token: DEFAULT_MOCK_HEC_TOKEN, allowedIndexes: ['asana'] }] });
    assert.deepEqual((await post(m, '/services/collector/event', '')).json, { text: 'No data', code: 5 });
    assert.deepEqual((await post(m, '/services/collector/event', `${envelope(1)}{"event": `)).json, {
      text: 'Invalid data format',
      code: 6,
      'invalid-event-number': 1,
    });
    assert.deepEqual((await post(m, '/services/collector/event', `${envelope(2)}{"time": 1}`)).json, {
      text: 'Event field is required',
      code: 12,
      'invalid-event-number': 1,
    });
    assert.deepEqual((await post(m, '/services/collector/event', '{"event": ""}')).json, {
      text: 'Event field cannot be blank',
      code: 13,
      'invalid-event-number': 0,
    });
    const wrongIndex = await post(m, '/services/collector/event', envelope(3, { index: 'secret' }));
    assert.deepEqual(wrongIndex, { status: 400, json: { text: 'Incorrect index', code: 7, 'invalid-event-number': 0 } });
    const badGzip = await post(m, '/services/collector/event', Buffer.from('not gzip'), { headers: { 'content-encoding': 'gzip' } });
    assert.equal(badGzip.json.code, 6);
    assert.deepEqual(
      m.indexed().map((e) => (e.event as { gid: string }).gid),
      ['1', '2'],
    );
  });

  it('refuses bodies over max_content_length with 413', async () => {
    const m = await start({ maxContentLength: 2_000 });
    const big = Array.from({ length: 50 }, (_, i) => envelope(i)).join('\n');
    assert.equal((await post(m, '/services/collector/event', big)).status, 413);
    assert.equal((await post(m, '/services/collector/event', zlib.gzipSync(big), { headers: { 'content-encoding': 'gzip' } })).status, 413);
    assert.equal(m.indexed().length, 0);
  });

  describe('indexer acknowledgment', () => {
    const ackMock = () => start({ tokens: [{ token: ACK_TOKEN, ack: true }, { token: DEFAULT_MOCK_HEC_TOKEN }], ackDelayMs: 500 });

    it('requires a valid channel and numbers acks per channel from 0', async () => {
      const m = await ackMock();
      assert.deepEqual((await post(m, '/services/collector/event', envelope(1), { token: ACK_TOKEN })).json, { text: 'Data channel is missing', code: 10 });
      assert.deepEqual((await post(m, '/services/collector/event', envelope(1), { token: ACK_TOKEN, channel: 'not-a-guid' })).json, {
        text: 'Invalid data channel',
        code: 11,
      });
      assert.deepEqual((await post(m, '/services/collector/event', envelope(1), { token: ACK_TOKEN, channel: CHANNEL })).json, {
        text: 'Success',
        code: 0,
        ackId: 0,
      });
      assert.equal((await post(m, '/services/collector/event', envelope(2), { token: ACK_TOKEN, channel: CHANNEL })).json.ackId, 1);
      const other = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
      assert.equal((await post(m, `/services/collector/event?channel=${other}`, envelope(3), { token: ACK_TOKEN })).json.ackId, 0);
    });

    it('turns an ack true only once the batch is indexed, reports it once, then forgets it', async () => {
      const m = await ackMock();
      await post(m, '/services/collector/event', envelope(1), { token: ACK_TOKEN, channel: CHANNEL });
      const ask = () => post(m, '/services/collector/ack', JSON.stringify({ acks: [0, 5] }), { token: ACK_TOKEN, channel: CHANNEL });
      assert.deepEqual((await ask()).json, { acks: { '0': false, '5': false } });
      assert.equal(m.indexed().length, 0, 'not indexed before the delay');
      now += 500;
      assert.deepEqual((await ask()).json, { acks: { '0': true, '5': false } });
      assert.deepEqual((await ask()).json, { acks: { '0': false, '5': false } });
      assert.equal(m.indexed().length, 1);
    });

    it('never acknowledges a lost batch, and says so for tokens without ack', async () => {
      const m = await ackMock();
      m.scriptFaults([{ kind: 'lose' }]);
      assert.equal((await post(m, '/services/collector/event', envelope(1), { token: ACK_TOKEN, channel: CHANNEL })).json.ackId, 0);
      now += 60_000;
      assert.deepEqual((await post(m, '/services/collector/ack', '{"acks":[0]}', { token: ACK_TOKEN, channel: CHANNEL })).json, { acks: { '0': false } });
      assert.equal(m.indexed().length, 0);
      assert.deepEqual((await post(m, '/services/collector/ack', '{"acks":[0]}', { channel: CHANNEL })).json, { text: 'ACK is disabled', code: 14 });
      assert.deepEqual((await post(m, '/services/collector/ack', '{"acks":"x"}', { token: ACK_TOKEN, channel: CHANNEL })).json, {
        text: 'Invalid data format',
        code: 6,
      });
    });
  });

  it('answers scripted faults and seeded 503 bursts, indexing nothing for them', async () => {
    const m = await start({ busy: { rate: 0.3, burst: 3 }, seed: 5 });
    let busy = 0;
    let run = 0;
    let longestRun = 0;
    for (let i = 0; i < 60; i++) {
      const a = await post(m, '/services/collector/event', envelope(i));
      if (a.status === 503) {
        assert.deepEqual(a.json, { text: 'Server is busy', code: 9 });
        busy++;
        longestRun = Math.max(longestRun, ++run);
      } else run = 0;
    }
    assert.ok(busy > 0 && longestRun >= 3, `bursts seen (busy=${busy}, longest=${longestRun})`);
    assert.equal(m.indexed().length, 60 - busy);

    const m2 = await startMockHec();
    try {
      m2.scriptFaults([{ kind: 'busy' }, { kind: 'status', status: 500 }, { kind: 'reset' }]);
      assert.equal((await post(m2, '/services/collector/event', envelope(1))).status, 503);
      assert.equal((await post(m2, '/services/collector/event', envelope(1))).status, 500);
      await assert.rejects(post(m2, '/services/collector/event', envelope(1)));
      assert.equal((await post(m2, '/services/collector/event', envelope(1))).status, 200);
      assert.equal(m2.indexed().length, 1);
    } finally {
      await m2.close();
    }
  });

  it('reports health and 404s for unknown paths', async () => {
    const m = await start();
    const health = await fetch(`${m.url}/services/collector/health`);
    assert.deepEqual(await health.json(), { text: 'HEC is healthy', code: 17 });
    assert.equal((await post(m, '/services/nothing', envelope(1))).status, 404);
  });
});
