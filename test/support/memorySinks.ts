import type { AuditLogEvent } from '../../src/model/auditLog.js';
import type { Checkpoint } from '../../src/collector/checkpoint.js';
import type { CheckpointPort, EmittedLogContents, EmittedLogPort, EmittedRecord, EventSink } from '../../src/collector/ports.js';

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

/**
 * The emitted-gid log kept in memory, as the file would be: absent until written (`exists`), the
 * identity its first line names (`id`), its records (`lines`). Like the file store, an append to
 * an absent log creates one that names no log, and a rewrite keeps the identity last loaded or written.
 */
export class MemoryEmittedLog implements EmittedLogPort {
  readonly name = 'memory.checkpoint.emitted';
  exists = false;
  id: string | undefined;
  lines: EmittedRecord[] = [];
  private known: string | undefined;
  load(): EmittedLogContents | undefined {
    this.known = this.exists ? this.id : undefined;
    return this.exists ? { id: this.id, records: structuredClone(this.lines) } : undefined;
  }
  append(record: EmittedRecord): void {
    if (Object.keys(record).length === 0) return;
    if (!this.exists) {
      this.exists = true;
      this.id = undefined;
    }
    this.lines.push(structuredClone(record));
  }
  rewrite(records: readonly EmittedRecord[], id: string | undefined = this.known): void {
    this.exists = true;
    this.id = id;
    this.known = id;
    this.lines = structuredClone([...records]);
  }
  clear(): void {
    this.exists = false;
    this.id = undefined;
    this.known = undefined;
    this.lines = [];
  }
}
