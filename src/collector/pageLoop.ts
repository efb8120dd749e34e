import type { Logger } from '../logging/logger.js';
import type { Page, PageQuery } from '../model/auditLog.js';
import { advanceCursor, dropAlreadyEmitted, queryFor } from './cursor.js';
import { NoProgressError, noProgressAllowance } from './noProgress.js';
import { type EventSink, OffsetExpiredError, type PageSource } from './ports.js';
import type { ProgressLedger } from './progressLedger.js';
import type { Stream } from './stream.js';

/** How often in a row a fresh offset may be rejected before the run gives up. */
const MAX_CONSECUTIVE_OFFSET_RESUMES = 3;

export interface PageLoopDeps {
  source: PageSource;
  /** Shared by every stream and serialized, so pages of different streams never interleave. */
  sink: EventSink;
  ledger: ProgressLedger;
  logger: Logger;
  base: Pick<PageQuery, 'workspaceGid' | 'filters' | 'limit'>;
  stopping: () => boolean;
  /** Runs before each page: a split asked of this stream is applied here, so only its own loop moves its cursor. */
  beforePage: (s: Stream) => void;
}

/**
 * Drains one stream page by page: fetch, write (resolving once flushed), then record the new
 * position in the ledger, which saves the checkpoint. A kill repeats at most the page in hand. A
 * rejected offset restarts the query from the newest emitted event. Returns when the stream is
 * caught up or the run stops; throws whatever else the source or the sink throws.
 */
export async function drainStream(s: Stream, deps: PageLoopDeps): Promise<void> {
  const { source, sink, ledger, logger } = deps;
  let consecutiveResumes = 0;
  // Pages in a row without a new event that did not end the stream, and whether each gave back the offset it was asked with.
  let idlePages = 0;
  let sameOffsetEachTime = true;
  while (!deps.stopping()) {
    deps.beforePage(s);
    const query = queryFor(s.cursor, deps.base);
    let page: Page;
    try {
      page = await source.fetchPage(query);
    } catch (e) {
      if (e instanceof OffsetExpiredError && query.offset !== undefined && consecutiveResumes < MAX_CONSECUTIVE_OFFSET_RESUMES) {
        consecutiveResumes++;
        ledger.summary.offsetResumes++;
        logger.warn('Asana no longer accepts the saved page offset: resuming from the newest emitted event time without skipping or repeating events', {
          resume_at: s.cursor.mark?.createdAt ?? s.cursor.startAt ?? 'oldest',
          ...(s.live ? {} : { window_end_at: s.cursor.endAt }),
        });
        s.cursor = { ...s.cursor, offset: null };
        continue;
      }
      throw e;
    }
    ledger.summary.pages++;
    const fresh = dropAlreadyEmitted(page.events, s.cursor.mark);
    // Only progress clears the count: offsets that always expire must not loop forever.
    if (fresh.length > 0) {
      consecutiveResumes = 0;
      await sink.write(fresh);
      ledger.flushed(s, fresh);
    }
    const cursor = advanceCursor(s.cursor, query, page, fresh);
    // Caught up: an empty page, or a page without an offset that held nothing new.
    const drained = page.events.length === 0 || (fresh.length === 0 && page.nextOffset === null);
    const moved = JSON.stringify(cursor) !== JSON.stringify(s.cursor);
    s.cursor = cursor;
    if (drained && !s.live) s.done = true;
    ledger.pageDone(moved || s.done, fresh.length);
    logger.debug('page done', { events: fresh.length, repeated: page.events.length - fresh.length, has_next: page.nextOffset !== null, ...(s.live ? {} : { window_end_at: s.cursor.endAt }) });
    if (drained) {
      s.done = true;
      return;
    }
    if (fresh.length > 0 || query.offset === undefined) {
      // A query without an offset (a new cursor, a resume from the mark, a window just split)
      // starts over at the mark and legitimately reads the mark's events again: the allowance
      // counts from there. Such restarts are bounded (offset resumes, window splits).
      idlePages = 0;
      sameOffsetEachTime = true;
    } else {
      idlePages++;
      sameOffsetEachTime &&= page.nextOffset === query.offset;
      if (idlePages >= noProgressAllowance(s.cursor.mark, deps.base.limit)) {
        // The offset led nowhere: drop it, so the next run resumes from the mark (the newest delivered event).
        s.cursor = { ...s.cursor, offset: null };
        ledger.save();
        throw new NoProgressError(idlePages, sameOffsetEachTime);
      }
    }
  }
}
