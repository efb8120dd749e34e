import type { AuditLogEvent, Page, PageQuery } from '../model/auditLog.js';

/**
 * Where pages come from. The Asana client implements it over HTTP; tests implement it with
 * scripted pages. Errors are thrown as AsanaApiError (code `offset_expired` for a rejected offset).
 */
export interface PageSource {
  fetchPage(query: PageQuery): Promise<Page>;
}

/**
 * Where events go. `write` resolves only when the events have been handed to the operating
 * system (stdout flushed, HEC acknowledged...): the collector saves its checkpoint after that.
 */
export interface EventSink {
  write(events: readonly AuditLogEvent[]): Promise<void>;
}
