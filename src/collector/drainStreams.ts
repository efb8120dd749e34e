import type { Logger } from '../logging/logger.js';
import type { Filters } from '../model/auditLog.js';
import type { Checkpoint, Window } from './checkpoint.js';
import { drainStream, type PageLoopDeps } from './pageLoop.js';
import type { CheckpointPort, EventSink, PageSource } from './ports.js';
import type { RereadOptions } from './lateEventLedger.js';
import { type CollectSummary, type ProgressListener, ProgressLedger } from './progressLedger.js';
import { SerialSink } from './serialSink.js';
import { newStream, type Stream } from './stream.js';
import { StreamPool } from './streamPool.js';
import { pickSplit, splitWindow } from './windowPlan.js';

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
  onProgress?: ProgressListener;
  now?: () => number;
  /** The re-read of late events, when late_event_minutes is on. */
  reread?: RereadOptions;
  /** Drain only the windows and the re-read (the catch-up before a backfill plan). */
  skipLive?: boolean;
}

/**
 * Drains the checkpoint's backfill windows, its live stream and the re-read of late events (when
 * one is due), up to `concurrency` at once, under whatever budget the source enforces. Per stream
 * the order is the single stream's (see pageLoop.ts): fetch, write (serialized with the other
 * streams), then, once the sink has delivered the page and every earlier one of the stream, log
 * the gids (live stream and re-read) and save a checkpoint that holds every stream's delivery
 * watermark. The pool (streamPool.ts)
 * splits the slowest window in two when a slot idles. Errors stop every stream at its next page
 * boundary and are rethrown.
 */
export async function drainStreams(
  deps: { source: PageSource; sink: EventSink; checkpoints: CheckpointPort; logger: Logger },
  start: Checkpoint,
  opts: DrainOptions,
): Promise<CollectSummary> {
  const { logger } = deps;
  const minSplitPages = opts.minSplitPages ?? DEFAULT_MIN_SPLIT_PAGES;
  const minSplitSpanMs = opts.minSplitSpanMs ?? DEFAULT_MIN_SPLIT_SPAN_MS;
  const ledger = new ProgressLedger(start, deps.checkpoints, opts.now ?? Date.now, opts.onProgress, {
    reread: opts.reread,
    skipLive: opts.skipLive,
    maxUnsaved: deps.sink.maxUndeliveredEvents,
  });
  let failure: { error: unknown } | undefined;
  const stopping = (): boolean => failure !== undefined || ledger.failure !== undefined || (opts.shouldStop?.() ?? false);

  const pool: StreamPool = new StreamPool(ledger.streams, {
    concurrency: opts.concurrency,
    stopping,
    run: async (s) => {
      try {
        await drainStream(s, loop);
      } catch (e) {
        failure ??= { error: e };
      } finally {
        // A split asked of a stream that ended frees its slot.
        if (s.split === 'requested') pool.releaseSplit(s, 'declined');
      }
    },
    pickSplit: (running) => {
      const at = pickSplit(
        running.map((s) => ({ window: s.cursor as Window, startedAtMs: s.startedAtMs, emitted: s.emitted })),
        { pageSize: opts.pageSize, minPages: minSplitPages, minSpanMs: minSplitSpanMs },
      );
      return at === undefined ? undefined : running[at];
    },
  });

  /** Applied by the window itself between pages, so only one task ever moves a window's cursor. */
  const applySplit = (s: Stream): void => {
    const halves = splitWindow(s.cursor as Window, minSplitSpanMs);
    if (!halves) {
      pool.releaseSplit(s, 'declined');
      return;
    }
    const [first, second] = halves;
    s.cursor = first;
    ledger.shortenWindow(s, first.endAt);
    pool.releaseSplit(s, 'none');
    const added = newStream(second, 'window');
    ledger.add(added);
    pool.add(added);
    ledger.save();
    logger.debug('split a slow backfill window for an idle stream', {
      kept_end_at: first.endAt,
      new_start_at: second.startAt ?? null,
      new_end_at: second.endAt,
    });
  };

  const loop: PageLoopDeps = {
    source: deps.source,
    sink: new SerialSink(deps.sink),
    ledger,
    logger,
    base: { workspaceGid: opts.workspaceGid, filters: opts.filters, limit: opts.pageSize },
    stopping,
    beforePage: (s) => {
      if (s.split !== 'requested') return;
      applySplit(s);
      pool.schedule();
    },
  };

  pool.schedule();
  await pool.finished;
  // Pages still awaiting delivery (HEC acknowledgments) are waited for, so their positions are saved.
  await ledger.settled();
  if (failure) throw failure.error;
  if (ledger.failure) throw ledger.failure.error;
  ledger.summary.caughtUp = ledger.streams.every((s) => s.done);
  return ledger.summary;
}
