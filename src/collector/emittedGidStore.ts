import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CodedError } from '../errors/codedError.js';
import type { Logger } from '../logging/logger.js';
import { logIdSchema } from './checkpoint.js';
import { errnoText } from '../errors/errnoText.js';
import { CheckpointUnwritableError } from './checkpointStore.js';
import { looksLike } from './fileKind.js';
import { appendRegularFile, leftoverTempFiles, NotRegularFileError, readRegularFile, readRegularHead, writeFileAtomically } from './safeFiles.js';
import type { EmittedLogContents, EmittedLogPort, EmittedRecord } from './ports.js';
import { PARSED_RARELY } from '../model/parseOptions.js';

const recordSchema = z.record(z.string().regex(/^-?\d+$/), z.array(z.string()));
const recordLineSchema = z.strictObject({ sum: z.string(), r: z.unknown() });
const headerLineSchema = z.strictObject({ sum: z.string(), log: logIdSchema });

/** The emitted-gid log of the input whose checkpoint is `checkpointFile`. */
export function emittedLogPathFor(checkpointFile: string): string {
  return `${checkpointFile}.emitted`;
}

/** Raised when the file at the log's path is not one of these logs: it is neither read, overwritten nor deleted. */
export class NotAnEmittedLogError extends CodedError<'not_an_emitted_log'> {
  constructor(
    readonly file: string,
    readonly what: string,
  ) {
    super(
      'not_an_emitted_log',
      `${file} is not this add-on's emitted-gid log (it looks like ${what}): it was left as it is and nothing was collected. That name, beside the checkpoint, is where the add-on keeps the gids the re-read of late events needs: move it elsewhere, and the next run starts a new log`,
    );
  }
}

/**
 * The emitted-gid log on disk: a first line that names the log (its identity, which the
 * checkpoint's trail names too), then one checksummed JSON line per page, appended and fsynced
 * before the checkpoint moves. The first line is only ever written together with the records
 * (a new log, or a compaction, which writes a new file and renames it over the old one, like the
 * checkpoint). A line cut short by a crash belongs to a page whose checkpoint never moved, so it
 * is dropped: that page is read again and its events are recognised or emitted once.
 */
export class EmittedGidStore implements EmittedLogPort {
  readonly file: string;
  private readonly dir: string;
  /** The identity the log was loaded or last written with. */
  private id: string | undefined;

  constructor(private readonly opts: { file: string; logger: Logger }) {
    this.file = path.resolve(opts.file);
    this.dir = path.dirname(this.file);
  }

  get name(): string {
    return this.file;
  }

  load(): EmittedLogContents | undefined {
    let text: string;
    this.id = undefined;
    try {
      const read = readRegularFile(this.file);
      if (!read) return undefined;
      text = read.text;
    } catch (e) {
      if (e instanceof NotRegularFileError) throw e;
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
    // Judged before anything is written: someone else's file is never overwritten or truncated.
    const kind = kindOfText(text, false);
    if (kind !== 'log') throw new NotAnEmittedLogError(this.file, kind.what);
    const records: EmittedRecord[] = [];
    const damaged: number[] = [];
    const lines = text.split('\n');
    const tail = lines.pop() ?? '';
    lines.forEach((line, i) => {
      const decoded = decodeLine(line);
      if (decoded && 'record' in decoded) records.push(decoded.record);
      else if (decoded && i === 0) this.id = decoded.id;
      else damaged.push(i + 1);
    });
    if (tail !== '' || damaged.length > 0) {
      this.opts.logger.warn(damageText(this.file, damaged, tail !== ''));
      // Appending after a cut line would glue the next record to it; write the good ones back.
      this.rewrite(records);
    }
    return { id: this.id, records, ...(damaged[0] === 1 ? { firstLineDamaged: true } : {}) };
  }

  append(record: EmittedRecord): void {
    if (Object.keys(record).length === 0) return;
    const line = encodeLine(record);
    try {
      // Like the checkpoint: a symlink, FIFO or device planted at the log's path is refused.
      appendRegularFile(this.file, line);
    } catch (e) {
      if (e instanceof NotRegularFileError) throw e;
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
  }

  rewrite(records: readonly EmittedRecord[], id: string | undefined = this.id): void {
    // A log an earlier version wrote has no identity, and keeps none until the collector gives it one.
    const text = (id === undefined ? '' : encodeHeader(id)) + records.map(encodeLine).join('');
    try {
      writeFileAtomically(this.file, text);
    } catch (e) {
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
    this.id = id;
  }

  /** Deletes the log and any temp file of a compaction cut short: each only if it is one (see reset). */
  clear(): void {
    this.reset();
    this.id = undefined;
  }

  /**
   * `checkpoint reset`: deletes the log and the temp file of a compaction cut short, each only if
   * it is one (empty, or its first line starts as this store writes lines, or as much of that
   * as a crash left); any other file is left alone. Returns the files deleted.
   */
  reset(): string[] {
    const deleted: string[] = [];
    // The temp files of compactions cut short, under this version's names and the fixed one.
    for (const file of [this.file, ...leftoverTempFiles(this.file)]) {
      if (!isEmittedLog(file)) continue;
      fs.rmSync(file, { force: true });
      deleted.push(file);
    }
    return deleted;
  }
}

/** Bytes read to tell a log from another file: more than the start every line of a log has. */
const HEAD_BYTES = 4096;

function isEmittedLog(file: string): boolean {
  let head: { bytes: Buffer; cut: boolean } | undefined;
  try {
    // A symlink, FIFO or device is not ours: never followed, waited on or deleted.
    head = readRegularHead(file, HEAD_BYTES);
  } catch {
    return false;
  }
  return head !== undefined && kindOfText(head.bytes.toString('utf8'), head.cut) === 'log';
}

/**
 * How every line of the log starts, `{"sum":"` and 16 hex digits, then the record or the log's
 * identity (see encodeLine and encodeHeader). A checkpoint's lines start alike but with a longer
 * checksum and another key.
 */
const LINE_START = /^\{"sum":"[0-9a-f]{16}","(?:r|log)":/;
const LINE_SHAPES = ['r', 'log'].map((key) => `{"sum":"${'0'.repeat(16)}","${key}":`);

/** Whether `text` is the start of LINE_START cut short (a crash during the file's first write). */
function isCutLineStart(text: string): boolean {
  return LINE_SHAPES.some((shape) => text.length < shape.length && [...text].every((c, i) => (i >= 8 && i < 24 ? /[0-9a-f]/.test(c) : c === shape[i])));
}

/**
 * Whether a file holding `text` (its start only, when `cut`) is one of these logs: empty, or its
 * first line starts as every line of the log starts (a line damaged later is the log's own
 * damage), or as much of that start as a crash during its first write left. Anything else is
 * someone else's file, described as fileKind.ts does.
 */
function kindOfText(text: string, cut: boolean): 'log' | { what: string } {
  const end = text.indexOf('\n');
  const first = end === -1 ? text : text.slice(0, end);
  if (text === '' || LINE_START.test(first) || (end === -1 && !cut && isCutLineStart(first))) return 'log';
  if (/^\{"sum":"[0-9a-f]{32}","checkpoint":/.test(first)) return { what: 'a checkpoint file' };
  return { what: looksLike(Buffer.from(text.slice(0, HEAD_BYTES), 'utf8'), cut || text.length > HEAD_BYTES) };
}

/**
 * The one WARN for a log with damaged lines. Lines are appended whole and fsynced before the
 * checkpoint moves, so a crash can only cut the last one, whose page is then read again; a
 * damaged line before it was altered or damaged on disk, and its gids are lost to the log.
 */
function damageText(file: string, damaged: readonly number[], cutLast: boolean): string {
  const cut = 'its last line was cut short by a crash mid-write and is dropped, so up to one page of events may be read again';
  if (damaged.length === 0) return `the emitted-gid log ${file} had 1 damaged line(s) (a crash mid-write): ${cut}; nothing to do`;
  const n = damaged.length;
  const where = `line${n === 1 ? '' : 's'} ${damaged.slice(0, 5).join(', ')}${n > 5 ? ', …' : ''}`;
  // Line 1 names the log (in an older log: its first record). Unnamed, the log cannot show it pairs with the checkpoint.
  const first = damaged[0] === 1 ? ' If line 1 named the log, the checkpoint can no longer be matched with it: none of its gids is used.' : '';
  return `the emitted-gid log ${file} has ${n} damaged line${n === 1 ? '' : 's'} (${where}: a checksum that does not match, or text that is not a record), which is not a crash (a crash only cuts the last line): the file was altered, or the disk damaged it. ${n === 1 ? 'It is' : 'They are'} dropped: events listed there may be sent again if the re-read of late events reads them, none is lost${cutLast ? `; and ${cut}` : ''}.${first} Leave the file to the add-on, and check the disk`;
}

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

function encodeLine(record: EmittedRecord): string {
  const json = JSON.stringify(record);
  return `{"sum":"${checksum(json)}","r":${json}}\n`;
}

/** The first line of a log: its identity, checksummed like the records. */
function encodeHeader(id: string): string {
  const json = JSON.stringify(logIdSchema.parse(id));
  return `{"sum":"${checksum(json)}","log":${json}}\n`;
}

/** A record line, or a first line's identity; undefined for a line that is neither, or fails its checksum. */
function decodeLine(line: string): { record: EmittedRecord } | { id: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const header = headerLineSchema.safeParse(parsed, PARSED_RARELY);
  if (header.success) return checksum(JSON.stringify(header.data.log)) === header.data.sum ? { id: header.data.log } : undefined;
  const outer = recordLineSchema.safeParse(parsed, PARSED_RARELY);
  if (!outer.success) return undefined;
  const record = recordSchema.safeParse(outer.data.r, PARSED_RARELY);
  if (!record.success || checksum(JSON.stringify(record.data)) !== outer.data.sum) return undefined;
  return { record: record.data };
}
