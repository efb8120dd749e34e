import type { AuditLogEvent, Filters, Page, PageQuery } from '../model/auditLog.js';
import type { Cursor, Mark } from './checkpoint.js';

function instant(createdAt: string): number {
  return Date.parse(createdAt);
}

/**
 * The request that continues a cursor. With an offset, the filters it was issued for are sent
 * unchanged. Without one (first page, null `next_page`, or an offset Asana no longer accepts),
 * the request starts at the newest emitted instant, inclusive, so nothing after it is skipped.
 */
export function queryFor(cursor: Cursor, base: { workspaceGid: string; filters: Filters; limit: number }): PageQuery {
  const query: PageQuery = { workspaceGid: base.workspaceGid, filters: base.filters, limit: base.limit };
  if (cursor.endAt !== undefined) query.endAt = cursor.endAt;
  if (cursor.offset !== null) {
    if (cursor.startAt !== undefined) query.startAt = cursor.startAt;
    query.offset = cursor.offset;
    return query;
  }
  const start = laterOf(cursor.startAt, cursor.mark?.createdAt);
  if (start !== undefined) query.startAt = start;
  return query;
}

function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return instant(b) > instant(a) ? b : a;
}

/**
 * Drops the events a resume from the mark's instant sees again: those at exactly that instant
 * whose gids were emitted. Everything else passes, including late events older than the mark,
 * which were never emitted.
 */
export function dropAlreadyEmitted(events: readonly AuditLogEvent[], mark: Mark | null): AuditLogEvent[] {
  if (!mark) return [...events];
  const markMs = instant(mark.createdAt);
  const seen = new Set(mark.gids);
  return events.filter((e) => !(instant(e.created_at) === markMs && seen.has(e.gid)));
}

/** The mark after emitting `events`: the newest instant and every gid emitted at it. */
export function advanceMark(mark: Mark | null, events: readonly AuditLogEvent[]): Mark | null {
  let current = mark ? { createdAt: mark.createdAt, gids: [...mark.gids] } : null;
  let currentMs = current ? instant(current.createdAt) : Number.NEGATIVE_INFINITY;
  for (const e of events) {
    const ms = instant(e.created_at);
    if (ms > currentMs || current === null) {
      current = { createdAt: e.created_at, gids: [e.gid] };
      currentMs = ms;
    } else if (ms === currentMs && !current.gids.includes(e.gid)) {
      current.gids.push(e.gid);
    }
  }
  return current;
}

/** The cursor after a page was fetched with `query` and `emitted` were flushed. */
export function advanceCursor(cursor: Cursor, query: PageQuery, page: Page, emitted: readonly AuditLogEvent[]): Cursor {
  const next: Cursor = { offset: page.nextOffset, mark: advanceMark(cursor.mark, emitted) };
  // The offset belongs to the start_at that was sent; keep them together.
  const startAt = query.startAt ?? cursor.startAt;
  if (startAt !== undefined) next.startAt = startAt;
  if (cursor.endAt !== undefined) next.endAt = cursor.endAt;
  return next;
}
