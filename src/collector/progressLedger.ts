import type { AuditLogEvent } from '../model/auditLog.js';
import type { Checkpoint, Cursor, Window } from './checkpoint.js';
import { DeliveryWatermark, type WrittenPage } from './deliveryWatermark.js';
import { LateEventLedger, type RereadOptions } from './lateEventLedger.js';
import type { CheckpointPort } from './ports.js';
import { newStream, type Stream } from './stream.js';

/** What one run did, as its caller and the health line report it. */
export interface CollectSummary {
  /** Events delivered (stdout: flushed; HEC with acknowledgment: indexed). */
  events: number;
  pages: number;
  /** Seconds between the newest delivered event's created_at and the moment it was delivered. */
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
  /** Most events written but not yet in the saved checkpoint: the sink's in-flight bound (absent: none). */
  maxUnsaved?: number;
}

/** Where a stream stands after a page: its cursor, whether that page was its last, and its events when their gids must be logged. */
export interface StreamPosition {
  cursor: Cursor;
  done: boolean;
  /** Kept until delivery for the live stream and the re-read when the re-read is on: their gids are logged then. */
  events?: readonly AuditLogEvent[];
}

/**
 * What the streams of one run have written and delivered: the run's summary and lag, and the
 * checkpoint that holds every stream's delivery watermark (see deliveryWatermark.ts) and the
 * re-read's trail. Only the page loops write to it. Save order once a page is delivered with every
 * earlier page of its stream: the page's gids go to the emitted-gid log (live stream and re-read),
 * then the checkpoint moves. It also bounds the events written but not yet saved (`maxUnsaved`,
 * the sink's in-flight limit), which is what a kill can repeat.
 */
export class ProgressLedger {
  readonly summary: CollectSummary = { events: 0, pages: 0, lagSeconds: null, offsetResumes: 0, caughtUp: false, lateEvents: 0 };
  /** The checkpoint's backfill windows, then its live stream, then the re-read; windows split off are appended. */
  readonly streams: Stream[];
  /** A delivery that failed: the run stops. */
  failure: { error: unknown } | undefined;
  private readonly liveStream: Stream;
  private readonly rereadStream: Stream | undefined;
  private readonly late: LateEventLedger | undefined;
  private readonly marks = new Map<Stream, DeliveryWatermark<StreamPosition>>();
  private readonly waiters = new Set<() => void>();
  private readonly maxUnsaved: number;
  private cp: Checkpoint;
  private newestMs = Number.NEGATIVE_INFINITY;
  /** Events reserved for writing or written, not yet passed by their stream's watermark. */
  private unsaved = 0;

  constructor(
    start: Checkpoint,
    private readonly checkpoints: CheckpointPort,
    private readonly now: () => number,
    private readonly onProgress?: ProgressListener,
    opts: LedgerOptions = {},
  ) {
    this.cp = start;
    this.maxUnsaved = opts.maxUnsaved ?? Number.POSITIVE_INFINITY;
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

  /**
   * Waits until `events` more fit under the unsaved bound (or nothing is unsaved: a page larger
   * than the bound still goes, alone), then reserves them. False when the run stops instead.
   */
  async reserve(events: number, stopping: () => boolean): Promise<boolean> {
    while (this.unsaved > 0 && this.unsaved + events > this.maxUnsaved) {
      if (stopping()) return false;
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
    if (stopping()) return false;
    this.unsaved += events;
    return true;
  }

  /** Events of a stream just handed to the sink: the density a split estimate uses. */
  written(s: Stream, fresh: readonly AuditLogEvent[]): void {
    s.emitted += fresh.length;
    s.startedAtMs ??= Date.parse((fresh[0] as AuditLogEvent).created_at);
  }

  /**
   * A page is done: its gids are logged and its position saved once `delivery` (absent: delivered
   * already) and every earlier page of the stream are delivered. With a sink that delivers at
   * once, that is now.
   */
  pageDone(s: Stream, page: { cursor: Cursor; done: boolean; changed: boolean; fresh: readonly AuditLogEvent[] }, delivery?: Promise<void>): void {
    let mark = this.marks.get(s);
    if (!mark) {
      mark = new DeliveryWatermark<StreamPosition>(
        (pages) => this.advanced(s, pages),
        (e) => this.failed(e),
      );
      this.marks.set(s, mark);
    }
    const keepEvents = this.late !== undefined && (s.live || s.reread) && page.fresh.length > 0;
    mark.push(
      {
        position: { cursor: page.cursor, done: page.done, ...(keepEvents ? { events: page.fresh } : {}) },
        events: page.fresh.length,
        newestMs: newestOf(page.fresh),
        changed: page.changed,
      },
      delivery,
    );
  }

  /** A window was cut short at `endAt`: what it holds saved and queued must end there too (an offset is only valid for its own range). */
  shortenWindow(s: Stream, endAt: string): void {
    const shorten = (c: Cursor): Cursor => ({ ...c, endAt, offset: c.endAt === endAt ? c.offset : null });
    s.saved = shorten(s.saved);
    this.marks.get(s)?.mapPositions((p) => ({ ...p, cursor: shorten(p.cursor) }));
  }

  /** Resolves once every written page is delivered and saved, or a delivery failed. */
  async settled(): Promise<void> {
    while (!this.failure && [...this.marks.values()].some((m) => !m.idle)) {
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  save(): void {
    const windows = this.streams.filter((s) => !s.live && !s.reread && !s.savedDone).map((s) => s.saved as Window);
    windows.sort((a, b) => Date.parse(a.endAt) - Date.parse(b.endAt));
    const reread = this.rereadStream;
    const trail = this.late?.trail(reread ? { ...reread, cursor: reread.saved, done: reread.savedDone } : undefined);
    this.cp = {
      ...this.cp,
      generation: this.cp.generation + 1,
      cursor: this.liveStream.saved,
      windows,
      ...(trail ? { trail } : {}),
      savedAt: new Date(this.now()).toISOString(),
    };
    this.checkpoints.save(this.cp);
  }

  /** The newest event time any stream has delivered (this run or an earlier one). */
  newest(): string | null {
    let best: string | null = null;
    for (const s of this.streams) {
      const at = s.saved.mark?.createdAt;
      if (at !== undefined && (best === null || Date.parse(at) > Date.parse(best))) best = at;
    }
    return best;
  }

  /**
   * The watermark of `s` passed `pages`: their gids are logged, the checkpoint is saved when a
   * position changed (and once at the start), then progress is told.
   */
  private advanced(s: Stream, pages: WrittenPage<StreamPosition>[]): void {
    let events = 0;
    let changed = false;
    try {
      for (const page of pages) {
        // The gids go to the log at the position before this page, then the position moves.
        if (page.position.events) this.late?.flushed(s, page.position.events, () => this.save());
        events += page.events;
        changed ||= page.changed;
        s.saved = page.position.cursor;
        s.savedDone = page.position.done;
        if (s.reread) this.summary.lateEvents += page.events;
        // Late events are old by nature; the lag tells how far behind the live stream is.
        if (!s.reread && page.events > 0 && page.newestMs >= this.newestMs) {
          this.newestMs = page.newestMs;
          this.summary.lagSeconds = Math.max(0, Math.round((this.now() - page.newestMs) / 1000));
        }
      }
      this.unsaved -= events;
      this.summary.events += events;
      if (changed || this.cp.generation === 0) {
        this.cp = { ...this.cp, eventsEmitted: this.cp.eventsEmitted + events };
        if (s.reread && s.savedDone && this.late) this.late.finished(s.saved as Window, () => this.save());
        else this.save();
      }
    } catch (e) {
      this.failed(e);
      return;
    }
    this.onProgress?.({ ...this.summary, newest: this.newest() });
    this.wake();
  }

  private failed(error: unknown): void {
    this.failure ??= { error };
    this.wake();
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}

function newestOf(events: readonly AuditLogEvent[]): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const e of events) newest = Math.max(newest, Date.parse(e.created_at));
  return newest;
}
