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
 * Drains one stream page by page: fetch, drop what was already emitted (by the mark, and for the
 * live stream and the re-read by the emitted gids), write, then hand the new position to the
 * ledger, which logs the page's gids and saves the position once the page and every earlier one
 * of the stream are delivered (at once for stdout, so a kill repeats at most the page in hand; on
 * acknowledgment for HEC, so a kill repeats at most the sink's in-flight bound). The next page is
 * fetched without waiting for that. A rejected offset restarts the query from the newest emitted
 * event. Returns when the stream is caught up or the run stops; throws whatever else the source
 * or the sink throws.
 */
export async function drainStream(s: Stream, deps: PageLoopDeps): Promise<void> {
  const { source, sink, ledger, logger } = deps;
  let consecutiveResumes = 0;
  // Pages in a row without an event past the mark that did not end the stream, and whether each gave back the offset it was asked with.
  let idlePages = 0;
  let sameOffsetEachTime = true;
  while (!deps.stopping()) {
    deps.beforePage(s);
    const query = queryFor(s.cursor, deps.base);
    let page: Page;
    try {
      // The re-read waits behind every other request for the shared budget: it never delays fresh events.
      page = await source.fetchPage(query, s.reread ? { background: true } : {});
    } catch (e) {
      if (e instanceof OffsetExpiredError && query.offset !== undefined && consecutiveResumes < MAX_CONSECUTIVE_OFFSET_RESUMES) {
        consecutiveResumes++;
        ledger.summary.offsetResumes++;
        logger.warn('Asana no longer accepts the saved page offset: resuming from the newest emitted event time without skipping or repeating events', {
          resume_at: s.cursor.mark?.createdAt ?? s.cursor.startAt ?? 'oldest',
          ...(s.live ? {} : { window_end_at: s.cursor.endAt }),
          ...(s.reread ? { reread: true } : {}),
        });
        s.cursor = { ...s.cursor, offset: null };
        continue;
      }
      throw e;
    }
    ledger.summary.pages++;
    const unmarked = dropAlreadyEmitted(page.events, s.cursor.mark);
    const fresh = ledger.unseen(s, unmarked);
    let delivery: Promise<void> | undefined;
    // Only progress clears the count: offsets that always expire must not loop forever.
    if (fresh.length > 0) {
      consecutiveResumes = 0;
      // Waits while the sink holds as many undelivered events as it may: a stop meanwhile drops the page unsent.
      if (!(await ledger.reserve(fresh.length, deps.stopping))) return;
      delivery = (await sink.write(fresh))?.delivered;
      ledger.written(s, fresh);
    }
    // Events skipped because their gids were already emitted were passed all the same: the mark
    // must cover them, or the re-read would stop short of where the offset stands.
    const cursor = advanceCursor(s.cursor, query, page, unmarked);
    // Caught up: an empty page, or a page without an offset that held nothing new.
    const drained = page.events.length === 0 || (fresh.length === 0 && page.nextOffset === null);
    const moved = JSON.stringify(cursor) !== JSON.stringify(s.cursor);
    s.cursor = cursor;
    if (drained && !s.live) s.done = true;
    ledger.pageDone(s, { cursor, done: drained, changed: moved || s.done, fresh }, delivery);
    logger.debug('page done', {
      events: fresh.length,
      repeated: page.events.length - fresh.length,
      has_next: page.nextOffset !== null,
      ...(s.live ? {} : { window_end_at: s.cursor.endAt }),
      ...(s.reread ? { reread: true } : {}),
    });
    if (drained) {
      s.done = true;
      return;
    }
    // Progress is the mark moving: a page with events past it, emitted before or not. The re-read
    // of late events and a resume after a kill with deliveries pending read events that are
    // already emitted (not fresh) for many pages in a row, and still move on.
    if (unmarked.length > 0 || query.offset === undefined) {
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
