import type { AuditLogEvent } from '../../src/model/auditLog.js';
import type { Checkpoint } from '../../src/collector/checkpoint.js';
import type { CheckpointPort, EventSink } from '../../src/collector/ports.js';

export class MemorySink implements EventSink {
  readonly written: AuditLogEvent[] = [];
  failAfter = Number.POSITIVE_INFINITY;
  async write(events: readonly AuditLogEvent[]): Promise<void> {
    if (this.written.length + events.length > this.failAfter) throw new Error('EPIPE: reader went away');
    this.written.push(...events);
  }
}

export class MemoryCheckpoints implements CheckpointPort {
  saved: Checkpoint[] = [];
  load(): Checkpoint | undefined {
    return this.saved.length ? structuredClone(this.saved[this.saved.length - 1]) : undefined;
  }
  save(cp: Checkpoint): void {
    this.saved.push(structuredClone(cp));
  }
}
