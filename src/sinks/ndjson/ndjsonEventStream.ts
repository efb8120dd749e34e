import type { AuditLogEvent } from '../../model/auditLog.js';
import type { EventSink } from '../../collector/ports.js';
import { FlushedWriter } from '../flushedWriter.js';

/** One event per line, exactly as Asana sent it: for `poll` outside Splunk and for pipes. */
export class NdjsonEventStream implements EventSink {
  private readonly writer: FlushedWriter;

  constructor(out: NodeJS.WritableStream) {
    this.writer = new FlushedWriter(out);
  }

  async write(events: readonly AuditLogEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.writer.send(events.map((e) => `${oneLine(e.json)}\n`).join(''));
  }

  async close(): Promise<void> {
    this.writer.detach();
  }
}

/**
 * The event's text unchanged, except that a line break, which valid JSON can hold only as
 * whitespace between tokens (inside strings it is always escaped), becomes a space so that one
 * event stays one line.
 */
export function oneLine(json: string): string {
  return /[\r\n]/.test(json) ? json.replace(/[\r\n]/g, ' ') : json;
}
