import type { Filters, FilterName } from '../model/auditLog.js';
import { FILTER_NAMES } from '../model/auditLog.js';
import type { StorePosition } from './offsets.js';

export interface StoreQuery {
  filters: Filters;
  /** Inclusive lower bound on created_at, epoch ms. */
  startMs?: number;
  /** Exclusive upper bound on created_at, epoch ms. */
  endMs?: number;
  /** Continue strictly after this position. */
  after?: StorePosition;
  limit: number;
}

export interface StorePage {
  /** The events' JSON texts, in order, ready to be joined into a response. */
  json: Buffer[];
  /** Position of the last event returned; undefined when the page is empty. */
  last?: StorePosition;
}

const CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * The events in API order: ascending created_at, ties in arrival order. Events are kept as UTF-8
 * JSON in large off-heap chunks (a million events would otherwise be a million objects for the
 * garbage collector to walk, and serializing them per page would cap throughput). Every
 * filterable field has an index in the same order, so a page is a binary search plus a walk of
 * the shortest candidate list, never a scan of the store.
 *
 * An event that arrives late (created_at before newer stored events) takes its place by time, so a
 * stream whose offset is already past that time never sees it: the pessimistic reading of what the
 * API documents as unknown, which lets tests prove how the collector copes.
 */
export class EventStore {
  /** Per event, indexed by arrival number (its `seq`). */
  private readonly times: number[] = [];
  /** Where each event's JSON lives: numbers, not Buffer views, to keep the heap small. */
  private readonly chunkOf: number[] = [];
  private readonly startOf: number[] = [];
  private readonly endOf: number[] = [];
  private readonly chunks: Buffer[] = [];
  private readonly filterValues: Record<FilterName, (string | undefined)[]> = {
    event_type: [],
    actor_type: [],
    actor_gid: [],
    resource_gid: [],
  };
  /** Arrival numbers in API order. */
  private readonly order: number[] = [];
  private readonly indexes = new Map<string, number[]>();
  private chunkUsed = CHUNK_BYTES;

  get size(): number {
    return this.order.length;
  }

  /** Appends one event; it must carry a parseable `created_at`. */
  add(event: object): void {
    this.addText(JSON.stringify(event), event);
  }

  /**
   * Appends one event given as JSON text, served byte for byte as given: for events that a
   * parse and re-serialise would change (big integers, 1.10, duplicate keys, deep nesting).
   */
  addJson(text: string): void {
    this.addText(text, JSON.parse(text) as object);
  }

  private addText(text: string, event: object): void {
    const createdAt = (event as { created_at?: unknown }).created_at;
    const timeMs = typeof createdAt === 'string' ? Date.parse(createdAt) : NaN;
    if (Number.isNaN(timeMs)) throw new TypeError(`event created_at is not a date-time: ${String(createdAt)}`);
    const seq = this.times.length;
    this.times.push(timeMs);
    this.keep(text);
    this.insertInOrder(this.order, seq);
    for (const name of FILTER_NAMES) {
      const value = filterValue(event, name);
      this.filterValues[name].push(value);
      if (value === undefined) continue;
      const key = indexKey(name, value);
      let list = this.indexes.get(key);
      if (!list) {
        list = [];
        this.indexes.set(key, list);
      }
      this.insertInOrder(list, seq);
    }
  }

  /** Everything stored, in API order, as fresh objects. */
  events(): object[] {
    return this.order.map((seq) => JSON.parse(this.jsonOf(seq).toString('utf8')) as object);
  }

  /** The JSON text of the event at a position (a page's `last`). */
  eventAt(position: StorePosition): Buffer | undefined {
    return position.seq >= 0 && position.seq < this.times.length && this.times[position.seq] === position.timeMs ? this.jsonOf(position.seq) : undefined;
  }

  page(query: StoreQuery): StorePage {
    const { candidates, others } = this.candidatesFor(query.filters);
    const json: Buffer[] = [];
    let lastSeq: number | undefined;
    for (let i = this.firstAt(candidates, query.startMs, query.after); i < candidates.length && json.length < query.limit; i++) {
      const seq = candidates[i] as number;
      if (query.endMs !== undefined && (this.times[seq] as number) >= query.endMs) break;
      if (!others.every(([name, value]) => this.filterValues[name][seq] === value)) continue;
      json.push(this.jsonOf(seq));
      lastSeq = seq;
    }
    return lastSeq === undefined ? { json } : { json, last: { timeMs: this.times[lastSeq] as number, seq: lastSeq } };
  }

  /** Copies the next event's text into the current chunk (an oversized one gets its own). */
  private keep(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.chunkUsed + bytes > CHUNK_BYTES) {
      this.chunks.push(Buffer.allocUnsafe(Math.max(bytes, CHUNK_BYTES)));
      this.chunkUsed = 0;
    }
    const chunk = this.chunks[this.chunks.length - 1] as Buffer;
    this.chunkOf.push(this.chunks.length - 1);
    this.startOf.push(this.chunkUsed);
    this.chunkUsed += chunk.write(text, this.chunkUsed, 'utf8');
    this.endOf.push(this.chunkUsed);
  }

  private jsonOf(seq: number): Buffer {
    return (this.chunks[this.chunkOf[seq] as number] as Buffer).subarray(this.startOf[seq], this.endOf[seq]);
  }

  /** The shortest index list among the filters given, and the filters left to check per event. */
  private candidatesFor(filters: Filters): { candidates: readonly number[]; others: [FilterName, string][] } {
    const given = FILTER_NAMES.flatMap((name) => {
      const value = filters[name];
      return value === undefined ? [] : [[name, value] as [FilterName, string]];
    });
    let best: { list: readonly number[]; at: number } | undefined;
    for (let at = 0; at < given.length; at++) {
      const [name, value] = given[at] as [FilterName, string];
      const list = this.indexes.get(indexKey(name, value)) ?? [];
      if (!best || list.length < best.list.length) best = { list, at };
    }
    if (!best) return { candidates: this.order, others: [] };
    const chosen = best;
    return { candidates: chosen.list, others: given.filter((_, at) => at !== chosen.at) };
  }

  private before(a: StorePosition, seqB: number): boolean {
    const tb = this.times[seqB] as number;
    return a.timeMs < tb || (a.timeMs === tb && a.seq < seqB);
  }

  private positionOf(seq: number): StorePosition {
    return { timeMs: this.times[seq] as number, seq };
  }

  /** Appends in the common case (newest event); splices by binary search for a late one. */
  private insertInOrder(list: number[], seq: number): void {
    const tail = list[list.length - 1];
    const item = this.positionOf(seq);
    if (tail === undefined || !this.before(item, tail)) {
      list.push(seq);
      return;
    }
    list.splice(
      lowerBound(list, (s) => this.before(this.positionOf(s), seq)),
      0,
      seq,
    );
  }

  /** First index whose event is at or after `startMs` and strictly after `after`. */
  private firstAt(list: readonly number[], startMs: number | undefined, after: StorePosition | undefined): number {
    let i = 0;
    if (startMs !== undefined) i = lowerBound(list, (s) => (this.times[s] as number) < startMs);
    if (after)
      i = Math.max(
        i,
        lowerBound(list, (s) => !this.before(after, s)),
      );
    return i;
  }
}

function indexKey(name: FilterName, value: string): string {
  return `${name}\u0000${value}`;
}

function filterValue(event: object, name: FilterName): string | undefined {
  const e = event as { event_type?: unknown; actor?: { actor_type?: unknown; gid?: unknown }; resource?: { gid?: unknown } };
  const v = name === 'event_type' ? e.event_type : name === 'actor_type' ? e.actor?.actor_type : name === 'actor_gid' ? e.actor?.gid : e.resource?.gid;
  return typeof v === 'string' ? v : undefined;
}

/** Index of the first item for which `isLeft` is false; `isLeft` must be true for a prefix. */
function lowerBound(list: readonly number[], isLeft: (seq: number) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isLeft(list[mid] as number)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
