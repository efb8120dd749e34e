import type { AuditLogEvent } from '../model/auditLog.js';
import type { Checkpoint, Window } from './checkpoint.js';
import { LateEventLedger, type RereadOptions } from './lateEventLedger.js';
import type { CheckpointPort } from './ports.js';
import { newStream, type Stream } from './stream.js';

/** What one run did, as its caller and the health line report it. */
export interface CollectSummary {
  events: number;
  pages: number;
  /** Seconds between the newest emitted event's created_at and the moment it was flushed. */
  lagSeconds: number | null;
  offsetResumes: number;
  caughtUp: boolean;
  /** Events only the re-read found: Asana showed them after the live stream had passed their time. */
  lateEvents: number;
}

export type ProgressListener = (progress: Readonly<CollectSummary> & { newest: string | null }) => void;

export interface LedgerOptions {
  /** The re-read of late events, when late_event_minutes is on. */
  reread?: RereadOptions;
  /** Drain only the windows and the re-read (the catch-up before a backfill plan). */
  skipLive?: boolean;
}

/**
 * What the streams of one run have flushed: the run's summary and lag, and the checkpoint that
 * holds every stream's newest flushed position (and the re-read's trail). Only the page loops
 * write to it, after a flush. Save order per page: the sink flushed, the page's gids go to the
 * emitted-gid log (live stream and re-read), then the checkpoint moves.
 */
export class ProgressLedger {
  readonly summary: CollectSummary = { events: 0, pages: 0, lagSeconds: null, offsetResumes: 0, caughtUp: false, lateEvents: 0 };
  /** The checkpoint's backfill windows, then its live stream, then the re-read; windows split off are appended. */
  readonly streams: Stream[];
  private readonly liveStream: Stream;
  private readonly rereadStream: Stream | undefined;
  private readonly late: LateEventLedger | undefined;
  private cp: Checkpoint;
  private newestMs = Number.NEGATIVE_INFINITY;

  constructor(
    start: Checkpoint,
    private readonly checkpoints: CheckpointPort,
    private readonly now: () => number,
    private readonly onProgress?: ProgressListener,
    opts: LedgerOptions = {},
  ) {
    this.cp = start;
    this.liveStream = newStream(start.cursor, 'live');
    if (opts.skipLive) this.liveStream.done = true;
    const reread = opts.reread;
    if (reread && start.trail) this.late = new LateEventLedger(start.trail, reread);
    this.rereadStream = this.late && reread?.stretch ? newStream(reread.stretch, 'reread') : undefined;
    // The re-read comes last: with one stream at a time it starts only once the live stream is caught up.
    this.streams = [
      ...start.windows.map((w) => newStream(w, 'window')),
      ...(opts.skipLive ? [] : [this.liveStream]),
      ...(this.rereadStream ? [this.rereadStream] : []),
    ];
  }

  add(stream: Stream): void {
    this.streams.push(stream);
  }

  /** The events of a page that were not emitted yet (by the live stream or the re-read, this run or earlier). */
  unseen(s: Stream, events: readonly AuditLogEvent[]): readonly AuditLogEvent[] {
    return this.late ? this.late.unseen(s, events) : events;
  }

  /** Events of a stream that the sink has just flushed; their gids are logged before the checkpoint moves. */
  flushed(s: Stream, fresh: readonly AuditLogEvent[]): void {
    this.late?.flushed(s, fresh, () => this.save());
    if (s.reread) this.summary.lateEvents += fresh.length;
    this.summary.events += fresh.length;
    s.emitted += fresh.length;
    s.startedAtMs ??= Date.parse((fresh[0] as AuditLogEvent).created_at);
    // Late events are old by nature; the lag tells how far behind the live stream is.
    if (s.reread) return;
    const pageNewest = newestOf(fresh);
    if (pageNewest >= this.newestMs) {
      this.newestMs = pageNewest;
      this.summary.lagSeconds = Math.max(0, Math.round((this.now() - pageNewest) / 1000));
    }
  }

  /** A page of `s` is done: the checkpoint is saved when a position changed (and once at the start), then progress is told. */
  pageDone(s: Stream, changed: boolean, freshEvents: number): void {
    if (changed || this.cp.generation === 0) {
      this.cp = { ...this.cp, eventsEmitted: this.cp.eventsEmitted + freshEvents };
      if (s.reread && s.done && this.late) this.late.finished(s.cursor as Window, () => this.save());
      else this.save();
    }
    this.onProgress?.({ ...this.summary, newest: this.newest() });
  }

  save(): void {
    const windows = this.streams.filter((s) => !s.live && !s.reread && !s.done).map((s) => s.cursor as Window);
    windows.sort((a, b) => Date.parse(a.endAt) - Date.parse(b.endAt));
    const trail = this.late?.trail(this.rereadStream);
    this.cp = {
      ...this.cp,
      generation: this.cp.generation + 1,
      cursor: this.liveStream.cursor,
      windows,
      ...(trail ? { trail } : {}),
      savedAt: new Date(this.now()).toISOString(),
    };
    this.checkpoints.save(this.cp);
  }

  /** The newest event time any stream has flushed (this run or an earlier one). */
  newest(): string | null {
    let best: string | null = null;
    for (const s of this.streams) {
      const at = s.cursor.mark?.createdAt;
      if (at !== undefined && (best === null || Date.parse(at) > Date.parse(best))) best = at;
    }
    return best;
  }
}

function newestOf(events: readonly AuditLogEvent[]): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const e of events) newest = Math.max(newest, Date.parse(e.created_at));
  return newest;
}
