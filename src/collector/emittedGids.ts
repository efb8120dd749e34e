import type { AuditLogEvent } from '../model/auditLog.js';
import type { EmittedRecord } from './ports.js';

/** Width of one bucket of created_at: gids are dropped a bucket at a time. */
export const BUCKET_MS = 60_000;

/**
 * The gids emitted with created_at at or after `horizonMs`, in buckets of created_at, so the
 * re-read of a stretch can tell which of its events are new and the live stream can tell which
 * were already emitted. A bucket is dropped whole once it ends before the horizon; the bucket that
 * ends exactly at it is kept, because the re-read may end one millisecond past the live stream's
 * newest instant, where the live stream can still see events. What is held is bounded by the
 * events of one horizon plus two buckets.
 */
export class EmittedGids {
  private readonly buckets = new Map<number, Set<string>>();
  private count = 0;

  constructor(private horizonMs: number) {}

  get size(): number {
    return this.count;
  }

  get horizon(): number {
    return this.horizonMs;
  }

  /** Whether the event was emitted. Events in dropped buckets are not tracked: false. */
  has(event: AuditLogEvent): boolean {
    const ms = Date.parse(event.created_at);
    return this.buckets.get(bucketOf(ms))?.has(event.gid) ?? false;
  }

  /** Records emitted events (not those in dropped buckets); returns what is new, to log durably. */
  add(events: readonly AuditLogEvent[]): EmittedRecord {
    const record: EmittedRecord = {};
    for (const e of events) {
      const bucket = bucketOf(Date.parse(e.created_at));
      if (!this.keeps(bucket)) continue;
      if (!this.addGid(bucket, e.gid)) continue;
      const gids = record[bucket];
      if (gids) gids.push(e.gid);
      else record[bucket] = [e.gid];
    }
    return record;
  }

  /** Replays a record read back from the log; buckets wholly behind the horizon are skipped. */
  addRecord(record: EmittedRecord): void {
    for (const [key, gids] of Object.entries(record)) {
      const bucket = Number(key);
      if (!this.keeps(bucket)) continue;
      for (const gid of gids) this.addGid(bucket, gid);
    }
  }

  /** Moves the horizon forward and drops every bucket that ends before it. */
  advance(horizonMs: number): void {
    if (horizonMs <= this.horizonMs) return;
    this.horizonMs = horizonMs;
    for (const [bucket, gids] of this.buckets) {
      if (!this.keeps(bucket)) {
        this.count -= gids.size;
        this.buckets.delete(bucket);
      }
    }
  }

  /** Everything held, as one record per bucket: what a compacted log holds. */
  records(): EmittedRecord[] {
    return [...this.buckets.entries()].sort((a, b) => a[0] - b[0]).map(([bucket, gids]) => ({ [bucket]: [...gids] }));
  }

  private keeps(bucket: number): boolean {
    return bucket + BUCKET_MS >= this.horizonMs;
  }

  private addGid(bucket: number, gid: string): boolean {
    let gids = this.buckets.get(bucket);
    if (!gids) {
      gids = new Set();
      this.buckets.set(bucket, gids);
    }
    if (gids.has(gid)) return false;
    gids.add(gid);
    this.count++;
    return true;
  }
}

function bucketOf(ms: number): number {
  return Math.floor(ms / BUCKET_MS) * BUCKET_MS;
}
