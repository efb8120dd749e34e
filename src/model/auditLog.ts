import { z } from 'zod';

/**
 * The audit log as every part of the program sees it: an event, the filters, a request for one page
 * and the page that answers it. The Asana client produces it, settings name its filters, the
 * collector pages through it and the sinks write its events.
 */

/** The actor types Asana documents; also the allowed values of the `actor_type` filter. */
export const ACTOR_TYPES = ['user', 'asana', 'asana_support', 'anonymous', 'external_administrator'] as const;
export const actorTypeSchema = z.enum(ACTOR_TYPES);
export type ActorType = z.infer<typeof actorTypeSchema>;

/** ISO-8601 with a `Z` or numeric offset, as the API writes `created_at`. */
export const isoInstant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), {
  message: 'not an ISO-8601 date-time',
});

/**
 * The fields of an audit log event the collector relies on. Everything else, known or not, is
 * allowed (`loose`): Asana adds fields over time, and the event reaches Splunk as its own text.
 */
export const auditLogEventSchema = z.looseObject({
  gid: z.string().min(1),
  created_at: isoInstant,
  event_type: z.string().optional(),
  event_category: z.string().optional(),
});

/**
 * One event as the collector and the sinks see it: what places it in the stream, and its JSON
 * text exactly as Asana sent it (never re-serialised: see dataSpans.ts).
 */
export interface AuditLogEvent {
  gid: string;
  created_at: string;
  /** The event's JSON text, byte for byte as it stood in the page. */
  json: string;
}

/** Filters the API accepts besides the time bounds. An offset is only valid with the same set. */
export const FILTER_NAMES = ['event_type', 'actor_type', 'actor_gid', 'resource_gid'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];
export type Filters = Partial<Record<FilterName, string>>;

/** One request for one page: the filters, the time window and the cursor it continues. */
export interface PageQuery {
  workspaceGid: string;
  filters: Filters;
  startAt?: string;
  endAt?: string;
  offset?: string;
  limit: number;
}

/** One page as the collector sees it. `nextOffset` null means "nothing matches these filters yet". */
export interface Page {
  events: AuditLogEvent[];
  nextOffset: string | null;
}
