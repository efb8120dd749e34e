import { isAsanaApiError } from '../asana/errors.js';
import type { AuditLogEvent, Filters } from '../asana/schemas.js';
import type { Logger } from '../logging/logger.js';
import type { Checkpoint, Cursor, Window } from './checkpoint.js';
import type { CheckpointPort, CollectSummary } from './collector.js';
import { advanceCursor, dropAlreadyEmitted, queryFor } from './cursor.js';
import type { EmittedGids } from './emittedGids.js';
import type { EmittedLogPort, EventSink, PageSource } from './ports.js';
import { finishStretch } from './trailPlan.js';
import { SerialSink } from './serialSink.js';
import { pickSplit, splitWindow } from './windowPlan.js';

/** How often in a row a fresh offset may be rejected before the run gives up. */
const MAX_CONSECUTIVE_OFFSET_RESUMES = 3;
/** A split is only worth it when the slow window has at least this many pages left. */
const DEFAULT_MIN_SPLIT_PAGES = 4;
const DEFAULT_MIN_SPLIT_SPAN_MS = 1_000;

export interface DrainOptions {
  workspaceGid: string;
  filters: Filters;
  pageSize: number;
  /** Streams drained at the same time (1: one after another, windows oldest first). */
  concurrency: number;
  minSplitPages?: number;
  minSplitSpanMs?: number;
  shouldStop?: () => boolean;
  onProgress?: (progress: Readonly<CollectSummary> & { newest: string | null }) => void;
  now?: () => number;
  /** The re-read of late events, when late_event_minutes is on. */
  reread?: RereadOptions;
  /** Drain only the windows and the re-read (the catch-up before a backfill plan). */
  skipLive?: boolean;
}

export interface RereadOptions {
  /** The stretch to re-read in this run, if one is due. */
  stretch: Window | undefined;
  /** Gids emitted at or after the trail's start: the live stream and the re-read skip them. */
  emitted: EmittedGids;
  log: EmittedLogPort;
  /** The trail is new: it is saved before the first gid is logged. */
  unsaved?: boolean;
}

/** Compaction rewrites the emitted-gid log once it holds this many times the gids still needed. */
const COMPACT_FACTOR = 2;

interface Stream {
  /** The live stream has no end_at; windows and the re-read do. */
  live: boolean;
  /** The re-read of late events: background priority, only events not yet emitted, counted as late. */
  reread: boolean;
  cursor: Cursor;
  done: boolean;
  /** The first event this run emitted from the stream, and how many since: the density a split estimate uses. */
  startedAtMs: number | undefined;
  emitted: number;
  split: 'none' | 'requested' | 'declined';
}

/**
 * Drains the checkpoint's backfill windows and its live stream, up to `concurrency` at once,
 * under whatever budget the source enforces. Per stream the order is the single stream's: fetch,
 * write (serialized with the other streams, resolving once flushed), then save a checkpoint that
 * holds every stream's newest flushed position. A kill repeats at most the page in hand of each
 * stream. When a stream is done and nothing waits, the slowest window is split in two so no slot
 * idles. Errors stop every stream at its next page boundary and are rethrown.
 */
export async function drainStreams(
  deps: { source: PageSource; sink: EventSink; checkpoints: CheckpointPort; logger: Logger },
  start: Checkpoint,
  opts: DrainOptions,
): Promise<CollectSummary> {
  const { source, checkpoints, logger } = deps;
  const sink = new SerialSink(deps.sink);
  const now = opts.now ?? Date.now;
  const minSplitPages = opts.minSplitPages ?? DEFAULT_MIN_SPLIT_PAGES;
  const minSplitSpanMs = opts.minSplitSpanMs ?? DEFAULT_MIN_SPLIT_SPAN_MS;
  const summary: CollectSummary = { events: 0, pages: 0, lagSeconds: null, offsetResumes: 0, caughtUp: false, lateEvents: 0 };
  const newStream = (cursor: Cursor, kind: 'window' | 'live' | 'reread' = 'window'): Stream => ({
    live: kind === 'live',
    reread: kind === 'reread',
    cursor,
    done: false,
    startedAtMs: undefined,
    emitted: 0,
    split: 'none',
  });
  const liveStream = newStream(start.cursor, 'live');
  if (opts.skipLive) liveStream.done = true;
  const reread = opts.reread;
  const rereadStream = reread?.stretch ? newStream(reread.stretch, 'reread') : undefined;
  // The re-read comes last: with one stream at a time it starts only once the live stream is caught up.
  const streams: Stream[] = [
    ...start.windows.map((w) => newStream(w)),
    ...(opts.skipLive ? [] : [liveStream]),
    ...(rereadStream ? [rereadStream] : []),
  ];
  let cp = start;
  let trail = start.trail;
  /** Gids appended to the emitted-gid log since it was last rewritten. */
  let logged = reread?.emitted.size ?? 0;
  let trailUnsaved = reread?.unsaved ?? false;
  let newestMs = Number.NEGATIVE_INFINITY;
  let failure: { error: unknown } | undefined;

  const stopping = (): boolean => failure !== undefined || (opts.shouldStop?.() ?? false);

  const save = (): void => {
    const windows = streams.filter((s) => !s.live && !s.reread && !s.done).map((s) => s.cursor as Window);
    windows.sort((a, b) => Date.parse(a.endAt) - Date.parse(b.endAt));
    if (trail && rereadStream && !rereadStream.done) trail = { ...trail, stretch: rereadStream.cursor as Window };
    cp = { ...cp, generation: cp.generation + 1, cursor: liveStream.cursor, windows, ...(trail ? { trail } : {}), savedAt: new Date(now()).toISOString() };
    checkpoints.save(cp);
  };

  /** The re-read passed its stretch: the trail moves on, the checkpoint first, then the log drops what it no longer needs. */
  const finishReread = (s: Stream): void => {
    if (!reread) return;
    trail = finishStretch(s.cursor as Window);
    reread.emitted.advance(Date.parse(trail.from));
    save();
    if (logged > COMPACT_FACTOR * reread.emitted.size) {
      reread.log.rewrite(reread.emitted.records());
      logged = reread.emitted.size;
    }
  };

  const newest = (): string | null => {
    let best: string | null = null;
    for (const s of streams) {
      const at = s.cursor.mark?.createdAt;
      if (at !== undefined && (best === null || Date.parse(at) > Date.parse(best))) best = at;
    }
    return best;
  };

  // Scheduling state: streams waiting for a slot, streams running, slots reserved by a split request.
  const queue: Stream[] = streams.slice();
  const running = new Set<Stream>();
  let splitsPending = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const schedule = (): void => {
    while (!stopping() && running.size + splitsPending < opts.concurrency) {
      const next = queue.shift();
      if (next) {
        running.add(next);
        void runStream(next).then(() => {
          running.delete(next);
          schedule();
        });
        continue;
      }
      const candidates = [...running].filter((s) => !s.live && !s.reread && s.split === 'none');
      const at = pickSplit(
        candidates.map((s) => ({ window: s.cursor as Window, startedAtMs: s.startedAtMs, emitted: s.emitted })),
        { pageSize: opts.pageSize, minPages: minSplitPages, minSpanMs: minSplitSpanMs },
      );
      if (at === undefined) break;
      (candidates[at] as Stream).split = 'requested';
      splitsPending++;
    }
    if (running.size === 0 && (queue.length === 0 || stopping())) finish();
  };

  /** Applied by the window itself between pages, so only one task ever moves a window's cursor. */
  const applySplit = (s: Stream): void => {
    splitsPending--;
    const halves = splitWindow(s.cursor as Window, minSplitSpanMs);
    if (!halves) {
      s.split = 'declined';
      return;
    }
    const [first, second] = halves;
    s.cursor = first;
    s.split = 'none';
    const added = newStream(second);
    streams.push(added);
    queue.push(added);
    save();
    logger.debug('split a slow backfill window for an idle stream', { kept_end_at: first.endAt, new_start_at: second.startAt ?? null, new_end_at: second.endAt });
  };

  const base = { workspaceGid: opts.workspaceGid, filters: opts.filters, limit: opts.pageSize };

  const runStream = async (s: Stream): Promise<void> => {
    let consecutiveResumes = 0;
    try {
      while (!stopping()) {
        if (s.split === 'requested') {
          applySplit(s);
          schedule();
        }
        const query = queryFor(s.cursor, base);
        let page;
        try {
          page = await source.fetchPage(query, s.reread ? { background: true } : {});
        } catch (e) {
          if (isAsanaApiError(e) && e.code === 'offset_expired' && query.offset !== undefined && consecutiveResumes < MAX_CONSECUTIVE_OFFSET_RESUMES) {
            consecutiveResumes++;
            summary.offsetResumes++;
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
        summary.pages++;
        const unmarked = dropAlreadyEmitted(page.events, s.cursor.mark);
        // Windows hold only settled events older than the trail; the live stream and the re-read share the emitted gids.
        const fresh = reread && (s.live || s.reread) ? unmarked.filter((e) => !reread.emitted.has(e)) : unmarked;
        // Only progress clears the count: offsets that always expire must not loop forever.
        if (fresh.length > 0) {
          consecutiveResumes = 0;
          await sink.write(fresh);
          if (reread && (s.live || s.reread)) {
            const record = reread.emitted.add(fresh);
            if (trailUnsaved && Object.keys(record).length > 0) {
              // The position saved is the one before this page: a kill from here repeats the page in hand.
              save();
              trailUnsaved = false;
            }
            reread.log.append(record);
            for (const gids of Object.values(record)) logged += gids.length;
          }
          if (s.reread) summary.lateEvents += fresh.length;
          summary.events += fresh.length;
          s.emitted += fresh.length;
          s.startedAtMs ??= Date.parse((fresh[0] as AuditLogEvent).created_at);
          const pageNewest = newestOf(fresh);
          // Late events are old by nature; the lag tells how far behind the live stream is.
          if (!s.reread && pageNewest >= newestMs) {
            newestMs = pageNewest;
            summary.lagSeconds = Math.max(0, Math.round((now() - pageNewest) / 1000));
          }
        }
        // Events skipped because their gids were already emitted were passed all the same: the
        // mark must cover them, or the re-read would stop short of where the offset stands.
        const cursor = advanceCursor(s.cursor, query, page, fresh === unmarked ? fresh : unmarked);
        // Caught up: an empty page, or a page without an offset that held nothing new.
        const drained = page.events.length === 0 || (fresh.length === 0 && page.nextOffset === null);
        const moved = JSON.stringify(cursor) !== JSON.stringify(s.cursor);
        s.cursor = cursor;
        if (drained && !s.live) s.done = true;
        if (moved || s.done || cp.generation === 0) {
          cp = { ...cp, eventsEmitted: cp.eventsEmitted + fresh.length };
          if (s.reread && s.done) finishReread(s);
          else save();
        }
        opts.onProgress?.({ ...summary, newest: newest() });
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
      }
    } catch (e) {
      failure ??= { error: e };
    } finally {
      // A split asked of a stream that ended frees its slot.
      if (s.split === 'requested') {
        s.split = 'declined';
        splitsPending--;
      }
    }
  };

  schedule();
  await finished;
  if (failure) throw failure.error;
  summary.caughtUp = streams.every((s) => s.done);
  return summary;
}

function newestOf(events: readonly AuditLogEvent[]): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const e of events) newest = Math.max(newest, Date.parse(e.created_at));
  return newest;
}
