import type { Cursor } from './checkpoint.js';

/** One stream being drained: a backfill window or the live cursor, and what this run did with it. */
export interface Stream {
  /** The live stream has no end_at; windows do. */
  live: boolean;
  cursor: Cursor;
  done: boolean;
  /** The first event this run emitted from the stream, and how many since: the density a split estimate uses. */
  startedAtMs: number | undefined;
  emitted: number;
  /** A split the scheduler asked of this window, applied by the window's own page loop between pages. */
  split: 'none' | 'requested' | 'declined';
}

export function newStream(cursor: Cursor, live: boolean): Stream {
  return { live, cursor, done: false, startedAtMs: undefined, emitted: 0, split: 'none' };
}
