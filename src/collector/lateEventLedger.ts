import type { AuditLogEvent } from '../model/auditLog.js';
import type { Trail, Window } from './checkpoint.js';
import type { EmittedGids } from './emittedGids.js';
import type { EmittedLogPort } from './ports.js';
import type { Stream } from './stream.js';
import { finishStretch } from './trailPlan.js';

/** What a run of the re-read of late events starts from (collector.ts builds it). */
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

/**
 * The re-read's share of one run's progress: the trail the checkpoint holds, and the gids the
 * live stream and the re-read emitted, in memory and in the durable log. The progress ledger
 * calls it in its save order: after the sink flushed a page, `flushed` appends the page's gids to
 * the log; then the checkpoint moves. A kill between them repeats at most the page in hand, and
 * its gids, if logged, make the repeat emit nothing twice.
 */
export class LateEventLedger {
  /** Gids appended to the emitted-gid log since it was last rewritten. */
  private logged: number;
  private unsaved: boolean;

  constructor(
    private trailNow: Trail,
    private readonly opts: RereadOptions,
  ) {
    this.logged = opts.emitted.size;
    this.unsaved = opts.unsaved ?? false;
  }

  /** The trail to save, with the re-read's position when it is under way. */
  trail(rereadStream: Stream | undefined): Trail {
    if (rereadStream && !rereadStream.done) this.trailNow = { ...this.trailNow, stretch: rereadStream.cursor as Window };
    return this.trailNow;
  }

  /**
   * The events of a page not emitted yet. Windows hold only settled events older than the trail,
   * so only the live stream and the re-read consult the gids.
   */
  unseen(s: Stream, events: readonly AuditLogEvent[]): readonly AuditLogEvent[] {
    if (!s.live && !s.reread) return events;
    const fresh = events.filter((e) => !this.opts.emitted.has(e));
    return fresh.length === events.length ? events : fresh;
  }

  /**
   * A page of the live stream or the re-read was flushed: its gids go to the log before the
   * checkpoint moves. A trail new in this run is saved first (`saveTrail`), at the position before
   * this page, so the gids logged are never older than the start of a saved trail.
   */
  flushed(s: Stream, fresh: readonly AuditLogEvent[], saveTrail: () => void): void {
    if (!s.live && !s.reread) return;
    const record = this.opts.emitted.add(fresh);
    const gids = Object.values(record).reduce((n, g) => n + g.length, 0);
    if (gids === 0) return;
    if (this.unsaved) {
      saveTrail();
      this.unsaved = false;
    }
    this.opts.log.append(record);
    this.logged += gids;
  }

  /**
   * The re-read passed its stretch: the trail moves on and the gids before it are dropped; the
   * checkpoint is saved first (`save`), then the log drops what it no longer needs.
   */
  finished(stretch: Window, save: () => void): void {
    this.trailNow = finishStretch(stretch, this.trailNow.logId);
    this.opts.emitted.advance(Date.parse(this.trailNow.from));
    save();
    if (this.logged > COMPACT_FACTOR * this.opts.emitted.size) {
      this.opts.log.rewrite(this.opts.emitted.records());
      this.logged = this.opts.emitted.size;
    }
  }
}
