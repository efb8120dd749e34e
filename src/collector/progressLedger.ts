import type { AuditLogEvent } from '../model/auditLog.js';
import type { Checkpoint, Window } from './checkpoint.js';
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
}

export type ProgressListener = (progress: Readonly<CollectSummary> & { newest: string | null }) => void;

/**
 * What the streams of one run have flushed: the run's summary and lag, and the checkpoint that
 * holds every stream's newest flushed position. Only the page loops write to it, after a flush.
 */
export class ProgressLedger {
  readonly summary: CollectSummary = { events: 0, pages: 0, lagSeconds: null, offsetResumes: 0, caughtUp: false };
  /** The checkpoint's backfill windows, then its live stream; windows split off are appended. */
  readonly streams: Stream[];
  private readonly liveStream: Stream;
  private cp: Checkpoint;
  private newestMs = Number.NEGATIVE_INFINITY;

  constructor(
    start: Checkpoint,
    private readonly checkpoints: CheckpointPort,
    private readonly now: () => number,
    private readonly onProgress?: ProgressListener,
  ) {
    this.cp = start;
    this.liveStream = newStream(start.cursor, true);
    this.streams = [...start.windows.map((w) => newStream(w, false)), this.liveStream];
  }

  add(stream: Stream): void {
    this.streams.push(stream);
  }

  /** Events of a stream that the sink has just flushed. */
  flushed(s: Stream, fresh: readonly AuditLogEvent[]): void {
    this.summary.events += fresh.length;
    s.emitted += fresh.length;
    s.startedAtMs ??= Date.parse((fresh[0] as AuditLogEvent).created_at);
    const pageNewest = newestOf(fresh);
    if (pageNewest >= this.newestMs) {
      this.newestMs = pageNewest;
      this.summary.lagSeconds = Math.max(0, Math.round((this.now() - pageNewest) / 1000));
    }
  }

  /** A page is done: the checkpoint is saved when a position changed (and once at the start), then progress is told. */
  pageDone(changed: boolean, freshEvents: number): void {
    if (changed || this.cp.generation === 0) {
      this.cp = { ...this.cp, eventsEmitted: this.cp.eventsEmitted + freshEvents };
      this.save();
    }
    this.onProgress?.({ ...this.summary, newest: this.newest() });
  }

  save(): void {
    const windows = this.streams.filter((s) => !s.live && !s.done).map((s) => s.cursor as Window);
    windows.sort((a, b) => Date.parse(a.endAt) - Date.parse(b.endAt));
    this.cp = { ...this.cp, generation: this.cp.generation + 1, cursor: this.liveStream.cursor, windows, savedAt: new Date(this.now()).toISOString() };
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
