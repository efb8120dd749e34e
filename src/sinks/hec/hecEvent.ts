import type { AuditLogEvent } from '../../model/auditLog.js';

/** The fields HEC takes beside each event; absent ones fall back to the token's defaults. */
export interface HecMetadata {
  sourcetype: string;
  source?: string;
  host?: string;
  index?: string;
}

/**
 * One event in HEC's JSON envelope. `time` is the event's own `created_at` in epoch seconds with
 * exactly three decimals (written as text, so 12.100 keeps its millisecond digits), and `event`
 * is the event's JSON text exactly as Asana sent it.
 */
export function toHecLine(event: AuditLogEvent, meta: HecMetadata): string {
  const ms = Date.parse(event.created_at);
  const parts: string[] = [];
  // An unreadable created_at would make HEC refuse the whole batch: it gets the arrival time instead.
  if (Number.isFinite(ms)) parts.push(`"time":${(ms / 1000).toFixed(3)}`);
  parts.push(`"event":${event.json}`);
  parts.push(`"sourcetype":${JSON.stringify(meta.sourcetype)}`);
  if (meta.source !== undefined) parts.push(`"source":${JSON.stringify(meta.source)}`);
  if (meta.host !== undefined) parts.push(`"host":${JSON.stringify(meta.host)}`);
  if (meta.index !== undefined) parts.push(`"index":${JSON.stringify(meta.index)}`);
  return `{${parts.join(',')}}`;
}

export interface BatchLimits {
  maxEvents: number;
  /** Uncompressed body bytes; one event larger than this still goes, alone. */
  maxBytes: number;
}

/** A request body: events in order, newline-separated (HEC reads concatenated JSON objects). */
export interface Batch {
  body: string;
  events: number;
}

/** Splits lines, in order, into batches that respect both limits. */
export function splitBatches(lines: readonly string[], limits: BatchLimits): Batch[] {
  const batches: Batch[] = [];
  let current: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    batches.push({ body: current.join('\n'), events: current.length });
    current = [];
    bytes = 0;
  };
  for (const line of lines) {
    const size = Buffer.byteLength(line, 'utf8') + 1;
    if (current.length > 0 && (current.length >= limits.maxEvents || bytes + size > limits.maxBytes)) flush();
    current.push(line);
    bytes += size;
  }
  flush();
  return batches;
}
