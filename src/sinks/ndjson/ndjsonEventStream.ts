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
    await this.writer.send(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  async close(): Promise<void> {
    this.writer.detach();
  }
}
