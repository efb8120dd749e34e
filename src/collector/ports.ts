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

/** Events a sink has taken but not yet delivered (HEC: sent, not yet acknowledged as indexed). */
export interface Delivery {
  /** Resolves once the events are delivered; rejects when they never will be (the run then fails). */
  readonly delivered: Promise<void>;
}

/**
 * Where events go. `write` resolves once the sink has taken the events: with nothing when they
 * are already delivered (stdout: handed to the operating system), or with a Delivery that settles
 * later (HEC with acknowledgment: once Splunk says indexed), so the collector can fetch the next
 * page meanwhile. Either way the collector saves a stream's position only once that page and
 * every earlier page of the stream are delivered.
 */
export interface EventSink {
  // biome-ignore lint/suspicious/noConfusingVoidType: a sink that delivers at once is a plain `async write(): Promise<void>`
  write(events: readonly AuditLogEvent[]): Promise<Delivery | undefined | void>;
  /**
   * Most events the sink keeps taken-but-undelivered. The collector then keeps at most this many
   * events written but not yet in the saved checkpoint, which bounds what a kill repeats. Absent:
   * every write resolves delivered, and a kill repeats at most the page in hand.
   */
  readonly maxUndeliveredEvents?: number;
}

/** Where checkpoints live; the file store implements it, tests keep them in memory. */
export interface CheckpointPort {
  load(): Checkpoint | undefined;
  save(cp: Checkpoint): void;
}
