import type { Filters } from '../model/auditLog.js';
import type { Logger } from '../logging/logger.js';
import { drainStreams } from './drainStreams.js';
import { type Checkpoint, sameIdentity } from './checkpoint.js';
import { queryFor } from './cursor.js';
import type { CheckpointPort, EventSink, PageSource } from './ports.js';
import type { CollectSummary, ProgressListener } from './progressLedger.js';

export type { CollectSummary };
import { isFarBehind, planBackfill, settledBoundaryMs, streamsFor } from './windowPlan.js';

export interface CollectOptions {
  workspaceGid: string;
  filters: Filters;
  pageSize: number;
  /** Absolute ISO time where a new cursor starts; undefined = the oldest event Asana holds. */
  startAt?: string;
  /** Checked between pages: a stop request finishes the page in hand, then returns. */
  shouldStop?: () => boolean;
  /** Called after each page's checkpoint is saved: for progress displays. */
  onProgress?: ProgressListener;
  now?: () => number;
  /** Parallel backfill; absent or concurrency 1 drains one stream (windows left by an earlier run included). */
  backfill?: BackfillOptions;
}

export interface BackfillOptions {
  /** Most streams at once (`backfill_concurrency`). */
  concurrency: number;
  /** Windows end this long before now: events can show up late (`backfill_settle_minutes`). */
  settleMs: number;
  /** The source's request budget, to size the streams from the measured round trip. */
  requestsPerMinute: number;
  /** Default MIN_BACKFILL_SPAN_MS. */
  minSpanMs?: number;
}

/** A live cursor must be at least this far behind the settled boundary before windows pay off. */
export const MIN_BACKFILL_SPAN_MS = 60 * 60_000;

/**
 * Drains pages until every stream is caught up. Order per page: fetch, write to the sink (which
 * resolves once flushed), then save the checkpoint. A crash at any point repeats at most the
 * page in hand of each stream and never skips one. Errors propagate with the checkpoint untouched
 * past what was flushed. When the cursor is far behind and backfill is on, the span behind it is
 * first split into windows drained side by side (see drainStreams.ts).
 */
export async function collect(
  deps: { source: PageSource; sink: EventSink; checkpoints: CheckpointPort; logger: Logger },
  opts: CollectOptions,
): Promise<CollectSummary> {
  const { checkpoints, logger } = deps;
  const now = opts.now ?? Date.now;
  let cp = checkpoints.load();
  if (cp && !sameIdentity(cp, opts.workspaceGid, opts.filters)) {
    logger.warn('the input\'s workspace_gid or filters changed since the last run: starting a new cursor from start_at', {
      old_filters: JSON.stringify({ workspace_gid: cp.workspaceGid, ...cp.filters }),
    });
    cp = undefined;
  }
  if (!cp) {
    cp = newCheckpoint(opts, now);
    logger.info(`starting a new cursor at ${opts.startAt ?? 'the oldest event Asana holds'}`);
  }

  let concurrency = 1;
  const backfill = opts.backfill;
  if (backfill && backfill.concurrency > 1) {
    if (cp.windows.length > 0) {
      concurrency = Math.min(backfill.concurrency, cp.windows.length + 1);
      logger.info(`resuming a backfill: ${cp.windows.length} windows left`, { streams: concurrency });
    } else {
      const planned = await planWindows(deps, cp, opts, backfill, now);
      if (planned) {
        cp = planned.checkpoint;
        concurrency = planned.streams;
      }
    }
  }
  return drainStreams(deps, cp, {
    workspaceGid: opts.workspaceGid,
    filters: opts.filters,
    pageSize: opts.pageSize,
    concurrency,
    shouldStop: opts.shouldStop,
    onProgress: opts.onProgress,
    now,
  });
}

/**
 * One probe request (limit 1, up to the settled boundary) finds the first event left to collect
 * and measures the round trip that sizes the number of streams. The windows are saved before any
 * of them is drained.
 */
async function planWindows(
  deps: { source: PageSource; checkpoints: CheckpointPort; logger: Logger },
  cp: Checkpoint,
  opts: CollectOptions,
  backfill: BackfillOptions,
  now: () => number,
): Promise<{ checkpoint: Checkpoint; streams: number } | undefined> {
  const boundaryMs = settledBoundaryMs(now(), backfill.settleMs);
  const minSpanMs = backfill.minSpanMs ?? MIN_BACKFILL_SPAN_MS;
  if (opts.shouldStop?.() || !isFarBehind(cp.cursor, boundaryMs, minSpanMs)) return undefined;
  const probe = queryFor({ ...cp.cursor, offset: null, endAt: new Date(boundaryMs).toISOString() }, {
    workspaceGid: opts.workspaceGid,
    filters: opts.filters,
    limit: 1,
  });
  const started = performance.now();
  const page = await deps.source.fetchPage(probe);
  const rttMs = performance.now() - started;
  const first = page.events[0];
  if (!first) return undefined;
  const streams = streamsFor({ rttMs, requestsPerMinute: backfill.requestsPerMinute, cap: backfill.concurrency });
  if (streams < 2) return undefined;
  const plan = planBackfill({ live: cp.cursor, firstEventMs: Date.parse(first.created_at), boundaryMs, windows: streams, minSpanMs });
  if (!plan) return undefined;
  const checkpoint: Checkpoint = {
    ...cp,
    generation: cp.generation + 1,
    cursor: plan.live,
    windows: plan.windows,
    savedAt: new Date(now()).toISOString(),
  };
  deps.checkpoints.save(checkpoint);
  deps.logger.info(`backfill: ${plan.windows.length} windows from ${first.created_at} to ${plan.live.startAt}, then the live stream`, {
    streams,
    rtt_ms: Math.round(rttMs),
  });
  return { checkpoint, streams };
}

function newCheckpoint(opts: CollectOptions, now: () => number): Checkpoint {
  return {
    version: 2,
    generation: 0,
    workspaceGid: opts.workspaceGid,
    filters: { ...opts.filters },
    cursor: { ...(opts.startAt !== undefined ? { startAt: opts.startAt } : {}), offset: null, mark: null },
    windows: [],
    eventsEmitted: 0,
    savedAt: new Date(now()).toISOString(),
  };
}
