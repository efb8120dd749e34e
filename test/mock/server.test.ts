import assert from 'node:assert/strict';
import { auditLogEventSchema } from '../../src/model/auditLog.js';
import { errorBodySchema } from '../../src/asana/apiSchemas.js';
import { startMockAsana, type MockAsana, type MockAsanaOptions } from '../../src/mock/server.js';
import { apiGet, drain } from './helpers.js';

const T0 = Date.parse('2025-03-10T12:00:00.000Z');

describe('mock Asana audit log server', () => {
  let mock: MockAsana | undefined;
  let now = T0;
  const start = async (options: MockAsanaOptions = {}) => {
    now = T0;
    mock = await startMockAsana({ clock: () => now, seed: 42, ...options });
    return mock;
  };
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  describe('pagination', () => {
    it('pages through every event once, oldest first, with no gaps or repeats', async () => {
      const m = await start({ initialEvents: 1050 });
      const { gids, pages } = await drain(m, { limit: '100' });
      const stored = m.events() as { gid: string; created_at: string }[];
      assert.deepEqual(
        gids,
        stored.map((e) => e.gid),
      );
      assert.equal(new Set(gids).size, 1050);
      assert.equal(pages, 12); // 11 full or partial pages, then the empty "caught up" page
      const times = stored.map((e) => Date.parse(e.created_at));
      assert.ok(times.every((t, i) => i === 0 || (times[i - 1] as number) <= t));
      assert.ok((times[0] as number) >= T0 - 7 * 86_400_000 && (times[times.length - 1] as number) <= T0);
    });

    it('keeps events created in the same millisecond in a stable order across page boundaries', async () => {
      const m = await start();
      const burst = m.generateEvents(250, { at: new Date(T0 - 1000) }) as { gid: string }[];
      const { gids } = await drain(m, { limit: '7' });
      assert.deepEqual(
        gids,
        burst.map((e) => e.gid),
      );
    });

    it('serves events that validate against the collector schema, with the page envelope the API documents', async () => {
      const m = await start({ initialEvents: 30 });
      const answer = await apiGet(m, { limit: '30' });
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      for (const e of answer.json.data) auditLogEventSchema.parse(e);
      const next = answer.json.next_page;
      assert.equal(typeof next.offset, 'string');
      assert.ok(next.path.startsWith(`/workspaces/${m.workspaceGid}/audit_log_events?`));
      assert.equal(next.uri, `${m.url}${next.path}`);
      assert.equal(new URL(next.uri).searchParams.get('offset'), next.offset);
    });

    it('answers next_page null while nothing matches, then streams from the last offset as events arrive', async () => {
      const m = await start();
      const empty = await apiGet(m, { limit: '10', event_type: 'user_login_failed' });
      assert.deepEqual(empty.json, { data: [], next_page: null });

      m.addEvents([{ gid: '9001', created_at: '2025-03-10T11:00:00.000Z', event_type: 'user_login_failed' }]);
      const first = await apiGet(m, { limit: '10', event_type: 'user_login_failed' });
      assert.deepEqual(
        first.json.data.map((e: { gid: string }) => e.gid),
        ['9001'],
      );
      assert.ok(first.json.next_page);

      const caughtUp = await apiGet(m, '', { path: first.json.next_page.path });
      assert.deepEqual(caughtUp.json.data, []);
      assert.ok(caughtUp.json.next_page, 'a started stream keeps its cursor even when caught up');

      m.addEvents([
        { gid: '9002', created_at: '2025-03-10T11:30:00.000Z', event_type: 'user_login_failed' },
        { gid: '9003', created_at: '2025-03-10T11:31:00.000Z', event_type: 'user_logged_out' },
      ]);
      const later = await apiGet(m, '', { path: caughtUp.json.next_page.path });
      assert.deepEqual(
        later.json.data.map((e: { gid: string }) => e.gid),
        ['9002'],
      );
    });

    it('places a late event by its time, so a stream already past that time does not see it', async () => {
      const m = await start();
      m.addEvents([
        { gid: '1', created_at: '2025-03-10T11:00:00.000Z' },
        { gid: '2', created_at: '2025-03-10T11:10:00.000Z' },
      ]);
      const page = await apiGet(m, { limit: '10' });
      m.addEvents([{ gid: 'late', created_at: '2025-03-10T11:05:00.000Z' }]);
      const next = await apiGet(m, '', { path: page.json.next_page.path });
      assert.deepEqual(next.json.data, []);
      assert.deepEqual((await drain(m, { limit: '10' })).gids, ['1', 'late', '2']);
    });
  });

  describe('filters', () => {
    it('applies every filter and combination exactly as a scan of the store would', async () => {
      const m = await start({ initialEvents: 600 });
      const all = m.events() as {
        gid: string;
        created_at: string;
        event_type: string;
        actor: { actor_type: string; gid?: string };
        resource: { gid: string };
      }[];
      const sample = all.find((e, i) => i > 120 && e.actor.actor_type === 'user') as (typeof all)[number];
      const startAt = all[100]?.created_at as string;
      const endAt = all[400]?.created_at as string;
      const cases: Record<string, string>[] = [
        { start_at: startAt },
        { end_at: endAt },
        { start_at: startAt, end_at: endAt },
        { event_type: sample.event_type },
        { actor_type: 'asana' },
        { actor_gid: sample.actor.gid as string },
        { resource_gid: sample.resource.gid },
        { actor_type: 'user', event_type: sample.event_type, start_at: startAt },
        { actor_gid: sample.actor.gid as string, resource_gid: sample.resource.gid, end_at: endAt },
      ];
      for (const filters of cases) {
        const expected = all
          .filter((e) => filters.start_at === undefined || Date.parse(e.created_at) >= Date.parse(filters.start_at))
          .filter((e) => filters.end_at === undefined || Date.parse(e.created_at) < Date.parse(filters.end_at))
          .filter((e) => filters.event_type === undefined || e.event_type === filters.event_type)
          .filter((e) => filters.actor_type === undefined || e.actor.actor_type === filters.actor_type)
          .filter((e) => filters.actor_gid === undefined || e.actor.gid === filters.actor_gid)
          .filter((e) => filters.resource_gid === undefined || e.resource.gid === filters.resource_gid)
          .map((e) => e.gid);
        assert.ok(expected.length > 0, `case ${JSON.stringify(filters)} matches something`);
        const { gids } = await drain(m, { limit: '37', ...filters });
        assert.deepEqual(gids, expected, JSON.stringify(filters));
      }
    });

    it('treats start_at as inclusive and end_at as exclusive to the millisecond', async () => {
      const m = await start();
      m.addEvents(['00.999', '01.000', '01.001', '02.000'].map((s, i) => ({ gid: String(i), created_at: `2025-03-10T10:00:${s}Z` })));
      const { gids } = await drain(m, { limit: '10', start_at: '2025-03-10T10:00:01Z', end_at: '2025-03-10T10:00:02.000Z' });
      assert.deepEqual(gids, ['1', '2']);
    });
  });

  describe('offsets', () => {
    it('rejects an offset sent with other filters than the ones that produced it, naming the offset', async () => {
      const m = await start({ initialEvents: 50 });
      const first = await apiGet(m, { limit: '10', start_at: '2025-03-01T00:00:00Z' });
      const offset = first.json.next_page.offset as string;
      const mismatched: Record<string, string>[] = [
        { limit: '10', offset },
        { limit: '10', start_at: '2025-03-02T00:00:00Z', offset },
        { limit: '10', start_at: '2025-03-01T00:00:00Z', actor_type: 'user', offset },
      ];
      for (const query of mismatched) {
        const answer = await apiGet(m, query);
        assert.equal(answer.status, 400);
        assert.match(errorBodySchema.parse(answer.json).errors[0]?.message ?? '', /^offset: /);
      }
      const otherLimit = await apiGet(m, { limit: '5', start_at: '2025-03-01T00:00:00Z', offset });
      assert.equal(otherLimit.status, 200, 'the page size is not part of the filter set');
    });

    it('rejects an offset that was edited or made up', async () => {
      const m = await start({ initialEvents: 20 });
      const first = await apiGet(m, { limit: '5' });
      const offset = first.json.next_page.offset as string;
      const [payload, mac] = offset.split('.') as [string, string];
      const edited = Buffer.from(
        Buffer.from(payload, 'base64url')
          .toString()
          .replace(/,(\d+),/, ',0,'),
      ).toString('base64url');
      for (const bad of [`${edited}.${mac}`, 'eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9', '']) {
        const answer = await apiGet(m, { limit: '5', offset: bad });
        assert.equal(answer.status, 400);
        assert.match(answer.json.errors[0].message, /^offset: /);
      }
    });

    it('expires offsets older than offsetTtlMs with a 400 that mentions the offset', async () => {
      const m = await start({ initialEvents: 20, offsetTtlMs: 60_000 });
      const first = await apiGet(m, { limit: '5' });
      now += 60_000;
      assert.equal((await apiGet(m, '', { path: first.json.next_page.path })).status, 200);
      now += 1;
      const expired = await apiGet(m, '', { path: first.json.next_page.path });
      assert.equal(expired.status, 400);
      assert.match(expired.json.errors[0].message, /^offset: Your pagination token has expired/);
      assert.equal(typeof expired.json.errors[0].help, 'string');
    });
  });

  describe('errors', () => {
    it('answers 401 Not Authorized for a missing, wrong or revoked token', async () => {
      const m = await start({ tokens: { valid: ['good', 'soon-revoked'] } });
      m.revokeToken('soon-revoked');
      for (const token of [null, 'wrong', 'soon-revoked']) {
        const answer = await apiGet(m, { limit: '1' }, { token });
        assert.equal(answer.status, 401);
        assert.equal(answer.json.errors[0].message, 'Not Authorized');
      }
      assert.equal((await apiGet(m, { limit: '1' }, { token: 'good' })).status, 200);
    });

    it('answers 402 and 403 for tokens of those classes, with error bodies', async () => {
      const m = await start({ tokens: { paymentRequired: ['free-plan'], forbidden: ['other-org'] } });
      for (const [token, status] of [
        ['free-plan', 402],
        ['other-org', 403],
      ] as const) {
        const answer = await apiGet(m, { limit: '1' }, { token });
        assert.equal(answer.status, status);
        assert.ok(errorBodySchema.parse(answer.json).errors[0]?.message);
      }
    });

    it('answers 404 for another workspace gid or an unknown path', async () => {
      const m = await start();
      const otherWorkspace = await apiGet(m, { limit: '1' }, { path: '/workspaces/999/audit_log_events' });
      assert.equal(otherWorkspace.status, 404);
      assert.match(otherWorkspace.json.errors[0].message, /999/);
      assert.equal((await apiGet(m, {}, { path: '/users/me' })).status, 404);
    });

    it('answers 400 naming the parameter for a bad limit, date or actor_type', async () => {
      const m = await start({ initialEvents: 5 });
      const cases: [Record<string, string>, RegExp][] = [
        [{ limit: '0' }, /^limit: /],
        [{ limit: '101' }, /^limit: /],
        [{ limit: '1.5' }, /^limit: /],
        [{ limit: '10', start_at: 'yesterday' }, /^start_at: /],
        [{ limit: '10', end_at: '2025-13-45T00:00:00Z' }, /^end_at: /],
        [{ limit: '10', actor_type: 'robot' }, /^actor_type: /],
      ];
      for (const [query, message] of cases) {
        const answer = await apiGet(m, query);
        assert.equal(answer.status, 400, JSON.stringify(query));
        assert.match(answer.json.errors[0].message, message);
      }
    });

    it('rate limits per token over a sliding minute, counting rejected calls, with Retry-After in seconds', async () => {
      const m = await start({ rateLimitPerMinute: 3, initialEvents: 5 });
      for (let i = 0; i < 3; i++) {
        assert.equal((await apiGet(m, { limit: '1' })).status, 200);
        now += 1000;
      }
      const limited = await apiGet(m, { limit: '1' }); // at +3 s; the call at +1 s must leave first
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '58');
      now = T0 + 61_500; // the first two calls left the window; +2 s and the rejected +3 s still count
      assert.equal((await apiGet(m, { limit: '1' })).status, 200);
      assert.equal((await apiGet(m, { limit: '1' })).status, 429);
      assert.equal(m.stats().rateLimited, 2);
    });

    it('injects seeded 5xx answers at serverErrorRate, 500s carrying a phrase', async () => {
      const m = await start({ serverErrorRate: 1, initialEvents: 5 });
      const statuses = new Set<number>();
      for (let i = 0; i < 30; i++) {
        const answer = await apiGet(m, { limit: '1' });
        statuses.add(answer.status);
        const error = errorBodySchema.parse(answer.json).errors[0];
        if (answer.status === 500) assert.ok(error?.phrase);
      }
      assert.deepEqual([...statuses].sort(), [500, 502, 503, 504]);
    });
  });

  describe('scripted faults', () => {
    it('gives the next requests the scripted answers in order, then serves normally', async () => {
      const m = await start({ initialEvents: 5 });
      m.scriptFaults([
        { kind: 'status', status: 429, retryAfter: '2' },
        { kind: 'status', status: 502, body: '<html><body>Bad gateway</body></html>', contentType: 'text/html' },
        { kind: 'non_json' },
        { kind: 'expire_offset' },
        { kind: 'reset' },
        { kind: 'truncated' },
      ]);
      const tooMany = await apiGet(m, { limit: '5' });
      assert.equal(tooMany.status, 429);
      assert.equal(tooMany.headers.get('retry-after'), '2');
      const proxy = await apiGet(m, { limit: '5' });
      assert.equal(proxy.status, 502);
      assert.equal(proxy.headers.get('content-type'), 'text/html');
      assert.match(proxy.text, /Bad gateway/);
      const html = await apiGet(m, { limit: '5' });
      assert.equal(html.status, 200);
      assert.equal(html.json, undefined);
      const expired = await apiGet(m, { limit: '5' });
      assert.equal(expired.status, 400);
      assert.match(expired.json.errors[0].message, /^offset: /);
      await assert.rejects(apiGet(m, { limit: '5' }), 'reset');
      await assert.rejects(apiGet(m, { limit: '5' }), 'truncated body');
      const normal = await apiGet(m, { limit: '5' });
      assert.equal(normal.status, 200);
      assert.equal(normal.json.data.length, 5);
      assert.deepEqual(
        m.requestLog().map((r) => r.status),
        [429, 502, 200, 400, 0, 200, 200],
      );
      assert.equal(m.stats().requests, 7);
    });

    it('leaves a hung request unanswered until the client gives up, and close() still returns', async () => {
      const m = await start({ initialEvents: 5 });
      m.scriptFaults([{ kind: 'hang' }]);
      await assert.rejects(apiGet(m, { limit: '1' }, { signal: AbortSignal.timeout(150) }), /abort|timeout/i);
      assert.equal((await apiGet(m, { limit: '1' })).status, 200);
      const hangingForever = await start({ hangRate: 1 });
      const pending = apiGet(hangingForever, { limit: '1' }).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await hangingForever.close();
      assert.ok((await pending) instanceof Error, 'the hung socket is destroyed by close()');
      await m.close();
    });
  });

  describe('events', () => {
    it('generates the same events from the same seed and clock', async () => {
      const a = await startMockAsana({ seed: 7, clock: () => T0, initialEvents: 200 });
      const b = await startMockAsana({ seed: 7, clock: () => T0, initialEvents: 200 });
      try {
        assert.deepEqual(a.events(), b.events());
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('serves XML- and JSON-special text byte for byte as it was added', async () => {
      const m = await start();
      const tricky = {
        gid: '77',
        created_at: '2025-03-10T11:00:00.123Z',
        event_type: 'task_deleted',
        resource: { resource_type: 'task', gid: '5', name: 'a < b && c ]]> "q" \'s\' 🚀 bell\u0007 nul\u0000 \ud800' },
      };
      m.addEvents([tricky]);
      const answer = await apiGet(m, { limit: '1' });
      assert.deepEqual(answer.json.data[0], JSON.parse(JSON.stringify(tricky)));
      assert.ok(answer.text.includes('\\u0007'), 'control characters are escaped in the JSON text');
    });

    it('keeps adding events while running, with created_at of the moment they arrive', async () => {
      const m = await startMockAsana({ eventsPerSecond: 400 });
      mock = m;
      const startedAt = Date.now();
      const deadline = startedAt + 3000;
      while (m.events().length < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const events = m.events() as { created_at: string }[];
      assert.ok(events.length >= 20, `only ${events.length} events arrived`);
      for (const e of events) assert.ok(Date.parse(e.created_at) >= startedAt - 250 && Date.parse(e.created_at) <= Date.now());
      const { gids } = await drain(m, { limit: '100' });
      assert.ok(gids.length >= 20);
    });
  });
});
