import type { z } from 'zod';
import { dataElementSpans } from './dataSpans.js';
import { AsanaApiError } from './asanaApiError.js';
import { auditLogEventSchema, type AuditLogEvent, type Page } from '../model/auditLog.js';
import { auditLogPageSchema } from './apiSchemas.js';
import { PARSED_RARELY } from '../model/parseOptions.js';

/**
 * Turns a 2xx body into a Page. A body that is not a page at all is a transient fault (a proxy's
 * HTML, a cut connection) and may be retried. A page holding an event the collector cannot place
 * (no gid or created_at) is not retried: the same page would come back, and skipping the event
 * would lose it, so the run stops before it.
 */
export function parsePage(bodyText: string, contentType?: string): Page {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    throw new AsanaApiError({
      code: 'invalid_response',
      retryable: true,
      detail: `the body is not JSON (${describeBody(bodyText, contentType)})`,
    });
  }

  const envelope = auditLogPageSchema.safeParse(body, PARSED_RARELY);
  if (!envelope.success) {
    throw new AsanaApiError({
      code: 'invalid_response',
      retryable: true,
      detail: `the body is JSON but not an audit log page (${describeIssues(envelope.error)})`,
    });
  }

  const items = envelope.data.data;
  const spans = dataElementSpans(bodyText);
  if (!spans || spans.length !== items.length) {
    // JSON.parse accepted the body, so the scanner must agree with it; if not, stop rather than guess.
    throw new AsanaApiError({
      code: 'invalid_response',
      retryable: false,
      detail: `the page's data array could not be cut into its ${items.length} events; the run stops before the page so that nothing is skipped`,
    });
  }
  const events: AuditLogEvent[] = [];
  items.forEach((item, index) => {
    // No PARSED_RARELY here: this parse runs once per event, so zod's generated fast path repays its compile.
    const checked = auditLogEventSchema.safeParse(item);
    if (!checked.success) {
      throw new AsanaApiError({
        code: 'invalid_response',
        retryable: false,
        detail:
          `event ${index + 1} of ${items.length} on the page (${describeGid(item)}) is not a usable audit log ` +
          `event (${describeIssues(checked.error)}); the run stops before this event so that it is not skipped`,
      });
    }
    // The event's own text, not a re-serialisation: big integers, 1.10, duplicate keys and any depth
    // of nesting reach Splunk exactly as Asana sent them.
    const [start, end] = spans[index] as [number, number];
    events.push({ gid: checked.data.gid, created_at: checked.data.created_at, json: bodyText.slice(start, end) });
  });

  return { events, nextOffset: envelope.data.next_page?.offset ?? null };
}

function describeGid(item: unknown): string {
  const gid = typeof item === 'object' && item !== null ? (item as { gid?: unknown }).gid : undefined;
  if (typeof gid === 'string' && gid !== '') return `gid ${printable(gid, 40)}`;
  if (typeof gid === 'number') return `gid ${gid}`;
  return 'no gid';
}

/** Field paths and zod's own wording only: values could be anything, including huge. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'value'}: ${printable(issue.message, 80)}`)
    .join('; ');
}

function describeBody(bodyText: string, contentType: string | undefined): string {
  const type = contentType ? printable(contentType, 60) : 'no content type';
  return bodyText.length === 0 ? `empty, ${type}` : `${bodyText.length} characters, ${type}`;
}

function printable(s: string, max: number): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
