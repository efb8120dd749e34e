import type { AuditLogEvent } from '../../model/auditLog.js';
import type { EventSink } from '../../collector/ports.js';
import { FlushedWriter } from '../flushedWriter.js';
import { escapeXmlAttr, escapeXmlText, toXmlSafeJson } from '../../splunk/xmlEscape.js';

export const DEFAULT_SOURCETYPE = 'asana:audit';

const ISO_WITH_FRACTION = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * `created_at` as epoch seconds with exactly three decimals, computed in whole milliseconds so no
 * binary floating point is involved. Digits beyond milliseconds are dropped (Splunk keeps
 * milliseconds), not rounded, so an event never moves into the next millisecond.
 */
export function epochSeconds(createdAt: string): string {
  const m = ISO_WITH_FRACTION.exec(createdAt.trim());
  const normalised = m ? `${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}${m[3] ?? ''}` : createdAt;
  const ms = Date.parse(normalised);
  if (!Number.isFinite(ms)) throw new RangeError(`created_at ${JSON.stringify(createdAt)} is not an ISO-8601 date-time`);
  const seconds = Math.floor(ms / 1000);
  const millis = ms - seconds * 1000;
  return `${seconds}.${String(millis).padStart(3, '0')}`;
}

/**
 * One `<event>` for Splunk's XML streaming mode. `<data>` is the event's JSON text exactly as
 * Asana sent it; only characters XML cannot carry are written as JSON `\uXXXX` escapes, which
 * JSON.parse turns back into the same string.
 */
export function eventToXml(event: AuditLogEvent, stanza: string, sourcetype: string): string {
  return (
    `<event stanza="${escapeXmlAttr(stanza)}">` +
    `<time>${epochSeconds(event.created_at)}</time>` +
    `<sourcetype>${escapeXmlText(sourcetype)}</sourcetype>` +
    `<data>${escapeXmlText(toXmlSafeJson(event.json))}</data>` +
    `</event>`
  );
}

/**
 * Writes events to splunkd in XML streaming mode. `write` resolves only once the bytes are
 * flushed (see FlushedWriter), because the collector saves its checkpoint right after.
 */
export class XmlEventStream implements EventSink {
  private readonly stanza: string;
  private readonly sourcetype: string;
  private readonly writer: FlushedWriter;
  private opened = false;
  private closed = false;

  constructor(out: NodeJS.WritableStream, opts: { stanza: string; sourcetype?: string }) {
    this.stanza = opts.stanza;
    this.sourcetype = opts.sourcetype ?? DEFAULT_SOURCETYPE;
    this.writer = new FlushedWriter(out);
  }

  async write(events: readonly AuditLogEvent[]): Promise<void> {
    if (this.closed) throw new Error('XmlEventStream: write after close');
    if (events.length === 0) return;
    // Rendered before anything is written so a bad event cannot leave half a chunk behind.
    const body = events.map((e) => `${eventToXml(e, this.stanza, this.sourcetype)}\n`).join('');
    const head = this.opened ? '' : '<stream>\n';
    this.opened = true;
    await this.writer.send(head + body);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.opened) await this.writer.send('</stream>\n');
    } finally {
      this.writer.detach();
    }
  }
}
