import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AuditLogEvent, Page, PageQuery } from '../../src/model/auditLog.js';
import type { Checkpoint } from '../../src/collector/checkpoint.js';
import { collect, type CollectOptions } from '../../src/collector/collector.js';
import type { PageSource } from '../../src/collector/ports.js';
import { silentLogger } from '../../src/logging/logger.js';
import { MemoryAuditLog, makeEvent } from '../support/memoryApi.js';
import { DyingCheckpoints, MemoryCheckpoints, MemorySink } from '../support/memorySinks.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const SETTLE = 60 * 60_000;

/** Round trips that take real (tiny) time, so streams overlap; counts requests in flight. */
class OverlappingSource implements PageSource {
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    readonly inner: MemoryAuditLog,
    private readonly delays: () => number = () => 1,
  ) {}
  async fetchPage(query: PageQuery): Promise<Page> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.delays()));
      return await this.inner.fetchPage(query);
    } finally {
      this.inFlight--;
    }
  }
}

/** n events spread evenly over the `days` days before NOW, `perInstant` sharing a millisecond. */
function backlog(n: number, days: number, perInstant = 1): AuditLogEvent[] {
  const span = days * DAY;
  return Array.from({ length: n }, (_, i) =>
    makeEvent(10_000 + i, new Date(NOW - span + Math.floor((Math.floor(i / perInstant) * perInstant * span) / n)).toISOString()),
  );
}

function options(extra: Partial<CollectOptions> = {}): CollectOptions {
  return {
    workspaceGid: '42',
    filters: {},
    pageSize: 10,
    now: () => NOW,
    backfill: { concurrency: 4, settleMs: SETTLE, requestsPerMinute: 60_000_000 },
    ...extra,
  };
}

const gids = (events: readonly { gid: string }[]) => events.map((e) => e.gid);

describe('parallel backfill', () => {
  it('drains a 30-day backlog in windows side by side, every event once, windows before the settled boundary', async () => {
    const api = new MemoryAuditLog();
    api.add(...backlog(600, 30));
    const source = new OverlappingSource(api);
    const sink = new MemorySink();
    const checkpoints = new MemoryCheckpoints();
    const summary = await collect({ source, sink, checkpoints, logger: silentLogger }, options());

    assert.deepEqual([...gids(sink.written)].sort(), [...gids(api.events)].sort());
    assert.equal(summary.events, 600);
    assert.equal(summary.caughtUp, true);
    assert.ok(source.maxInFlight > 1 && source.maxInFlight <= 4, `streams overlapped: ${source.maxInFlight} in flight`);
    const planned = checkpoints.saved.find((cp) => cp.windows.length > 0);
    assert.ok(planned, 'windows were saved before they were drained');
    const boundary = new Date(NOW - SETTLE).toISOString();
    assert.equal(planned.cursor.startAt, boundary, 'the live stream starts at the settled boundary');
    assert.ok(planned.windows.every((w) => Date.parse(w.endAt) <= NOW - SETTLE));
    for (const q of api.queries.filter((q) => q.endAt === undefined && q.limit === 10)) {
      assert.ok(Date.parse(q.startAt as string) >= NOW - SETTLE, 'the live stream asks only for settled-boundary-on events');
    }
    const last = checkpoints.load();
    assert.deepEqual(last?.windows, [], 'finished windows leave the checkpoint');
    assert.equal(last?.eventsEmitted, 600);
  });

  it('splits the slow window when the others finish early, and still delivers each event once', async () => {
    const api = new MemoryAuditLog();
    // 30 days behind, but all events but one in the last two days: most windows are empty.
    api.add(makeEvent(1, new Date(NOW - 30 * DAY).toISOString()), ...backlog(800, 2).map((e, i) => ({ ...e, gid: String(50_000 + i) })));
    const source = new OverlappingSource(api);
    const sink = new MemorySink();
    const checkpoints = new MemoryCheckpoints();
    await collect({ source, sink, checkpoints, logger: silentLogger }, options({ startAt: new Date(NOW - 30 * DAY).toISOString() }));
    assert.deepEqual([...gids(sink.written)].sort(), [...gids(api.events)].sort());
    const most = Math.max(...checkpoints.saved.map((cp) => cp.windows.length));
    const planned = checkpoints.saved.find((cp) => cp.windows.length > 0)?.windows.length ?? 0;
    assert.ok(planned > 0);
    const restartedWindows = api.queries.filter((q) => q.endAt !== undefined && q.offset === undefined && q.limit === 10).length;
    assert.ok(restartedWindows > planned, `splits started windows beyond the ${planned} planned (${restartedWindows})`);
    assert.ok(most >= 2);
  });

  it('resumes each window from its own mark after an expired offset, keeping its end_at', async () => {
    const api = new MemoryAuditLog();
    api.add(...backlog(300, 10, 3));
    const source = new OverlappingSource(api);
    const sink = new MemorySink();
    const checkpoints = new MemoryCheckpoints();
    const opts = options();
    await collect({ source, sink, checkpoints, logger: silentLogger }, { ...opts, shouldStop: () => sink.written.length >= 100 });
    const mid = checkpoints.load() as Checkpoint;
    assert.ok(
      mid.windows.some((w) => w.offset !== null),
      'stopped with windows holding offsets',
    );
    api.expire();
    const before = api.queries.length;
    const summary = await collect({ source, sink, checkpoints, logger: silentLogger }, opts);
    assert.ok(summary.offsetResumes >= 1);
    const resumed = api.queries.slice(before).filter((q) => q.offset === undefined && q.endAt !== undefined);
    for (const w of mid.windows) {
      if (w.offset === null || !w.mark) continue;
      assert.ok(
        resumed.some((q) => q.endAt === w.endAt && q.startAt === w.mark?.createdAt),
        `window ending ${w.endAt} resumed at its mark`,
      );
    }
    const all = gids(sink.written);
    assert.equal(new Set(all).size, all.length, 'nothing twice');
    assert.equal(all.length, 300);
  });

  it('with backfill_concurrency 1 drains one stream, and finishes windows an earlier run left', async () => {
    const api = new MemoryAuditLog();
    api.add(...backlog(200, 20));
    const source = new OverlappingSource(api);
    const sink = new MemorySink();
    const checkpoints = new MemoryCheckpoints();
    await collect({ source, sink, checkpoints, logger: silentLogger }, { ...options(), shouldStop: () => sink.written.length >= 50 });
    assert.ok((checkpoints.load()?.windows.length ?? 0) > 0);
    source.maxInFlight = 0;
    const opts = options({ backfill: { concurrency: 1, settleMs: SETTLE, requestsPerMinute: 1500 } });
    const summary = await collect({ source, sink, checkpoints, logger: silentLogger }, opts);
    assert.equal(summary.caughtUp, true);
    assert.equal(source.maxInFlight, 1);
    assert.deepEqual(checkpoints.load()?.windows, []);
    assert.deepEqual([...gids(sink.written)].sort(), [...gids(api.events)].sort());
  });

  it("carries a version 1 cursor's mark into the first window, so nothing at that instant repeats", async () => {
    const api = new MemoryAuditLog();
    const events = backlog(120, 10, 4);
    api.add(...events);
    const checkpoints = new MemoryCheckpoints();
    const sink = new MemorySink();
    // A single-stream run emitted the first 10 events (the mark sits inside a 4-event instant).
    await collect({ source: api, sink, checkpoints, logger: silentLogger }, { ...options(), backfill: undefined, shouldStop: () => sink.written.length >= 10 });
    assert.equal(sink.written.length, 10);
    assert.deepEqual(checkpoints.load()?.windows, []);
    await collect({ source: new OverlappingSource(api), sink, checkpoints, logger: silentLogger }, options());
    const all = gids(sink.written);
    assert.equal(new Set(all).size, all.length);
    assert.deepEqual([...all].sort(), [...gids(events)].sort());
  });

  it('delivers every event, repeating at most one page per stream per kill (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 0, maxLength: 4 }),
        fc.boolean(),
        async (n, perInstant, pageSize, concurrency, kills, expire) => {
          const api = new MemoryAuditLog();
          api.add(...backlog(n, 15, perInstant));
          let seed = n;
          const source = new OverlappingSource(api, () => (seed = (seed * 7 + 3) % 5));
          const sink = new MemorySink();
          const checkpoints = new DyingCheckpoints(kills[0] ?? Number.POSITIVE_INFINITY);
          const opts = options({ pageSize, backfill: { concurrency, settleMs: SETTLE, requestsPerMinute: 60_000_000 } });
          let runs = 0;
          for (let k = 1; ; k++) {
            runs++;
            try {
              const summary = await collect({ source, sink, checkpoints, logger: silentLogger }, opts);
              if (summary.caughtUp) break;
            } catch (e) {
              assert.equal((e as Error).message, 'killed');
            }
            if (expire) api.expire();
            checkpoints.revive(kills[k] ?? Number.POSITIVE_INFINITY);
            assert.ok(runs < 20, 'finishes');
          }
          const all = gids(sink.written);
          assert.deepEqual([...new Set(all)].sort(), [...gids(api.events)].sort(), 'nothing lost');
          // Streams alive at a kill: the planned windows, splits and the live stream, each with one page in hand.
          const repeats = all.length - new Set(all).size;
          assert.ok(repeats <= (runs - 1) * (2 * concurrency + 1) * pageSize, `${repeats} repeats over ${runs - 1} kills`);
        },
      ),
      { numRuns: 60 },
    );
  });
});
