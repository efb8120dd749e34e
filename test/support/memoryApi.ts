import { OffsetExpiredError, type PageSource } from '../../src/collector/ports.js';
import type { AuditLogEvent, Page, PageQuery } from '../../src/model/auditLog.js';
import { auditEvent } from './events.js';

/**
 * An in-process model of the audit log's stream semantics, for collector tests that need
 * exact control: offsets are positions bound to the start_at they were issued for, and any
 * offset can be made to expire.
 */
export class MemoryAuditLog implements PageSource {
  readonly events: AuditLogEvent[] = [];
  readonly queries: PageQuery[] = [];
  /** Offsets handed out: offset → [start_at, end_at, position]. */
  private readonly offsets = new Map<string, { startAt: string | undefined; endAt?: string; position: number }>();
  private nextId = 0;
  expireAll = false;
  failNext: Error[] = [];

  add(...events: AuditLogEvent[]): void {
    this.events.push(...events);
    this.events.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  }

  expire(): void {
    this.offsets.clear();
  }

  async fetchPage(query: PageQuery): Promise<Page> {
    this.queries.push(query);
    const failure = this.failNext.shift();
    if (failure) throw failure;
    const from = query.startAt ? Date.parse(query.startAt) : Number.NEGATIVE_INFINITY;
    const to = query.endAt ? Date.parse(query.endAt) : Number.POSITIVE_INFINITY;
    const matching = this.events.filter((e) => Date.parse(e.created_at) >= from && Date.parse(e.created_at) < to);
    let position = 0;
    if (query.offset !== undefined) {
      const o = this.offsets.get(query.offset);
      if (!o || o.startAt !== query.startAt || o.endAt !== query.endAt || this.expireAll) {
        throw new OffsetExpiredError('offset: expired');
      }
      position = o.position;
    }
    if (matching.length === 0 && query.offset === undefined) return { events: [], nextOffset: null };
    const events = matching.slice(position, position + query.limit);
    const offset = `o${this.nextId++}`;
    this.offsets.set(offset, { startAt: query.startAt, endAt: query.endAt, position: position + events.length });
    return { events: structuredClone(events), nextOffset: offset };
  }
}

export function makeEvent(gid: number, createdAt: string, extra: Record<string, unknown> = {}): AuditLogEvent {
  return auditEvent({ gid: String(gid), created_at: createdAt, event_type: 'user_login_succeeded', ...extra });
}

/** n events, `perInstant` sharing each millisecond, starting at `start`. */
export function eventSeries(n: number, start = Date.parse('2026-11-01T00:00:00.000Z'), perInstant = 1): AuditLogEvent[] {
  return Array.from({ length: n }, (_, i) => makeEvent(1000 + i, new Date(start + Math.floor(i / perInstant)).toISOString()));
}
