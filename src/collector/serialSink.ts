import type { AuditLogEvent } from '../model/auditLog.js';
import type { Delivery, EventSink } from './ports.js';

/**
 * Lets several streams share one sink: writes go out one at a time, in call order, each after
 * the previous one was taken (flushed, or for HEC sent and tracked). So the output never holds more than one page beyond what the
 * operating system took, and a stream's checkpoint still follows its own flush.
 */
export class SerialSink implements EventSink {
  private tail: Promise<unknown> = Promise.resolve();
  readonly maxUndeliveredEvents: number | undefined;

  constructor(private readonly sink: EventSink) {
    this.maxUndeliveredEvents = sink.maxUndeliveredEvents;
  }

  // biome-ignore lint/suspicious/noConfusingVoidType: passes on what the wrapped sink returns (see EventSink)
  write(events: readonly AuditLogEvent[]): Promise<Delivery | undefined | void> {
    const done = this.tail.then(() => this.sink.write(events));
    // A failure belongs to the write that caused it; the sink itself refuses later writes if it must.
    this.tail = done.catch(() => undefined);
    return done;
  }
}
