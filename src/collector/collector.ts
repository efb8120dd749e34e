import { randomBytes } from 'node:crypto';
import { type Naming, SETTING_NAMES } from '../errors/naming.js';
import type { Filters } from '../model/auditLog.js';
import type { Logger } from '../logging/logger.js';
import { type DrainOptions, drainStreams } from './drainStreams.js';
import { type Checkpoint, sameIdentity, type Trail } from './checkpoint.js';
import { queryFor } from './cursor.js';
import { EmittedGids } from './emittedGids.js';
import type { RereadOptions } from './lateEventLedger.js';
import type { CheckpointPort, EmittedLogContents, EmittedLogPort, EventSink, PageSource } from './ports.js';
import type { CollectSummary, ProgressListener } from './progressLedger.js';
import { catchUpStretch, dueStretch, startTrail, trailAfterBackfillPlan } from './trailPlan.js';

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
  /**
   * `late_event_minutes` in ms: every event Asana shows at most this late is collected once, by
   * re-reading each stretch the live stream passed once it is this old. 0 or absent: off.
   * Backfill windows end this long before now.
   */
  lateEventMs?: number;
  /** What messages call the settings (default: the modular input's setting names). */
  naming?: Naming;
}

export interface BackfillOptions {
  /** Most streams at once (`backfill_concurrency`). */
  concurrency: number;
  /** Windows end this long before now, so nothing in them can still show up late (`late_event_minutes`). */
  settleMs: number;
  /** The source's request budget, to size the streams from the measured round trip. */
  requestsPerMinute: number;
  /** Default MIN_BACKFILL_SPAN_MS. */
  minSpanMs?: number;
}

export interface CollectDeps {
  source: PageSource;
  sink: EventSink;
  checkpoints: CheckpointPort;
  logger: Logger;
  /** Required when lateEventMs > 0: the emitted-gid log next to the checkpoint. */
  emittedLog?: EmittedLogPort;
}

/** A live cursor must be at least this far behind the settled boundary before windows pay off. */
export const MIN_BACKFILL_SPAN_MS = 60 * 60_000;

/**
 * Drains pages until every stream is caught up. Order per page: fetch, write to the sink, then
 * save the checkpoint once the page is delivered (stdout: flushed, at once; HEC with
 * acknowledgment: once Splunk says indexed, while later pages go out). A crash at any point
 * repeats at most the page in hand of each stream, or what the sink had in flight
 * (`maxUndeliveredEvents`), and never skips one. Errors propagate with the checkpoint untouched
 * past what was delivered. When the cursor is far behind and backfill is on, the span behind it is
 * first split into windows drained side by side (see drainStreams.ts). With late_event_minutes
 * on, a stretch the live stream passed is re-read once it is that old (see trailPlan.ts and
 * lateEventLedger.ts).
 */
export async function collect(deps: CollectDeps, opts: CollectOptions): Promise<CollectSummary> {
  const { checkpoints, logger } = deps;
  const now = opts.now ?? Date.now;
  const lateMs = opts.lateEventMs ?? 0;
  let cp = checkpoints.load();
  if (cp && !sameIdentity(cp, opts.workspaceGid, opts.filters)) {
    logger.warn("the input's workspace_gid or filters changed since the last run: starting a new cursor from start_at", {
      old_filters: JSON.stringify({ workspace_gid: cp.workspaceGid, ...cp.filters }),
    });
    cp = undefined;
    // The gids of the old cursor must not hide events from the new one.
    deps.emittedLog?.clear();
  }
  if (!cp) {
    cp = newCheckpoint(opts, now);
    logger.info(`starting a new cursor at ${opts.startAt ?? 'the oldest event Asana holds'}`);
  }

  const started = startReread(deps, cp, lateMs, now, opts.naming ?? SETTING_NAMES);
  cp = started.cp;
  const reread = started.reread;

  const drain: DrainOptions = {
    workspaceGid: opts.workspaceGid,
    filters: opts.filters,
    pageSize: opts.pageSize,
    concurrency: 1,
    shouldStop: opts.shouldStop,
    onProgress: opts.onProgress,
    now,
  };
  let before: CollectSummary | undefined;
  const backfill = opts.backfill;
  if (backfill && backfill.concurrency > 1) {
    if (cp.windows.length > 0) {
      drain.concurrency = Math.min(backfill.concurrency, cp.windows.length + 1);
      logger.info(`resuming a backfill: ${cp.windows.length} windows left`, { streams: drain.concurrency });
    } else {
      // Before the live stream jumps ahead, the re-read covers what it passed; windows cover the rest.
      const catchUp =
        reread && cp.trail && isFarBehind(cp.cursor, settledBoundaryMs(now(), backfill.settleMs), backfill.minSpanMs ?? MIN_BACKFILL_SPAN_MS)
          ? catchUpStretch(cp.trail, cp.cursor)
          : undefined;
      if (catchUp && reread) {
        before = await drainStreams(deps, cp, { ...drain, skipLive: true, reread: { ...reread, stretch: catchUp } });
        cp = checkpoints.load() ?? cp;
      }
      const planned = !before || before.caughtUp ? await planWindows(deps, cp, opts, backfill, now) : undefined;
      if (planned) {
        cp = planned.checkpoint;
        drain.concurrency = planned.streams;
        if (cp.trail) reread?.emitted.advance(Date.parse(cp.trail.from));
      }
    }
  }
  if (before && !before.caughtUp) return before;
  const stretch = reread && cp.trail ? dueStretch(cp.trail, cp.cursor, now(), lateMs) : undefined;
  const summary = await drainStreams(deps, cp, { ...drain, ...(reread ? { reread: { ...reread, stretch } } : {}) });
  return before ? addSummaries(before, summary) : summary;
}

/** What the re-read of late events carries from one drain of a run to the next. */
type RereadState = Omit<RereadOptions, 'stretch'>;

/**
 * The re-read at the start of a run. On: the saved trail, or a new one (saved only just before
 * its first gid is logged), the emitted gids it still needs, and the log they are in (see
 * openLog). Off: a saved trail is dropped, the checkpoint first, then its log, so a later run
 * never has a trail without its gids.
 */
function startReread(deps: CollectDeps, cp: Checkpoint, lateMs: number, now: () => number, naming: Naming): { cp: Checkpoint; reread?: RereadState } {
  if (lateMs > 0) {
    const log = deps.emittedLog;
    if (!log) throw new Error('collect: late_event_minutes needs the emitted-gid log');
    // A log without a trail is that of a run killed before its first save: its gids are this
    // cursor's. A new trail is saved before the first gid is logged, so its start cannot move under them.
    const opened = openLog(log, cp.trail, deps.logger, naming);
    const trail: Trail = { ...(cp.trail ?? startTrail(cp.cursor, now(), lateMs)), logId: opened.id };
    return { cp: { ...cp, trail }, reread: { emitted: loadEmitted(log, opened, Date.parse(trail.from)), log, unsaved: !cp.trail } };
  }
  if (!cp.trail) return { cp };
  const { trail: _, ...rest } = cp;
  const saved = { ...rest, generation: cp.generation + 1, savedAt: new Date(now()).toISOString() };
  deps.checkpoints.save(saved);
  deps.emittedLog?.clear();
  return { cp: saved };
}

/** The log a run keeps its gids in, with the records it may use, and whether it must be written before use. */
interface OpenedLog extends EmittedLogContents {
  id: string;
  /** The log on disk does not yet hold `id` in its first line (or holds records it must not keep). */
  needsRewrite: boolean;
}

/**
 * The log the trail pairs with. A log names itself (an identity in its first line) before any
 * checkpoint names it, and keeps that name through compactions; the checkpoint's trail names the
 * log it was saved with. So a trail that names a log the run cannot find means the log was
 * deleted or replaced behind the add-on's back, never a kill: one WARN says so, and the run goes
 * on with a log of that name and no gids, choosing completeness over no-duplicates (the re-read
 * keeps its place, so what it reads again may be sent twice, and nothing is skipped). A trail
 * that names no log (written before logs had names) adopts the log it finds, without a WARN.
 */
function openLog(log: EmittedLogPort, trail: Trail | undefined, logger: Logger, naming: Naming): OpenedLog {
  const found = log.load();
  const paired = trail?.logId;
  if (trail && paired !== undefined && found?.id !== paired) {
    // A damaged first line was reported by the load, with this effect: one WARN for one cause.
    if (!found?.firstLineDamaged) logger.warn(missingLogText(log.name, found, trail, naming));
    // Gids of a log the checkpoint does not name (another input's, an old copy) could hide events: none are used.
    return { id: paired, records: [], needsRewrite: true };
  }
  if (found?.id !== undefined) return { id: found.id, records: found.records, needsRewrite: false };
  // No log yet, or one an earlier version wrote: it is named now, before any checkpoint names it.
  return { id: randomBytes(12).toString('hex'), records: found?.records ?? [], needsRewrite: true };
}

function missingLogText(name: string, found: EmittedLogContents | undefined, trail: Trail, naming: Naming): string {
  const what = found
    ? `was replaced: the file there is not the log the checkpoint was saved with (${found.id === undefined ? 'it names no log: a copy from an earlier version, or its first line is damaged' : "it names another one: a copy of another input's log, or of one this input kept before its cursor or its re-read started over"})`
    : 'was deleted';
  return `the emitted-gid log ${name} that the checkpoint pairs with ${what}. The re-read of late events (${naming.lateEventMinutes}) goes on without the gids it held, so events created since ${trail.from} that it reads again may be sent to Splunk a second time; none is lost. A new log was started: nothing to do now. To keep this from happening, leave that file to the add-on, next to the checkpoint: remove the two together only with checkpoint reset, and restore them together from one backup`;
}

/** The emitted gids the trail still needs, from the opened log; the log is written when it must name itself, or holds more than needed. */
function loadEmitted(log: EmittedLogPort, opened: OpenedLog, horizonMs: number): EmittedGids {
  const emitted = new EmittedGids(horizonMs);
  let logged = 0;
  for (const record of opened.records) {
    emitted.addRecord(record);
    for (const gids of Object.values(record)) logged += gids.length;
  }
  if (opened.needsRewrite || logged > emitted.size) log.rewrite(emitted.records(), opened.id);
  return emitted;
}

function addSummaries(a: CollectSummary, b: CollectSummary): CollectSummary {
  return {
    events: a.events + b.events,
    pages: a.pages + b.pages,
    lagSeconds: b.lagSeconds ?? a.lagSeconds,
    offsetResumes: a.offsetResumes + b.offsetResumes,
    caughtUp: b.caughtUp,
    lateEvents: a.lateEvents + b.lateEvents,
  };
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
  const probe = queryFor(
    { ...cp.cursor, offset: null, endAt: new Date(boundaryMs).toISOString() },
    {
      workspaceGid: opts.workspaceGid,
      filters: opts.filters,
      limit: 1,
    },
  );
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
    ...(cp.trail ? { trail: trailAfterBackfillPlan(plan.live.startAt, cp.trail) } : {}),
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
