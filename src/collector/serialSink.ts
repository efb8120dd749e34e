import type { AuditLogEvent } from '../model/auditLog.js';
import type { EventSink } from './ports.js';

/**
 * Lets several streams share one sink: writes go out one at a time, in call order, each after
 * the previous one flushed. So the output never holds more than one page beyond what the
 * operating system took, and a stream's checkpoint still follows its own flush.
 */
export class SerialSink implements EventSink {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly sink: EventSink) {}

  write(events: readonly AuditLogEvent[]): Promise<void> {
    const done = this.tail.then(() => this.sink.write(events));
    // A failure belongs to the write that caused it; the sink itself refuses later writes if it must.
    this.tail = done.catch(() => undefined);
    return done;
  }
}
