import assert from 'node:assert/strict';
import { OffsetExpiredError } from '../../src/collector/ports.js';
import { AuditLogClient, type AuditLogClientOptions } from '../../src/asana/auditLogClient.js';
import { AsanaApiError } from '../../src/asana/asanaApiError.js';
import type { PageQuery } from '../../src/model/auditLog.js';
import { CERTIFICATE_FAILURE_CODES, errorBody, event, pageBody, recordingLogger, rejectionOf } from './helpers.js';
import { nock, useNock } from './nockScope.js';

const ORIGIN = 'https://asana.invalid';
const BASE = `${ORIGIN}/api/1.0`;
const PATH = '/api/1.0/workspaces/1234/audit_log_events';
const TOKEN = 'tok-0123456789abcdef';
const QUERY: PageQuery = { workspaceGid: '1234', filters: {}, limit: 100 };
const OK = pageBody([event('1')], 'next-1');

type Reply = [status: number, body: string, headers?: Record<string, string>] | Error;

/** Answers the next requests in order; returns the times they arrived. */
function script(...replies: Reply[]): number[] {
  const arrivals: number[] = [];
  for (const reply of replies) {
    const interceptor = nock(ORIGIN).get(PATH).query(true);
    const scope = reply instanceof Error ? interceptor.replyWithError(reply) : interceptor.reply(reply[0], reply[1], reply[2]);
    scope.on('request', () => arrivals.push(Date.now()));
  }
  return arrivals;
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

function withCode(code: string): Error {
  return Object.assign(new Error(`simulated ${code}`), { code });
}

describe('AuditLogClient over scripted Asana answers', () => {
  const clients: AuditLogClient[] = [];
  function client(overrides: Partial<AuditLogClientOptions> = {}): AuditLogClient {
    const c = new AuditLogClient({
      baseUrl: BASE,
      token: TOKEN,
      maxRequestsPerMinute: 60_000,
      timeScale: 0.01,
      random: () => 0,
      ...overrides,
    });
    clients.push(c);
    return c;
  }

  useNock();
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  describe('requests', () => {
    it('sends GET with limit, offset, time bounds and filters, the bearer token and a JSON accept header', async () => {
      const scope = nock(ORIGIN)
        .matchHeader('authorization', `Bearer ${TOKEN}`)
        .matchHeader('accept', 'application/json')
        .matchHeader('user-agent', 'TA-asana-audit-log')
        .get(PATH)
        .query({
          limit: '50',
          offset: 'eyJvZmZzZXQiOjF9+/=',
          start_at: '2025-01-01T00:00:00.000Z',
          end_at: '2025-01-02T00:00:00.000Z',
          event_type: 'user_login_failed',
          actor_type: 'user',
          actor_gid: '42',
          resource_gid: '43',
        })
        .reply(200, OK);
      const page = await client().fetchPage({
        workspaceGid: '1234',
        filters: { event_type: 'user_login_failed', actor_type: 'user', actor_gid: '42', resource_gid: '43' },
        startAt: '2025-01-01T00:00:00.000Z',
        endAt: '2025-01-02T00:00:00.000Z',
        offset: 'eyJvZmZzZXQiOjF9+/=',
        limit: 50,
      });
      assert.ok(scope.isDone());
      assert.deepEqual(page, { events: [{ gid: '1', created_at: '2024-10-18T04:42:40.072Z', json: JSON.stringify(event('1')) }], nextOffset: 'next-1' });
    });

    it('sends only limit when no offset, bounds or filters are given', async () => {
      const scope = nock(ORIGIN).get(PATH).query({ limit: '100' }).reply(200, OK);
      await client().fetchPage({ ...QUERY, filters: { event_type: '' } });
      assert.ok(scope.isDone());
    });

    it('returns the events as sent and a null next offset when next_page is null', async () => {
      const raw = '{"data":[{"z":1,"gid":"9","created_at":"2024-10-18T04:42:40.072Z","new_field":{"b":1,"a":2}}],"next_page":null}';
      script([200, raw, { 'content-type': 'application/json' }]);
      const page = await client().fetchPage(QUERY);
      assert.equal(page.nextOffset, null);
      assert.deepEqual(
        page.events.map((e) => e.json),
        ['{"z":1,"gid":"9","created_at":"2024-10-18T04:42:40.072Z","new_field":{"b":1,"a":2}}'],
      );
    });

    it('spaces requests evenly to honour maxRequestsPerMinute', async () => {
      // 600 a minute is one per 100 ms; scaled by 0.2 that is one per 20 ms.
      const c = client({ maxRequestsPerMinute: 600, timeScale: 0.2 });
      script([200, OK]);
      await c.fetchPage(QUERY); // warms up the first request's one-off costs, which would blur the gaps
      const arrivals = script(...Array.from({ length: 5 }, (): Reply => [200, OK]));
      const asked = Date.now();
      await Promise.all(Array.from({ length: 5 }, () => c.fetchPage(QUERY)));
      // The k-th request may leave no sooner than k spacings after they were asked for. Only lower bounds: a busy
      // machine delays arrivals, which could shrink a single gap between two of them but never these.
      const since = arrivals.map((t) => t - asked).sort((a, b) => a - b);
      for (const [k, ms] of since.entries()) assert.ok(ms >= 20 * k - 2, `request ${k} arrived ${ms} ms after the ask (all: ${since})`);
    });

    it('sends a request of the live stream before background ones (the re-read) already waiting for the budget', async () => {
      const c = client({ maxRequestsPerMinute: 600, timeScale: 0.1, maxConcurrent: 1 });
      const sent: string[] = [];
      nock(ORIGIN)
        .get(PATH)
        .query(true)
        .times(4)
        .delay(30)
        .reply(function () {
          sent.push(new URL(this.req.path, ORIGIN).searchParams.get('offset') ?? '?');
          return [200, OK];
        });
      const background = ['b1', 'b2', 'b3'].map((offset) => c.fetchPage({ ...QUERY, offset }, { background: true }));
      const live = c.fetchPage({ ...QUERY, offset: 'live' });
      await Promise.all([...background, live]);
      // b1 takes the one slot at once and is answered 30 ms later; of the requests waiting by then, the live one goes first.
      assert.deepEqual(sent, ['b1', 'live', 'b2', 'b3']);
    });
  });

  describe('rate limiting (429)', () => {
    it('waits the Retry-After seconds before retrying, and counts the wait', async () => {
      const arrivals = script([429, errorBody('Too many requests'), { 'Retry-After': '3' }], [200, OK]);
      const logger = recordingLogger();
      const c = client({ logger });
      const page = await c.fetchPage(QUERY);
      assert.equal(page.nextOffset, 'next-1');
      assert.ok(arrivals[1]! - arrivals[0]! >= 30, `retried after ${arrivals[1]! - arrivals[0]!} ms, want >= 30`);
      assert.deepEqual(c.stats, { requests: 2, retries: 1, throttledWaits: 1, rateLimited: 1 });
      const warn = logger.lines.find((l) => l.level === 'WARN');
      assert.equal(warn?.fields?.code, 'rate_limited');
      assert.match(String(warn?.fields?.cause), /rate limit/);
    });

    it('holds every caller sharing the client while the Retry-After runs, not just the one refused', async () => {
      // Whichever request goes first is refused for 5 s (50 ms scaled); all others must wait too,
      // including one already queued in the limiter and one that starts during the wait.
      const arrivals = script([429, errorBody('Too many requests'), { 'Retry-After': '5' }], [200, OK], [200, OK], [200, OK]);
      const c = client({ maxConcurrent: 1 });
      const first = c.fetchPage(QUERY);
      const queued = c.fetchPage(QUERY);
      while (c.stats.rateLimited === 0) await new Promise((r) => setTimeout(r, 1));
      const late = c.fetchPage(QUERY);
      await Promise.all([first, queued, late]);
      assert.equal(arrivals.length, 4);
      for (const later of arrivals.slice(1)) {
        assert.ok(later - arrivals[0]! >= 50, `a request went out ${later - arrivals[0]!} ms after the 429, want >= 50`);
      }
      assert.ok(c.stats.throttledWaits >= 3, `throttledWaits ${c.stats.throttledWaits}`);
      assert.equal(c.stats.rateLimited, 1);
    });

    it('holds requests already admitted to a concurrent client until the gate opens', async () => {
      const arrivals = script([429, '', { 'Retry-After': '4' }], ...Array.from({ length: 4 }, (): Reply => [200, OK]));
      const c = client({ maxConcurrent: 8, maxRequestsPerMinute: 6_000, timeScale: 0.01 });
      // Limiter spacing (0.1 ms) is far below the 429's round trip, so these are all queued or
      // admitted before the 429 lands; none but the refused one may be sent before 40 ms after it.
      const calls = [c.fetchPage(QUERY)];
      while (arrivals.length === 0) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 2));
      calls.push(c.fetchPage(QUERY), c.fetchPage(QUERY), c.fetchPage(QUERY));
      await Promise.all(calls);
      for (const later of arrivals.slice(1)) assert.ok(later - arrivals[0]! >= 40, `arrivals ${arrivals}`);
    });

    it("falls back to the policy's default wait when Retry-After is absent", async () => {
      const arrivals = script([429, ''], [200, OK]);
      await client({ policy: { defaultRetryAfterMs: 4_000 } }).fetchPage(QUERY);
      assert.ok(arrivals[1]! - arrivals[0]! >= 40, `retried after ${arrivals[1]! - arrivals[0]!} ms`);
    });

    it('reads a Retry-After given as an HTTP date', async () => {
      const until = new Date(Date.now() + 3_000).toUTCString();
      const arrivals = script([429, '', { 'Retry-After': until }], [200, OK]);
      await client().fetchPage(QUERY);
      // The date is whole seconds, so at least 2 s remain when it is read: 20 ms scaled.
      assert.ok(arrivals[1]! - arrivals[0]! >= 20, `retried after ${arrivals[1]! - arrivals[0]!} ms`);
    });

    it('gives up with rate_limited after maxRateLimitRetries', async () => {
      script(...Array.from({ length: 3 }, (): Reply => [429, errorBody('Slow down'), { 'Retry-After': '0' }]));
      const c = client({ policy: { maxRateLimitRetries: 2 } });
      const e = await rejectionOf(c.fetchPage(QUERY));
      assert.ok(e instanceof AsanaApiError);
      assert.equal(e.code, 'rate_limited');
      assert.equal(e.retryable, true);
      assert.equal(e.apiMessage, 'Slow down');
      assert.deepEqual(c.stats, { requests: 3, retries: 2, throttledWaits: 0, rateLimited: 3 });
    });

    it('does not sit out a Retry-After longer than the policy allows', async () => {
      script([429, '', { 'Retry-After': '3600' }]);
      const c = client({ timeScale: 1 });
      const started = Date.now();
      const e = await rejectionOf(c.fetchPage(QUERY));
      assert.ok(e instanceof AsanaApiError);
      assert.equal(e.code, 'rate_limited');
      assert.equal(e.retryAfterSeconds, 3600);
      assert.ok(Date.now() - started < 1_000);
      assert.equal(c.stats.requests, 1);
    });
  });

  describe('transient failures', () => {
    it('retries 500, 502, 503 and 504 with growing backoff, then returns the page', async () => {
      const arrivals = script([500, errorBody('Server Error')], [502, '<html>Bad Gateway</html>'], [503, ''], [504, ''], [200, OK]);
      const logger = recordingLogger();
      // 1 s base doubling, no jitter, scaled by 0.003: 3, 6, 12, 24 ms.
      const c = client({ logger, timeScale: 0.003, policy: { baseDelayMs: 1_000, backoffFactor: 2, jitter: 0 } });
      const page = await c.fetchPage(QUERY);
      assert.equal(page.events.length, 1);
      assert.equal(c.stats.retries, 4);
      assert.equal(c.stats.requests, 5);
      gaps(arrivals).forEach((gap, i) => {
        assert.ok(gap >= 3 * 2 ** i, `gaps ${gaps(arrivals)}`);
      });
      const warns = logger.lines.filter((l) => l.level === 'WARN');
      assert.deepEqual(
        warns.map((w) => [w.fields?.code, w.fields?.status]),
        [
          ['server_error', 500],
          ['server_error', 502],
          ['server_error', 503],
          ['server_error', 504],
        ],
      );
    });

    it('throws the last error, still retryable, when retries run out', async () => {
      script([503, errorBody('one')], [503, errorBody('two')], [503, errorBody('three')]);
      const c = client({ policy: { maxRetries: 2, baseDelayMs: 10 } });
      const e = await rejectionOf(c.fetchPage(QUERY));
      assert.ok(e instanceof AsanaApiError);
      assert.equal(e.code, 'server_error');
      assert.equal(e.retryable, true);
      assert.equal(e.apiMessage, 'three');
      assert.deepEqual(c.stats, { requests: 3, retries: 2, throttledWaits: 0, rateLimited: 0 });
    });

    it("retries a proxy's HTML page, a cut-off body and JSON that is not a page", async () => {
      script(
        [200, '<html><body>Proxy login</body></html>', { 'content-type': 'text/html' }],
        [200, '{"data":[{"gid":"1","crea'],
        [200, '{"message":"hello"}'],
        [200, OK],
      );
      const c = client({ policy: { baseDelayMs: 10 } });
      assert.equal((await c.fetchPage(QUERY)).nextOffset, 'next-1');
      assert.equal(c.stats.retries, 3);
    });

    it('retries a connection reset', async () => {
      script(withCode('ECONNRESET'), [200, OK]);
      const c = client({ policy: { baseDelayMs: 10 } });
      assert.equal((await c.fetchPage(QUERY)).events.length, 1);
      assert.equal(c.stats.retries, 1);
    });
  });

  describe('failures that are not retried', () => {
    it("throws the matching code with Asana's own message for 400, 401, 402, 403, 404 and 451", async () => {
      const cases = [
        [400, 'bad_request'],
        [401, 'unauthorized'],
        [402, 'payment_required'],
        [403, 'forbidden'],
        [404, 'not_found'],
        [451, 'legal_unavailable'],
      ] as const;
      for (const [status, code] of cases) {
        script([status, errorBody(`Asana says ${status}`)]);
        const c = client();
        const e = await rejectionOf(c.fetchPage(QUERY));
        assert.ok(e instanceof AsanaApiError);
        assert.equal(e.code, code);
        assert.equal(e.status, status);
        assert.equal(e.retryable, false);
        assert.equal(e.apiMessage, `Asana says ${status}`);
        assert.equal(c.stats.requests, 1, `status ${status} was retried`);
      }
    });

    it('reports a 400 about the offset of a request that sent one as offset_expired', async () => {
      script([400, errorBody('offset: Your pagination token is invalid or has expired.')]);
      const e = await rejectionOf(client().fetchPage({ ...QUERY, offset: 'old' }));
      assert.ok(e instanceof OffsetExpiredError);
      assert.equal(e.code, 'offset_expired');
      assert.ok(e.message.includes('Asana said: "offset: Your pagination token is invalid or has expired."'), e.message);
    });

    it('reports certificate failures as tls_error without retrying', async () => {
      for (const code of CERTIFICATE_FAILURE_CODES) {
        script(withCode(code));
        const c = client();
        const e = await rejectionOf(c.fetchPage(QUERY));
        assert.ok(e instanceof AsanaApiError);
        assert.equal(e.code, 'tls_error', code);
        assert.equal(e.retryable, false);
        assert.match(e.message, /ca_bundle/);
        assert.equal(c.stats.requests, 1);
      }
    });

    it('stops at an event without created_at, naming it, instead of skipping it', async () => {
      script([200, pageBody([event('1'), { gid: '77', event_type: 'x' }], 'n')]);
      const c = client();
      const e = await rejectionOf(c.fetchPage(QUERY));
      assert.ok(e instanceof AsanaApiError);
      assert.equal(e.code, 'invalid_response');
      assert.equal(e.retryable, false);
      assert.match(e.message, /event 2 of 2 on the page \(gid 77\)/);
      assert.match(e.message, /run stops before this event/);
      assert.equal(c.stats.requests, 1);
    });
  });

  describe('closing', () => {
    it('ends a call waiting out a long Retry-After at once, and refuses new calls', async () => {
      script([429, '', { 'Retry-After': '100' }]);
      const c = client({ timeScale: 1 });
      const waiting = rejectionOf(c.fetchPage(QUERY));
      while (c.stats.throttledWaits === 0) await new Promise((r) => setTimeout(r, 1));
      const started = Date.now();
      await c.close();
      const e = await waiting;
      assert.ok(Date.now() - started < 1_000);
      assert.ok(e instanceof AsanaApiError);
      assert.match(e.message, /client was closed/);
      const after = await rejectionOf(c.fetchPage(QUERY));
      assert.ok(after instanceof AsanaApiError);
      assert.equal(c.stats.requests, 1);
    });
  });
});
