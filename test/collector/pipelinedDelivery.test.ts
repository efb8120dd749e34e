import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Checkpoint } from '../../src/collector/checkpoint.js';
import { collect, type CollectOptions } from '../../src/collector/collector.js';
import { DeliveryWatermark } from '../../src/collector/deliveryWatermark.js';
import { ProgressLedger } from '../../src/collector/progressLedger.js';
import { newStream } from '../../src/collector/stream.js';
import type { Delivery, EventSink } from '../../src/collector/ports.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { AuditLogEvent, Page, PageQuery } from '../../src/model/auditLog.js';
import { MemoryAuditLog, makeEvent } from '../support/memoryApi.js';
import { KeysetAuditLog } from '../support/keysetAuditLog.js';
import { DyingCheckpoints, MemoryCheckpoints, MemoryEmittedLog } from '../support/memorySinks.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const SETTLE = 60 * 60_000;

/**
 * A sink like HEC with acknowledgment: it takes events at once (they are "indexed" from then
 * on, as HEC indexes what it accepted even if the sender dies) and reports them delivered after
 * a delay of its choosing, so acknowledgments arrive out of order.
 */
class AckingSink implements EventSink {
  readonly written: AuditLogEvent[] = [];
  readonly delivered = new Set<string>();
  undelivered = 0;
  maxUndelivered = 0;
  constructor(
    readonly maxUndeliveredEvents: number,
    private readonly delayMs: () => number,
  ) {}
  async write(events: readonly AuditLogEvent[]): Promise<Delivery> {
    this.written.push(...events);
    this.undelivered += events.length;
    this.maxUndelivered = Math.max(this.maxUndelivered, this.undelivered);
    const delivered = new Promise<void>((r) => setTimeout(r, this.delayMs())).then(() => {
      this.undelivered -= events.length;
      for (const e of events) this.delivered.add(e.gid);
    });
    return { delivered };
  }
}

class SlowSource {
  constructor(private readonly inner: MemoryAuditLog) {}
  async fetchPage(query: PageQuery): Promise<Page> {
    await new Promise((r) => setTimeout(r, 1));
    return this.inner.fetchPage(query);
  }
}

function backlog(n: number, days: number): AuditLogEvent[] {
  const span = days * DAY;
  return Array.from({ length: n }, (_, i) => makeEvent(10_000 + i, new Date(NOW - span + Math.floor((i * span) / n)).toISOString()));
}

const gids = (events: readonly { gid: string }[]) => events.map((e) => e.gid);

describe('DeliveryWatermark', () => {
  it('stands at the newest page delivered together with every earlier page, whatever order deliveries settle in (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }))),
        async ([n, order]) => {
          const settle: Array<() => void> = [];
          const seen: number[] = [];
          const mark = new DeliveryWatermark<number>(
            (pages) => seen.push(...pages.map((p) => p.position)),
            () => assert.fail('no failure'),
          );
          for (let i = 0; i < n; i++) mark.push({ position: i, events: 1, newestMs: i, changed: true }, new Promise<void>((r) => settle.push(r)));
          const done = new Set<number>();
          for (const i of order) {
            settle[i]?.();
            done.add(i);
            await Promise.resolve();
            await Promise.resolve();
            let prefix = 0;
            while (done.has(prefix)) prefix++;
            assert.deepEqual(seen, [...Array(prefix).keys()], 'passed pages are exactly the delivered prefix, in order');
            assert.equal(mark.pendingEvents, n - prefix);
          }
          assert.ok(mark.idle);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('passes a page without a delivery at once, but only behind the pages before it', async () => {
    const seen: string[] = [];
    const mark = new DeliveryWatermark<string>(
      (pages) => seen.push(...pages.map((p) => p.position)),
      () => undefined,
    );
    let settle!: () => void;
    mark.push({ position: 'a', events: 1, newestMs: 0, changed: true }, new Promise<void>((r) => (settle = r)));
    mark.push({ position: 'b', events: 0, newestMs: 0, changed: true });
    assert.deepEqual(seen, []);
    settle();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['a', 'b']);
    mark.push({ position: 'c', events: 1, newestMs: 0, changed: true });
    assert.deepEqual(seen, ['a', 'b', 'c'], 'synchronously, as a stdout sink needs');
  });
});

describe('ProgressLedger with deliveries pending', () => {
  it('keeps saved windows disjoint when a window is split while its pages await acknowledgment', async () => {
    const window = { startAt: '2026-11-01T00:00:00.000Z', endAt: '2026-11-03T00:00:00.000Z', offset: null, mark: null };
    const start: Checkpoint = {
      version: 2,
      generation: 1,
      workspaceGid: '42',
      filters: {},
      cursor: { startAt: '2026-11-03T00:00:00.000Z', offset: null, mark: null },
      windows: [window],
      eventsEmitted: 0,
      savedAt: new Date(NOW).toISOString(),
    };
    const checkpoints = new MemoryCheckpoints();
    const ledger = new ProgressLedger(start, checkpoints, () => NOW);
    const s = ledger.streams[0] as (typeof ledger.streams)[number];
    const afterPage = { ...window, offset: 'offset-for-the-whole-window', mark: { createdAt: '2026-11-01T06:00:00.000Z', gids: ['1'] } };
    let ack!: () => void;
    ledger.pageDone(
      s,
      { cursor: afterPage, done: false, changed: true, fresh: [makeEvent(1, '2026-11-01T06:00:00.000Z')] },
      new Promise<void>((r) => (ack = r)),
    );
    // The window's loop splits what is left at the 2nd; the second half becomes a window of its own.
    const mid = '2026-11-02T00:00:00.000Z';
    s.cursor = { ...afterPage, endAt: mid, offset: null };
    ledger.shortenWindow(s, mid);
    ledger.add(newStream({ startAt: mid, endAt: window.endAt, offset: null, mark: null }, 'window'));
    ledger.save();
    assert.deepEqual(
      checkpoints.load()?.windows.map((w) => [w.startAt, w.endAt]),
      [
        [window.startAt, mid],
        [mid, window.endAt],
      ],
      'the unacknowledged window was cut at the split, not saved whole beside its second half',
    );
    ack();
    await new Promise((r) => setImmediate(r));
    const saved = checkpoints.load()?.windows[0];
    assert.equal(saved?.endAt, mid, 'the page acknowledged after the split is saved within the shortened window');
    assert.equal(saved?.offset, null, 'with no offset: one issued for the whole window is not valid for a half');
    assert.deepEqual(saved?.mark, afterPage.mark);
  });
});

describe('collect with a sink that acknowledges later (pipelined delivery)', () => {
  it('keeps fetching while acks are pending, and saves a position only once its page and every earlier one are acknowledged', async () => {
    const api = new MemoryAuditLog();
    api.add(...backlog(400, 1 / 24));
    let seed = 7;
    // Acks 1 to 30 ms after the write: later pages are often acknowledged before earlier ones.
    const sink = new AckingSink(100, () => {
      seed = (seed * 17 + 5) % 31;
      return 1 + seed;
    });
    const violations: string[] = [];
    const checkpoints = new (class extends MemoryCheckpoints {
      override save(cp: Checkpoint): void {
        const last = cp.cursor.mark?.gids.at(-1);
        if (last !== undefined) {
          const upTo = sink.written.findIndex((e) => e.gid === last);
          for (const e of sink.written.slice(0, upTo + 1)) if (!sink.delivered.has(e.gid)) violations.push(e.gid);
        }
        super.save(cp);
      }
    })();
    const summary = await collect({ source: new SlowSource(api), sink, checkpoints, logger: silentLogger }, { workspaceGid: '42', filters: {}, pageSize: 10 });
    assert.deepEqual(violations, [], 'no checkpoint passed an unacknowledged event');
    assert.equal(summary.caughtUp, true);
    assert.equal(summary.events, 400);
    assert.deepEqual(gids(sink.written), gids(api.events));
    assert.ok(sink.maxUndelivered > 10, `pages overlapped their acks: ${sink.maxUndelivered} events unacknowledged at most`);
    assert.ok(sink.maxUndelivered <= 100, `within the sink's bound: ${sink.maxUndelivered}`);
    assert.equal(checkpoints.load()?.cursor.mark?.gids.at(-1), api.events.at(-1)?.gid, 'the run ends with everything acknowledged and saved');
  });

  it('fails the run when a delivery fails, with the checkpoint before the failed page', async () => {
    const api = new MemoryAuditLog();
    api.add(...backlog(50, 1 / 24));
    let n = 0;
    const sink: EventSink = {
      maxUndeliveredEvents: 30,
      write: async () => ({ delivered: ++n === 2 ? Promise.reject(new Error('never acknowledged')) : Promise.resolve() }),
    };
    const checkpoints = new MemoryCheckpoints();
    await assert.rejects(
      collect({ source: new SlowSource(api), sink, checkpoints, logger: silentLogger }, { workspaceGid: '42', filters: {}, pageSize: 10 }),
      /never acknowledged/,
    );
    assert.equal(checkpoints.load()?.cursor.mark?.gids.at(-1), api.events[9]?.gid, 'saved up to the first page only');
  });

  it('delivers every event across kills, repeating at most the in-flight bound per kill, parallel backfill and splits included (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 80 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 0, maxLength: 4 }),
        async (n, pageSize, concurrency, limit, kills) => {
          const api = new MemoryAuditLog();
          api.add(...backlog(n, 15));
          let seed = n + limit;
          const sink = new AckingSink(limit, () => {
            seed = (seed * 7 + 3) % 9;
            return seed;
          });
          const checkpoints = new DyingCheckpoints(kills[0] ?? Number.POSITIVE_INFINITY);
          const opts: CollectOptions = {
            workspaceGid: '42',
            filters: {},
            pageSize,
            now: () => NOW,
            backfill: { concurrency, settleMs: SETTLE, requestsPerMinute: 60_000_000 },
          };
          let runs = 0;
          let repeatsBound = 0;
          for (let k = 1; ; k++) {
            runs++;
            try {
              const summary = await collect({ source: new SlowSource(api), sink, checkpoints, logger: silentLogger }, opts);
              if (summary.caughtUp) break;
            } catch (e) {
              assert.equal((e as Error).message, 'killed');
              // A page larger than the bound still goes alone: the bound is the larger of the two.
              repeatsBound += Math.max(limit, pageSize);
            }
            // What the killed run had sent is still arriving at the sink, as HEC keeps what it accepted.
            await new Promise((r) => setTimeout(r, 12));
            checkpoints.revive(kills[k] ?? Number.POSITIVE_INFINITY);
            assert.ok(runs < 20, 'finishes');
          }
          const all = gids(sink.written);
          assert.deepEqual([...new Set(all)].sort(), [...gids(api.events)].sort(), 'nothing lost');
          const repeats = all.length - new Set(all).size;
          assert.ok(repeats <= repeatsBound, `${repeats} repeats over ${runs - 1} kills, bound ${repeatsBound}`);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("with the re-read of late events on, logs a page's gids only once it is delivered, so a page never acknowledged is sent again by the next run", async () => {
    const T = Date.parse('2026-11-20T12:00:00.000Z');
    const api = new KeysetAuditLog(T);
    const all = Array.from({ length: 9 }, (_, i) => makeEvent(500 + i, new Date(T - 9 * 60_000 + i * 1_000).toISOString()));
    api.add(...all);
    const log = new MemoryEmittedLog();
    const checkpoints = new MemoryCheckpoints();
    const written: AuditLogEvent[] = [];
    let writes = 0;
    // The second page is taken and never acknowledged: the run fails on it, as with hec_ack_timeout.
    const failing: EventSink = {
      maxUndeliveredEvents: 100,
      write: async (events) => {
        written.push(...events);
        writes++;
        return {
          delivered: writes === 2 ? new Promise<void>((_, reject) => setTimeout(() => reject(new Error('never acknowledged')), 20)) : Promise.resolve(),
        };
      },
    };
    const opts: CollectOptions = {
      workspaceGid: '42',
      filters: {},
      pageSize: 3,
      startAt: new Date(T - 10 * 60_000).toISOString(),
      now: () => T,
      lateEventMs: 60 * 60_000,
    };
    await assert.rejects(collect({ source: api, sink: failing, checkpoints, logger: silentLogger, emittedLog: log }, opts), /never acknowledged/);
    const logged = new Set(log.lines.flatMap((r) => Object.values(r).flat()));
    assert.ok(!logged.has('503') && !logged.has('505'), "the unacknowledged page's gids were not logged as emitted");

    const again: AuditLogEvent[] = [];
    const fine: EventSink = { write: async (events) => void again.push(...events) };
    await collect({ source: api, sink: fine, checkpoints, logger: silentLogger, emittedLog: log }, opts);
    assert.ok(
      ['503', '504', '505'].every((g) => again.some((e) => e.gid === g)),
      `the unacknowledged page was sent again: ${gids(again).join(',')}`,
    );
    assert.deepEqual([...new Set([...gids(written), ...gids(again)])].sort(), gids(all).sort(), 'nothing lost');
  });
});
