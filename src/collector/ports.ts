import { CodedError } from '../errors/codedError.js';
import { describeCode } from '../errors/errorCodes.js';
import type { AuditLogEvent, Page, PageQuery } from '../model/auditLog.js';
import type { Checkpoint } from './checkpoint.js';

/**
 * Where pages come from. The Asana client implements it over HTTP; tests implement it with
 * scripted pages. A source throws OffsetExpiredError when it no longer accepts a query's offset;
 * the collector resumes from its last emitted event then, and rethrows anything else.
 */
export interface PageSource {
  fetchPage(query: PageQuery): Promise<Page>;
}

/** The page offset of a query is no longer accepted: the collector restarts the query from its mark. */
export class OffsetExpiredError extends CodedError<'offset_expired'> {
  constructor(...details: ReadonlyArray<string | undefined>) {
    super('offset_expired', describeCode('offset_expired', ...details));
  }
}

/**
 * Where events go. `write` resolves only when the events have been handed to the operating
 * system (stdout flushed, HEC acknowledged...): the collector saves its checkpoint after that.
 */
export interface EventSink {
  write(events: readonly AuditLogEvent[]): Promise<void>;
}

/** Where checkpoints live; the file store implements it, tests keep them in memory. */
export interface CheckpointPort {
  load(): Checkpoint | undefined;
  save(cp: Checkpoint): void;
}
