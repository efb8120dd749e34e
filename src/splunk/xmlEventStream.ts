import type { AuditLogEvent } from '../asana/schemas.js';
import type { EventSink } from '../collector/ports.js';
import { escapeXmlAttr, escapeXmlText, toXmlSafeJson } from './xmlEscape.js';

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
 * One `<event>` for Splunk's XML streaming mode. `<data>` is the event exactly as Asana sent it,
 * one line of JSON; characters XML cannot carry are written as JSON `\uXXXX` escapes, which
 * JSON.parse turns back into the same string.
 */
export function eventToXml(event: AuditLogEvent, stanza: string, sourcetype: string): string {
  return (
    `<event stanza="${escapeXmlAttr(stanza)}">` +
    `<time>${epochSeconds(event.created_at)}</time>` +
    `<sourcetype>${escapeXmlText(sourcetype)}</sourcetype>` +
    `<data>${escapeXmlText(toXmlSafeJson(JSON.stringify(event)))}</data>` +
    `</event>`
  );
}

/**
 * Writes events to splunkd in XML streaming mode. `write` resolves only once the operating system
 * has the bytes (and the stream has drained), because the collector saves its checkpoint right
 * after: claiming success early would lose events if the process died. A write error such as
 * EPIPE rejects this write and every later one.
 */
export class XmlEventStream implements EventSink {
  private readonly stanza: string;
  private readonly sourcetype: string;
  private opened = false;
  private closed = false;
  private failure: Error | undefined;
  // Kept on for the sink's whole life: an 'error' with no listener would crash the process
  // instead of failing the write that caused it.
  private readonly onStreamError = (err: Error) => {
    this.failure ??= err;
  };

  constructor(
    private readonly out: NodeJS.WritableStream,
    opts: { stanza: string; sourcetype?: string },
  ) {
    this.stanza = opts.stanza;
    this.sourcetype = opts.sourcetype ?? DEFAULT_SOURCETYPE;
    out.on('error', this.onStreamError);
  }

  async write(events: readonly AuditLogEvent[]): Promise<void> {
    if (this.closed) throw new Error('XmlEventStream: write after close');
    if (events.length === 0) return;
    // Rendered before anything is written so a bad event cannot leave half a chunk behind.
    const body = events.map((e) => `${eventToXml(e, this.stanza, this.sourcetype)}\n`).join('');
    const head = this.opened ? '' : '<stream>\n';
    this.opened = true;
    await this.send(head + body);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.opened) await this.send('</stream>\n');
    } finally {
      this.out.off('error', this.onStreamError);
    }
  }

  private send(chunk: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const out = this.out;
    return new Promise<void>((resolve, reject) => {
      let flushed = false;
      let drained = true;
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        out.off('drain', onDrain);
        out.off('error', onError);
        out.off('close', onClose);
        if (err) {
          this.failure ??= err;
          reject(err);
        } else resolve();
      };
      const onDrain = () => {
        drained = true;
        if (flushed) settle();
      };
      const onError = (err: Error) => settle(err);
      const onClose = () => (flushed ? settle() : settle(new Error('XmlEventStream: output closed before the events were flushed')));
      out.on('error', onError);
      out.on('close', onClose);
      const ok = out.write(chunk, (err?: Error | null) => {
        if (err) return settle(err);
        flushed = true;
        if (drained) settle();
      });
      if (!ok) {
        drained = false;
        out.on('drain', onDrain);
      }
    });
  }
}
