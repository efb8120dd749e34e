import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Cursor, Window } from '../../src/collector/checkpoint.js';
import { pickSplit, planBackfill, positionMs, remainingEvents, splitWindow, streamsFor } from '../../src/collector/windowPlan.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-08-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Which of the streams an event at `t` (later than the cursor's position) belongs to: must be exactly one. */
function owners(t: number, windows: readonly Window[], live: Cursor): number {
  let n = 0;
  for (const w of windows) {
    const lo = w.startAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(w.startAt);
    if (t >= lo && t < Date.parse(w.endAt)) n++;
  }
  if (t >= Date.parse(live.startAt as string)) n++;
  return n;
}

const arbLive: fc.Arbitrary<Cursor> = fc.oneof(
  fc.constant<Cursor>({ offset: null, mark: null }),
  fc.integer({ min: 0, max: 30 * DAY }).map((d): Cursor => ({ startAt: iso(T0 + d), offset: 'o1', mark: null })),
  fc.integer({ min: 0, max: 30 * DAY }).map((d): Cursor => ({ startAt: iso(T0), offset: 'o2', mark: { createdAt: iso(T0 + d), gids: ['1', '2'] } })),
);

describe('streamsFor', () => {
  it('keeps enough requests in flight to use the whole budget, within the cap (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 1500 }), fc.integer({ min: 1, max: 50 }), (rttMs, rpm, cap) => {
        const n = streamsFor({ rttMs, requestsPerMinute: rpm, cap });
        assert.ok(n >= 1 && n <= cap);
        if (n < cap) assert.ok(n * (60_000 / rpm) >= rttMs, `${n} streams cover a ${rttMs} ms round trip at ${rpm}/min`);
      }),
    );
  });

  it('needs at least 7 streams for 250 ms round trips at 1,500 a minute, and 1 when turned off', () => {
    assert.ok(streamsFor({ rttMs: 250, requestsPerMinute: 1500, cap: 50 }) >= 7);
    assert.equal(streamsFor({ rttMs: 250, requestsPerMinute: 1500, cap: 8 }), 8);
    assert.equal(streamsFor({ rttMs: 250, requestsPerMinute: 1500, cap: 1 }), 1);
  });
});

describe('planBackfill', () => {
  it('gives every instant from the cursor on to exactly one stream, windows before the live one (property)', () => {
    fc.assert(
      fc.property(
        arbLive,
        fc.integer({ min: 0, max: 60 * DAY }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 100 * DAY }), { maxLength: 20 }),
        (live, firstAfter, count, probes) => {
          const at = positionMs(live) ?? T0 - 10 * DAY;
          const firstEventMs = at + Math.floor(firstAfter / 2);
          const boundaryMs = at + firstAfter + 1;
          const plan = planBackfill({ live, firstEventMs, boundaryMs, windows: count, minSpanMs: 1 });
          assert.ok(plan, 'far enough behind');
          assert.ok(plan.windows.length >= 1 && plan.windows.length <= count);
          assert.equal(plan.live.startAt, iso(boundaryMs));
          assert.deepEqual([plan.live.offset, plan.live.mark], [null, null]);
          const [first] = plan.windows;
          assert.equal(first?.startAt, live.startAt, "the first window keeps the cursor's start");
          assert.deepEqual(first?.mark, live.mark, 'and its mark, so a resume drops what was emitted at it');
          for (const w of plan.windows) assert.equal(w.offset, null, 'offsets are tied to end_at: none survives');
          for (let i = 1; i < plan.windows.length; i++) assert.equal(plan.windows[i]?.startAt, plan.windows[i - 1]?.endAt, 'contiguous');
          for (const p of [at, firstEventMs, boundaryMs - 1, boundaryMs, boundaryMs + DAY, ...probes.map((d) => at + d)]) {
            assert.equal(owners(p, plan.windows, plan.live), 1, `instant ${iso(p)}`);
          }
        },
      ),
    );
  });

  it('does not split a cursor that is close to the settled boundary', () => {
    const live: Cursor = { startAt: iso(T0), offset: 'o', mark: { createdAt: iso(T0 + DAY), gids: ['9'] } };
    assert.equal(planBackfill({ live, firstEventMs: T0 + DAY, boundaryMs: T0 + DAY + 30 * 60_000, windows: 8, minSpanMs: 3_600_000 }), undefined);
  });
});

describe('splitWindow', () => {
  const arbWindow: fc.Arbitrary<Window> = fc
    .tuple(fc.integer({ min: 0, max: 10 * DAY }), fc.integer({ min: 0, max: 10 * DAY }), fc.boolean())
    .map(([startOff, len, marked]) => ({
      startAt: iso(T0 + startOff),
      endAt: iso(T0 + startOff + len + 1),
      offset: 'o',
      mark: marked ? { createdAt: iso(T0 + startOff + Math.floor(len / 3)), gids: ['5'] } : null,
    }));

  it('partitions what is left into two windows, the first restarting from the mark (property)', () => {
    fc.assert(
      fc.property(arbWindow, fc.array(fc.nat({ max: 10 * DAY }), { maxLength: 20 }), (w, probes) => {
        const halves = splitWindow(w, 1);
        const at = positionMs(w) as number;
        const end = Date.parse(w.endAt);
        if (end - at < 2) {
          assert.equal(halves, undefined);
          return;
        }
        assert.ok(halves);
        const [a, b] = halves;
        assert.equal(a.endAt, b.startAt);
        assert.equal(b.endAt, w.endAt);
        assert.equal(a.startAt, w.startAt);
        assert.deepEqual(a.mark, w.mark);
        assert.deepEqual([a.offset, b.offset, b.mark], [null, null, null]);
        assert.ok(Date.parse(a.endAt) > at && Date.parse(a.endAt) < end);
        for (const p of [at, end - 1, ...probes.map((d) => at + (d % (end - at)))]) {
          const inA = p >= Date.parse(a.startAt as string) && p < Date.parse(a.endAt);
          const inB = p >= Date.parse(b.startAt as string) && p < Date.parse(b.endAt);
          assert.ok(inA !== inB, `instant ${iso(p)} in exactly one half`);
        }
      }),
    );
  });
});

describe('pickSplit', () => {
  const window = (startDay: number, markDay: number | null, endDay: number): Window => ({
    startAt: iso(T0 + startDay * DAY),
    endAt: iso(T0 + endDay * DAY),
    offset: 'o',
    mark: markDay === null ? null : { createdAt: iso(T0 + markDay * DAY), gids: ['1'] },
  });
  const opts = { pageSize: 100, minPages: 4, minSpanMs: 1000 };

  it('splits the window with the most events left, by the density it has shown', () => {
    const sparse = { window: window(0, 1, 10), startedAtMs: T0, emitted: 100 }; // 100/day, 9 days left: 900
    const dense = { window: window(10, 11, 12), startedAtMs: T0 + 10 * DAY, emitted: 5000 }; // 5000/day, 1 day left
    assert.equal(remainingEvents(sparse), 900);
    assert.equal(pickSplit([sparse, dense], opts), 1);
  });

  it('leaves alone a window with less than a few pages left', () => {
    const nearlyDone = { window: window(0, 9, 10), startedAtMs: T0, emitted: 300 }; // ~33 left
    assert.equal(pickSplit([nearlyDone], opts), undefined);
  });

  it('splits a window that has shown nothing yet, since it may hold anything', () => {
    assert.equal(pickSplit([{ window: window(0, null, 10), startedAtMs: T0, emitted: 0 }], opts), 0);
  });
});
