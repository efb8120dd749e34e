import type { AuditLogEvent } from '../../src/model/auditLog.js';
import type { Checkpoint } from '../../src/collector/checkpoint.js';
import type { CheckpointPort, EmittedLogPort, EmittedRecord, EventSink } from '../../src/collector/ports.js';

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

/** The emitted-gid log kept in memory; `lines` is what the file would hold. */
/**
 * Dies like a killed process on the n-th save: what the sink took stays taken (the page was
 * flushed), its checkpoint is not written. `revive` lets a "restarted" run save again.
 */
export class DyingCheckpoints extends MemoryCheckpoints {
  constructor(private savesLeft: number) {
    super();
  }
  override save(cp: Checkpoint): void {
    if (this.savesLeft-- <= 0) throw new Error('killed');
    super.save(cp);
  }
  revive(saves: number): void {
    this.savesLeft = saves;
  }
}

export class MemoryEmittedLog implements EmittedLogPort {
  lines: EmittedRecord[] = [];
  load(): EmittedRecord[] {
    return structuredClone(this.lines);
  }
  append(record: EmittedRecord): void {
    if (Object.keys(record).length > 0) this.lines.push(structuredClone(record));
  }
  rewrite(records: readonly EmittedRecord[]): void {
    this.lines = structuredClone([...records]);
  }
  clear(): void {
    this.lines = [];
  }
}
