import type { Cursor, Trail, Window } from './checkpoint.js';

/**
 * Pure planning for the re-read of late events (the trail). Asana can show an event some time
 * after its created_at; if the live stream passed that instant already, its offset never shows
 * the event. So each stretch of time the live stream passed is read once more, with
 * `start_at`/`end_at`, once it is older than late_event_minutes, and only events not yet emitted
 * are passed on. Times are epoch milliseconds; stretches are `[startAt, endAt)`.
 */

/**
 * A stretch is re-read once it spans at least this share of the horizon: fewer, longer stretches
 * cost fewer requests (each ends with an empty page), and a late event waits at most
 * `late + late / STRETCH_SHARE` plus one run interval.
 */
const STRETCH_SHARE = 4;

/**
 * Where a new trail starts. Events older than `now - late` are all visible already, so the live
 * stream reads them completely; and what the live stream passed before the trail existed has no
 * recorded gids, so the trail must not re-read it (that would emit it twice).
 */
export function startTrail(live: Cursor, nowMs: number, lateMs: number): Trail {
  const passed = passedUntilMs(live);
  const from = Math.max(Math.floor(nowMs - lateMs), passed ?? Number.NEGATIVE_INFINITY);
  return { from: iso(from) };
}

/**
 * The end (exclusive) of what the live stream has passed: one millisecond past its newest
 * emitted instant (the live stream consults the emitted gids, so the re-read may cover that
 * instant too), else its start. Undefined when it has read nothing and has no start.
 */
function passedUntilMs(live: Cursor): number | undefined {
  if (live.mark) return Date.parse(live.mark.createdAt) + 1;
  return live.startAt !== undefined ? Date.parse(live.startAt) : undefined;
}

/**
 * The stretch to re-read in this run, if one is due: the one under way, else `[from, end)` with
 * `end` the older of `now - late` and what the live stream has passed. It is due once it is long
 * enough to be worth its requests, or once the live stream stands still behind `now - late`
 * (a quiet organization), so a late event never waits for the next event to arrive.
 */
export function dueStretch(trail: Trail, live: Cursor, nowMs: number, lateMs: number): Window | undefined {
  if (trail.stretch) return trail.stretch;
  const passed = passedUntilMs(live);
  if (passed === undefined) return undefined;
  const from = Date.parse(trail.from);
  const settled = Math.floor(nowMs - lateMs);
  const end = Math.min(settled, passed);
  if (end <= from) return undefined;
  const liveStandsStill = passed <= settled;
  if (end - from < lateMs / STRETCH_SHARE && !liveStandsStill) return undefined;
  return { startAt: trail.from, endAt: iso(end), offset: null, mark: null };
}

/**
 * Before a backfill jumps the live stream forward, the trail re-reads what the live stream
 * passed (all of it older than the settled boundary by then), up to but not including the live
 * stream's newest instant: the first backfill window resumes at that instant and sees it whole.
 */
export function catchUpStretch(trail: Trail, live: Cursor): Window | undefined {
  if (trail.stretch) return trail.stretch;
  if (!live.mark) return undefined;
  const end = Date.parse(live.mark.createdAt);
  if (end <= Date.parse(trail.from)) return undefined;
  return { startAt: trail.from, endAt: iso(end), offset: null, mark: null };
}

/** The trail after its stretch was drained: everything before the stretch's end is re-read. It keeps its log (`logId`). */
export function finishStretch(stretch: Window, logId?: string): Trail {
  return { from: stretch.endAt, ...(logId !== undefined ? { logId } : {}) };
}

/** The trail once a backfill moved the live stream to the settled boundary: windows cover the rest. It keeps its log. */
export function trailAfterBackfillPlan(liveStartAt: string | undefined, trail: Trail): Trail {
  if (liveStartAt === undefined) return trail;
  return Date.parse(liveStartAt) > Date.parse(trail.from) ? { from: liveStartAt, ...(trail.logId !== undefined ? { logId: trail.logId } : {}) } : trail;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
