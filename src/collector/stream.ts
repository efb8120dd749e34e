import type { Cursor } from './checkpoint.js';

/**
 * What a stream reads: a backfill window (settled time, `end_at`), the live cursor (no `end_at`),
 * or the re-read of late events (a stretch the live stream passed, read again once it is
 * late_event_minutes old, in the background).
 */
export type StreamKind = 'window' | 'live' | 'reread';

/** One stream being drained, and what this run did with it. */
export interface Stream {
  /** The live stream has no end_at; windows and the re-read do. */
  live: boolean;
  /** The re-read of late events: background priority, only gids not yet emitted, counted as late. */
  reread: boolean;
  /** Where the next page is fetched from. */
  cursor: Cursor;
  done: boolean;
  /**
   * Where the checkpoint holds the stream: the position after the newest page delivered together
   * with every earlier page (see deliveryWatermark.ts). Equal to `cursor` when the sink delivers
   * at once; behind it while HEC acknowledgments are pending.
   */
  saved: Cursor;
  /** The stream's last page is delivered: it leaves the checkpoint (windows) or is caught up (live). */
  savedDone: boolean;
  /** The first event this run emitted from the stream, and how many since: the density a split estimate uses. */
  startedAtMs: number | undefined;
  emitted: number;
  /** A split the scheduler asked of this window, applied by the window's own page loop between pages. */
  split: 'none' | 'requested' | 'declined';
}

export function newStream(cursor: Cursor, kind: StreamKind): Stream {
  return {
    live: kind === 'live',
    reread: kind === 'reread',
    cursor,
    done: false,
    saved: cursor,
    savedDone: false,
    startedAtMs: undefined,
    emitted: 0,
    split: 'none',
  };
}
