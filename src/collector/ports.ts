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
  fetchPage(query: PageQuery, options?: FetchOptions): Promise<Page>;
}

export interface FetchOptions {
  /**
   * The re-read of late events: it waits behind every other request for the shared budget, so it
   * never delays fresh events.
   */
  background?: boolean;
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

/** One record of emitted gids, by the start (epoch ms, as a string key) of their created_at bucket. */
export type EmittedRecord = Record<string, string[]>;

/** The emitted-gid log as read back. */
export interface EmittedLogContents {
  /** The identity its first line names: none in a log written before logs had one (or whose first line is damaged). */
  id: string | undefined;
  /** Every complete record, oldest first. */
  records: EmittedRecord[];
  /** Line 1 was damaged: the load already said so, the log's identity (if it had one) included. */
  firstLineDamaged?: boolean;
}

/**
 * Where the gids emitted for the re-read of late events are kept, next to the checkpoint. Order
 * per page: the sink flushes, then `append` makes the page's gids durable, then the checkpoint
 * moves. A kill between them repeats at most the page in hand. The log names itself (an identity
 * in its first line) and the checkpoint's trail names the log it pairs with, so a log deleted or
 * replaced behind the add-on's back is noticed.
 */
export interface EmittedLogPort {
  /** Where the log is, for messages. */
  readonly name: string;
  /** The log, or undefined when there is none (a line cut by a crash is dropped and cut off the file). */
  load(): EmittedLogContents | undefined;
  /** Returns once the record is on disk. */
  append(record: EmittedRecord): void;
  /**
   * Replaces the whole log at once, durably, under `id` (default: the identity it was loaded or
   * last written with). Compaction leaves out buckets the re-read has passed.
   */
  rewrite(records: readonly EmittedRecord[], id?: string): void;
  /** Removes the log (the re-read was turned off, or the cursor started over). */
  clear(): void;
}
