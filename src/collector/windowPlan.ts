import type { Cursor, Window } from './checkpoint.js';

/**
 * Pure planning for parallel backfill: how many streams cover the request budget, where the
 * windows split the span behind the cursor, and which slow window to split when a stream idles.
 * Times are epoch milliseconds; windows are `[startAt, endAt)` like the API's bounds.
 */

/** Requests in flight beyond round-trip / spacing, for our own write and checkpoint time per page. */
const HEADROOM = 1.25;

export interface StreamSizing {
  /** Measured round trip of one request, ms. */
  rttMs: number;
  /** The client's request budget. */
  requestsPerMinute: number;
  /** `backfill_concurrency`. */
  cap: number;
}

/**
 * Streams needed to keep the budget busy: one stream sends a request per round trip, the budget
 * allows one per `60000 / requestsPerMinute` ms, so about `rtt / spacing` must be in flight.
 */
export function streamsFor({ rttMs, requestsPerMinute, cap }: StreamSizing): number {
  if (cap <= 1) return 1;
  const spacingMs = 60_000 / requestsPerMinute;
  const needed = Math.ceil((Math.max(0, rttMs) * HEADROOM) / spacingMs) + 1;
  return Math.max(1, Math.min(cap, needed));
}

/** Where a cursor stands: its mark's instant, else its start, else unknown (the oldest event). */
export function positionMs(cursor: Cursor): number | undefined {
  if (cursor.mark) return Date.parse(cursor.mark.createdAt);
  return cursor.startAt !== undefined ? Date.parse(cursor.startAt) : undefined;
}

/** The newest instant a backfill window may reach: events younger than it can still show up late. */
export function settledBoundaryMs(nowMs: number, settleMs: number): number {
  return Math.floor(nowMs - settleMs);
}

/** Whether the live cursor is far enough behind the settled boundary for windows to pay off. */
export function isFarBehind(live: Cursor, boundaryMs: number, minSpanMs: number): boolean {
  const at = positionMs(live);
  return at === undefined || boundaryMs - at >= minSpanMs;
}

export interface BackfillPlanInput {
  live: Cursor;
  /** created_at of the oldest event at or after the live cursor's position (a probe found it). */
  firstEventMs: number;
  boundaryMs: number;
  windows: number;
  minSpanMs: number;
}

export interface BackfillPlan {
  windows: Window[];
  /** The live stream, starting at the newest boundary. */
  live: Cursor;
}

/**
 * Splits the span from the live cursor to the settled boundary into disjoint windows of equal
 * length, measured from the first event still to collect. The first window keeps the cursor's
 * start and mark, so a resume from the mark drops what was already emitted at that instant; its
 * offset is dropped because offsets belong to the filters they were issued with (end_at included).
 */
export function planBackfill(input: BackfillPlanInput): BackfillPlan | undefined {
  const { live, boundaryMs, minSpanMs } = input;
  const at = positionMs(live);
  if (!isFarBehind(live, boundaryMs, minSpanMs)) return undefined;
  const from = Math.max(input.firstEventMs, at ?? Number.NEGATIVE_INFINITY);
  if (!(from < boundaryMs)) return undefined;
  const count = Math.max(1, Math.floor(input.windows));
  const ends: number[] = [];
  for (let i = 1; i < count; i++) {
    const end = Math.floor(from + ((boundaryMs - from) * i) / count);
    if (end > (ends[ends.length - 1] ?? from) && end < boundaryMs) ends.push(end);
  }
  ends.push(boundaryMs);
  const windows: Window[] = ends.map((end, i) =>
    i === 0
      ? { ...(live.startAt !== undefined ? { startAt: live.startAt } : {}), endAt: iso(end), offset: null, mark: live.mark }
      : { startAt: iso(ends[i - 1] as number), endAt: iso(end), offset: null, mark: null },
  );
  return { windows, live: { startAt: iso(boundaryMs), offset: null, mark: null } };
}

/**
 * Splits what is left of a window in two halves of time. The first half restarts from the mark
 * (offsets are tied to end_at, which changes) and drops what it already emitted there; the second
 * starts fresh at the midpoint. Undefined when the window's position is unknown or too little is left.
 */
export function splitWindow(window: Window, minSpanMs: number): [Window, Window] | undefined {
  const at = positionMs(window);
  if (at === undefined) return undefined;
  const end = Date.parse(window.endAt);
  if (end - at < Math.max(2, 2 * minSpanMs)) return undefined;
  const mid = at + Math.floor((end - at) / 2);
  const first: Window = { ...(window.startAt !== undefined ? { startAt: window.startAt } : {}), endAt: iso(mid), offset: null, mark: window.mark };
  const second: Window = { startAt: iso(mid), endAt: window.endAt, offset: null, mark: null };
  return [first, second];
}

export interface WindowProgress {
  window: Window;
  /** created_at of the first event this run emitted from it (empty stretches before it say nothing of density). */
  startedAtMs: number | undefined;
  /** Events it emitted since. */
  emitted: number;
}

/**
 * Events left in a window, extrapolated from the density it has shown in this run. Unknown
 * density counts as infinite: such a window has produced nothing yet and may be large.
 */
export function remainingEvents(p: WindowProgress): number {
  const at = positionMs(p.window);
  if (at === undefined) return Number.POSITIVE_INFINITY;
  const left = Date.parse(p.window.endAt) - at;
  if (left <= 0) return 0;
  if (p.startedAtMs === undefined || p.emitted === 0 || at <= p.startedAtMs) return Number.POSITIVE_INFINITY;
  return (p.emitted * left) / (at - p.startedAtMs);
}

/**
 * The window worth splitting for an idle stream: the one with the most work left, if that is at
 * least `minPages` pages (a split costs a restart request and a final empty page).
 */
export function pickSplit(candidates: readonly WindowProgress[], opts: { pageSize: number; minPages: number; minSpanMs: number }): number | undefined {
  let best: number | undefined;
  let bestLeft = 0;
  let bestSpan = 0;
  candidates.forEach((c, i) => {
    if (!splitWindow(c.window, opts.minSpanMs)) return;
    const left = remainingEvents(c);
    if (left < opts.minPages * opts.pageSize) return;
    const span = Date.parse(c.window.endAt) - (positionMs(c.window) as number);
    if (best === undefined || left > bestLeft || (left === bestLeft && span > bestSpan)) {
      best = i;
      bestLeft = left;
      bestSpan = span;
    }
  });
  return best;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
