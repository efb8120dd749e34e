import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditLogEvent } from '../../../src/model/auditLog.js';
import { startMockHec, type MockHec } from '../../../src/mock/hecServer.js';
import { createProxyAgents, type ProxyAgents } from '../../../src/net/proxyAgents.js';
import { ChannelCookies } from '../../../src/sinks/hec/channelCookies.js';
import { HecError } from '../../../src/sinks/hec/hecErrors.js';
import { HecSink, type HecSinkOptions } from '../../../src/sinks/hec/hecSink.js';
import { startForwardProxy, type ForwardProxy } from '../../support/forwardProxy.js';
import { makeTestCa, type TestCa } from '../../support/testCa.js';
import { auditEvent } from '../../support/events.js';

const TOKEN = 'hec-hardening-token-9b1e';
const T0 = Date.parse('2026-02-01T00:00:00.000Z');
const META = { sourcetype: 'asana:audit', source: 'asana_audit_log://acme', host: 'collector1' };

function events(n: number, from = 0): AuditLogEvent[] {
  return Array.from({ length: n }, (_, i) =>
    auditEvent({
      gid: String(2_000_000 + from + i),
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

const failureOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );

describe('HEC sink: pipelined acknowledgment', () => {
  let mock: MockHec | undefined;
  let sink: HecSink | undefined;
  afterEach(async () => {
    await sink?.close();
    await mock?.close();
    sink = undefined;
    mock = undefined;
  });
  const makeSink = (opts: Partial<HecSinkOptions> = {}) => {
    sink = new HecSink({ url: (mock as MockHec).url, token: TOKEN, ack: true, metadata: META, ackPollMs: { first: 10, max: 20 }, random: () => 0.5, ...opts });
    return sink;
  };

  it('returns from write while acks are pending, so many batches wait for their acks at once', async () => {
    mock = await startMockHec({ tokens: [{ token: TOKEN, ack: true }], ackDelayMs: 300 });
    const s = makeSink({ maxBatchEvents: 10 });
    const started = Date.now();
    const deliveries = [];
    for (let i = 0; i < 10; i++) deliveries.push((await s.write(events(10, i * 10)))?.delivered);
    assert.ok(Date.now() - started < 250, `ten writes returned before any ack could arrive (${Date.now() - started} ms)`);
    while (mock.stats().eventRequests < 10 && Date.now() - started < 250) await new Promise((r) => setTimeout(r, 5));
    assert.equal(mock.stats().eventRequests, 10, 'every batch was sent without waiting for the acks of the ones before');
    assert.equal(mock.indexed().length, 0);
    await Promise.all(deliveries);
    assert.equal(mock.indexed().length, 100);
    assert.equal(s.stats.events, 100);
    assert.equal(s.stats.pendingAcks, 0);
    assert.ok(s.stats.ackPolls < 60, `one poll loop per channel asks about all ids at once (${s.stats.ackPolls} polls)`);
  });

  it('holds writes while the in-flight bounds (events, bytes, ack ids per channel) are full', async () => {
    mock = await startMockHec({ tokens: [{ token: TOKEN, ack: true }], ackDelayMs: 60, maxPendingAcksPerChannel: 3 });
    const s = makeSink({ maxBatchEvents: 5, maxInFlightEvents: 1_000, maxInFlightBytes: 1_000_000, maxPendingAcksPerChannel: 3 });
    const all: Array<Promise<void> | undefined> = [];
    for (let i = 0; i < 12; i++) all.push((await s.write(events(5, i * 5)))?.delivered);
    await Promise.all(all);
    assert.equal(mock.indexed().length, 60);
    assert.equal(mock.stats().maxPendingAcksPerChannel, 3, 'never more ack ids on the channel than allowed, and the limit was used');
    assert.equal(mock.stats().byStatus[503] ?? 0, 0, 'HEC never had to refuse a batch for it');

    await sink?.close();
    await mock.close();
    // Batches of five of these events are about 1.2 KB: a 1.5 KB byte bound lets one at a time go.
    mock = await startMockHec({ tokens: [{ token: TOKEN, ack: true }], ackDelayMs: 30 });
    const byBytes = makeSink({ maxBatchEvents: 5, maxInFlightBytes: 1_500 });
    const pending: Array<Promise<void> | undefined> = [];
    for (let i = 0; i < 6; i++) pending.push((await byBytes.write(events(5, 100 + i * 5)))?.delivered);
    await Promise.all(pending);
    assert.equal(mock.indexed().length, 30);
    assert.equal(mock.stats().maxPendingAcksPerChannel, 1, 'the byte bound held the next batch until the one before was acknowledged');
    assert.equal(byBytes.maxUndeliveredEvents, 20_000, 'the default event bound, which the collector keeps too');
  });

  it('spreads batches over several channels when asked', async () => {
    mock = await startMockHec({ tokens: [{ token: TOKEN, ack: true }], ackDelayMs: 50 });
    const s = makeSink({ maxBatchEvents: 5, channels: 3 });
    const all: Array<Promise<void> | undefined> = [];
    for (let i = 0; i < 9; i++) all.push((await s.write(events(5, i * 5)))?.delivered);
    await Promise.all(all);
    assert.equal(mock.indexed().length, 45);
    assert.equal(mock.stats().channels, 3);
    assert.ok(mock.stats().maxPendingAcksPerChannel <= 3, `batches were spread: ${mock.stats().maxPendingAcksPerChannel} at most on one channel`);
  });

  it("sends each channel's requests with the cookie a load balancer set on its answers, so acks are asked where the batch went", async () => {
    mock = await startMockHec({ tokens: [{ token: TOKEN, ack: true }], ackDelayMs: 30, stickyCookie: true });
    const s = makeSink({ maxBatchEvents: 5, channels: 2 });
    const all: Array<Promise<void> | undefined> = [];
    for (let i = 0; i < 8; i++) all.push((await s.write(events(5, i * 5)))?.delivered);
    await Promise.all(all);
    assert.equal(mock.indexed().length, 40);
    assert.ok(mock.stats().eventRequests + mock.stats().ackRequests > 10);
    assert.equal(mock.stats().cookielessRequests, 0, 'no request of a channel came without the cookie it had been given');
  });

  it('keeps name=value of each Set-Cookie per channel, the newest value winning', () => {
    const jar = new ChannelCookies();
    assert.equal(jar.header('a'), undefined);
    jar.take('a', ['AWSALB=one; Expires=Tue, 07 Dec 2026 00:00:00 GMT; Path=/', 'BIGipServerpool=123.456.0000; path=/; Httponly']);
    jar.take('b', 'AWSALB=other; Path=/');
    jar.take('a', ['AWSALB=two; Path=/', 'garbage without a value']);
    assert.equal(jar.header('a'), 'AWSALB=two; BIGipServerpool=123.456.0000');
    assert.equal(jar.header('b'), 'AWSALB=other');
  });

  it('takes writes again after a passing failure once nothing is in flight (the next run of --follow), but never after a final one', async () => {
    mock = await startMockHec({ tokens: [{ token: TOKEN, ack: true }], ackDelayMs: 5 });
    const s = makeSink({ policy: { maxRetries: 1 }, timeScale: 0.001 });
    await deliver(s, events(3));
    mock.scriptFaults([{ kind: 'busy' }, { kind: 'busy' }]);
    const busy = await failureOf(deliver(s, events(3, 3)));
    assert.ok(busy instanceof HecError && busy.code === 'hec_busy' && busy.retryable, String(busy));
    await deliver(s, events(3, 6));
    assert.equal(mock.indexed().length, 6, 'the batch HEC refused was not indexed; the next one was');
    mock.disableToken(TOKEN);
    const refused = await failureOf(deliver(s, events(3, 9)));
    assert.ok(refused instanceof HecError && refused.code === 'hec_token_rejected');
    await assert.rejects(s.write(events(1, 12)), (e: unknown) => e === refused);
  });

  it('stops with one hec_ack_timeout after 3 resends within the bounded wait when acks never arrive, naming what to check', async () => {
    mock = await startMockHec({ tokens: [{ token: TOKEN, ack: true }] });
    // Every send is taken and never indexed: an indexer that keeps losing them, or acks asked of the wrong indexer.
    mock.scriptFaults(Array.from({ length: 20 }, () => ({ kind: 'lose' as const })));
    const warnings: string[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} };
    // The defaults (3-minute ack timeout, 3 resends, 15 minutes in all) at 1/10000 of the time.
    const s = makeSink({ timeScale: 0.0001, logger, ackPollMs: { first: 5, max: 10 } });
    const started = Date.now();
    const error = await failureOf(deliver(s, events(4)));
    assert.ok(error instanceof HecError, String(error));
    assert.equal(error.code, 'hec_ack_timeout');
    assert.equal(error.retryable, false, 'not retried by the next run of --follow either');
    assert.match(error.message, /acknowledgments are not arriving/);
    assert.match(error.message, /indexer acknowledgment is on for the HEC token/);
    assert.match(error.message, /sticky sessions/);
    assert.match(error.message, /sent 4 times/);
    assert.equal(mock.stats().eventRequests, 4, 'one send and 3 resends, not 11');
    assert.equal(s.stats.resends, 3);
    assert.equal(s.stats.pendingAcks, 1, 'the health line shows the batch still awaiting its ack');
    assert.equal(warnings.length, 3);
    assert.ok(Date.now() - started < 15 * 60_000 * 0.0001 + 1_000, 'within the bounded wait');
    await assert.rejects(s.write(events(1)), (e: unknown) => e === error, 'the sink refuses further writes with the same error');
  });
});

describe('HEC sink: a hostile or wrong answer', () => {
  let server: Server | undefined;
  let sink: HecSink | undefined;
  afterEach(async () => {
    await sink?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r) ?? r(undefined));
    sink = undefined;
    server = undefined;
  });

  it('stops reading an endless answer body at 64 KiB and fails that request with hec_answer_too_large, long before the deadline', async () => {
    let sent = 0;
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.write('{"text":"Success","code":0,');
      pump();
    });
    await new Promise<void>((r) => (server as Server).listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${((server as Server).address() as AddressInfo).port}`;
    sink = new HecSink({ url, token: TOKEN, ack: false, metadata: META, timeoutMs: 10_000, random: () => 0.5, timeScale: 0.01 });
    const started = Date.now();
    const error = await failureOf(deliver(sink, events(2)));
    assert.ok(error instanceof HecError, String(error));
    assert.equal(error.code, 'hec_answer_too_large');
    assert.equal(error.retryable, false);
    assert.match(error.message, /--hec-url/);
    assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms, not at the 10 s deadline`);
    assert.ok(sent < 16 * 1024 * 1024, `the peer could push only ${sent} bytes before the connection was dropped`);
  });

  it('keeps no piece of the token when a refusal echoes it \\u-escaped past the length its text is cut to', async () => {
    // JSON parsing turns the \\u escapes back into the raw token, which straddles the 200-character cut.
    const echoed = TOKEN.replace(/-/g, '\\u002d');
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(`{"text":"${'x'.repeat(190)} ${echoed}","code":4}`);
    });
    await new Promise<void>((r) => (server as Server).listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${((server as Server).address() as AddressInfo).port}`;
    sink = new HecSink({ url, token: TOKEN, ack: false, metadata: META, random: () => 0.5, timeScale: 0.01 });
    const error = await failureOf(deliver(sink, events(1)));
    assert.ok(error instanceof HecError && error.code === 'hec_token_rejected', String(error));
    for (const piece of ['hec-h', 'hec\\u002d']) assert.equal(error.message.includes(piece), false, error.message);
  });
});

describe('HEC sink: proxy and private CA, against a TLS mock HEC', function () {
  this.timeout(20_000);
  let ca: TestCa;
  let mock: MockHec;
  let proxy: ForwardProxy | undefined;
  let agents: ProxyAgents | undefined;
  let sink: HecSink | undefined;
  const HOST = 'hec.splunk.test';

  before(async () => {
    ca = makeTestCa('Private HEC CA');
    mock = await startMockHec({ tokens: [{ token: TOKEN, ack: true }], ackDelayMs: 5, tls: ca.issue({ commonName: HOST, san: `DNS:${HOST},IP:127.0.0.1` }) });
  });
  after(async () => {
    await mock.close();
  });
  afterEach(async () => {
    await sink?.close();
    agents?.destroy();
    await proxy?.close();
    sink = undefined;
    agents = undefined;
    proxy = undefined;
  });
  const port = () => new URL(mock.url).port;
  const send = async (url: string, opts: Parameters<typeof createProxyAgents>[0]) => {
    agents = createProxyAgents({ ...opts, caBundleLabel: '--hec-ca-bundle' });
    sink = new HecSink({
      url,
      token: TOKEN,
      ack: true,
      metadata: META,
      ackPollMs: { first: 5, max: 10 },
      httpAgent: agents.httpAgent,
      httpsAgent: agents.httpsAgent,
      policy: { maxRetries: 0 },
      random: () => 0.5,
    });
    await deliver(sink, events(3));
  };

  it('goes through --hec-proxy in a CONNECT tunnel, trusting the CA of --hec-ca-bundle; the proxy never sees the token', async () => {
    proxy = await startForwardProxy({ credentials: { user: 'svc', password: 'pr0xy-secret' }, hosts: { [HOST]: '127.0.0.1' } });
    const before = mock.indexed().length;
    await send(`https://${HOST}:${port()}`, { proxyUrl: `http://svc:pr0xy-secret@127.0.0.1:${proxy.port}`, caBundle: ca.caFile, env: {} });
    assert.equal(mock.indexed().length - before, 3);
    assert.deepEqual(proxy.tunnels, [`${HOST}:${port()}`]);
    assert.deepEqual(proxy.forwarded, [], 'nothing in clear through the proxy');
    assert.ok(!JSON.stringify(proxy.connectHeaders).includes(TOKEN));
  });

  it('honours HTTPS_PROXY, and NO_PROXY for the HEC host', async () => {
    proxy = await startForwardProxy({ hosts: { [HOST]: '127.0.0.1' } });
    await send(`https://${HOST}:${port()}`, { caBundle: ca.caFile, env: { HTTPS_PROXY: proxy.url } });
    assert.equal(proxy.tunnels.length, 1);
    await sink?.close();
    agents?.destroy();
    // NO_PROXY sends it direct, where this host's resolver does not know the name: the proxy is not used.
    const error = await failureOf(send(`https://${HOST}:${port()}`, { caBundle: ca.caFile, env: { HTTPS_PROXY: proxy.url, NO_PROXY: '.splunk.test' } }));
    assert.ok(error instanceof HecError);
    assert.equal(error.code, 'hec_network_error');
    assert.equal(proxy.tunnels.length, 1, 'no second tunnel');
  });

  it('refuses the private certificate without --hec-ca-bundle: TLS is always verified', async () => {
    proxy = await startForwardProxy({ hosts: { [HOST]: '127.0.0.1' } });
    const indexed = mock.indexed().length;
    const error = await failureOf(send(`https://${HOST}:${port()}`, { proxyUrl: proxy.url, env: {} }));
    assert.ok(error instanceof HecError, String(error));
    assert.equal(error.code, 'hec_tls_error');
    assert.equal(error.retryable, false);
    assert.match(error.message, /--hec-ca-bundle/);
    assert.equal(mock.indexed().length, indexed, 'nothing more indexed');
  });

  it('stops with hec_proxy_refused when the proxy wants other credentials', async () => {
    proxy = await startForwardProxy({ credentials: { user: 'svc', password: 'right' }, hosts: { [HOST]: '127.0.0.1' } });
    const error = await failureOf(send(`https://${HOST}:${port()}`, { proxyUrl: `http://svc:wrong@127.0.0.1:${proxy.port}`, caBundle: ca.caFile, env: {} }));
    assert.ok(error instanceof HecError, String(error));
    assert.equal(error.code, 'hec_proxy_refused');
    assert.equal(error.retryable, false);
    assert.ok(!error.message.includes('wrong'));
  });
});
