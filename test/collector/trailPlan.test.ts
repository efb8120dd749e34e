import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Cursor } from '../../src/collector/checkpoint.js';
import { BUCKET_MS, EmittedGids } from '../../src/collector/emittedGids.js';
import { catchUpStretch, dueStretch, finishStretch, startTrail, trailAfterBackfillPlan } from '../../src/collector/trailPlan.js';
import { auditEvent } from '../support/events.js';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const liveAt = (ms: number): Cursor => ({ offset: 'o', mark: { createdAt: iso(ms), gids: ['1'] } });

describe('trail planning (re-read of late events)', () => {
  it('starts a new trail at now - late, or later where the live stream already passed without recording gids', () => {
    assert.equal(startTrail({ startAt: iso(NOW - 90 * 86_400_000), offset: null, mark: null }, NOW, 60 * MIN).from, iso(NOW - 60 * MIN));
    assert.equal(startTrail(liveAt(NOW - 5 * MIN), NOW, 60 * MIN).from, iso(NOW - 5 * MIN + 1));
  });

  it('re-reads nothing the live stream has not passed and nothing younger than now - late', () => {
    const trail = { from: iso(NOW - 120 * MIN) };
    const s = dueStretch(trail, liveAt(NOW - 10 * MIN), NOW, 60 * MIN);
    assert.deepEqual(s, { startAt: iso(NOW - 120 * MIN), endAt: iso(NOW - 60 * MIN), offset: null, mark: null });
    const behind = dueStretch(trail, liveAt(NOW - 100 * MIN), NOW, 60 * MIN);
    assert.equal(behind?.endAt, iso(NOW - 100 * MIN + 1), "up to and including the live stream's newest instant");
  });

  it('waits for a quarter of the horizon before re-reading, unless the live stream stands still behind now - late', () => {
    const trail = { from: iso(NOW - 70 * MIN) };
    assert.equal(dueStretch(trail, liveAt(NOW - MIN), NOW, 60 * MIN), undefined, '10 minutes is less than 15');
    assert.ok(dueStretch(trail, liveAt(NOW - MIN), NOW + 5 * MIN, 60 * MIN));
    const quiet = dueStretch(trail, liveAt(NOW - 65 * MIN), NOW, 60 * MIN);
    assert.equal(quiet?.endAt, iso(NOW - 65 * MIN + 1), 'a quiet organization: re-read up to the live stream at once');
    assert.equal(dueStretch(finishStretch(quiet!), liveAt(NOW - 65 * MIN), NOW + 30 * MIN, 60 * MIN), undefined, 'and then nothing until it moves');
  });

  it('resumes the stretch under way before planning another', () => {
    const stretch = { startAt: iso(NOW - 200 * MIN), endAt: iso(NOW - 150 * MIN), offset: 'x', mark: null };
    assert.equal(dueStretch({ from: stretch.startAt, stretch }, liveAt(NOW), NOW, 60 * MIN), stretch);
    assert.equal(catchUpStretch({ from: stretch.startAt, stretch }, liveAt(NOW)), stretch);
  });

  it("catches up to the live stream's newest instant (exclusive) before a backfill, then jumps to the boundary", () => {
    const live = liveAt(NOW - 300 * MIN);
    const s = catchUpStretch({ from: iso(NOW - 360 * MIN) }, live);
    assert.deepEqual(s, { startAt: iso(NOW - 360 * MIN), endAt: iso(NOW - 300 * MIN), offset: null, mark: null });
    assert.equal(trailAfterBackfillPlan(iso(NOW - 60 * MIN), finishStretch(s!)).from, iso(NOW - 60 * MIN));
  });

  it('covers every instant the live stream passed exactly once over any sequence of runs (stretches tile time)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 * MIN }), fc.integer({ min: 0, max: 30 * MIN })), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 90 }),
        (steps, lateMin) => {
          const late = lateMin * MIN;
          let now = NOW;
          let livePos = NOW - 2 * late;
          let trail = startTrail(liveAt(livePos), now, late);
          const start = Date.parse(trail.from);
          let covered = start;
          for (const [dt, dLive] of steps) {
            now += dt;
            livePos = Math.min(now, livePos + dLive);
            const s = dueStretch(trail, liveAt(livePos), now, late);
            if (!s) continue;
            assert.equal(Date.parse(s.startAt as string), covered, 'each stretch starts where the last ended');
            assert.ok(Date.parse(s.endAt) <= Math.min(now - late, livePos + 1), 'never younger than now - late nor past the live stream');
            covered = Date.parse(s.endAt);
            trail = finishStretch(s);
          }
        },
      ),
    );
  });
});

describe('EmittedGids', () => {
  const ev = (gid: string, ms: number) => auditEvent({ gid, created_at: iso(ms) });

  it('knows what was emitted, and drops whole buckets once they end before the horizon', () => {
    const set = new EmittedGids(NOW);
    const record = set.add([ev('a', NOW), ev('b', NOW + BUCKET_MS + 5), ev('old', NOW - 2 * BUCKET_MS)]);
    assert.deepEqual(record, { [NOW]: ['a'], [NOW + BUCKET_MS]: ['b'] }, 'nothing older than the horizon is kept');
    assert.equal(set.has(ev('a', NOW)), true);
    assert.equal(set.has(ev('a', NOW + BUCKET_MS)), false, 'a gid counts in the bucket of its created_at');
    set.advance(NOW + BUCKET_MS);
    assert.equal(set.has(ev('a', NOW)), true, 'the bucket that ends exactly at the horizon is kept');
    set.advance(NOW + BUCKET_MS + 1);
    assert.equal(set.has(ev('a', NOW)), false);
    assert.equal(set.size, 1);
  });

  it('rebuilds from its log records, leaving out buckets behind the horizon', () => {
    const first = new EmittedGids(NOW);
    const records = [first.add([ev('a', NOW), ev('b', NOW + 10)]), first.add([ev('b', NOW + 10), ev('c', NOW + 3 * BUCKET_MS)])];
    assert.deepEqual(records[1], { [NOW + 3 * BUCKET_MS]: ['c'] }, 'a repeated gid is not logged twice');
    const again = new EmittedGids(NOW + 2 * BUCKET_MS);
    for (const r of records) again.addRecord(r);
    assert.equal(again.size, 1);
    assert.deepEqual(again.records(), [{ [NOW + 3 * BUCKET_MS]: ['c'] }]);
  });
});
