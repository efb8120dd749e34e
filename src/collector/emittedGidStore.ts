import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../logging/logger.js';
import { CheckpointUnwritableError, errnoText } from './checkpointStore.js';
import {
  appendRegularFile,
  leftoverTempFiles,
  NotRegularFileError,
  readRegularFile,
  readRegularHead,
  removeQuietly,
  writeFileAtomically,
} from './safeFiles.js';
import type { EmittedLogPort, EmittedRecord } from './ports.js';
import { PARSED_RARELY } from '../model/parseOptions.js';

const recordSchema = z.record(z.string().regex(/^-?\d+$/), z.array(z.string()));
const lineSchema = z.object({ sum: z.string(), r: z.unknown() });

/** The emitted-gid log of the input whose checkpoint is `checkpointFile`. */
export function emittedLogPathFor(checkpointFile: string): string {
  return `${checkpointFile}.emitted`;
}

/**
 * The emitted-gid log on disk: one checksummed JSON line per page, appended and fsynced before
 * the checkpoint moves. Compaction writes a new file and renames it over the old one, like the
 * checkpoint. A line cut short by a crash belongs to a page whose checkpoint never moved, so it
 * is dropped: that page is read again and its events are recognised or emitted once.
 */
export class EmittedGidStore implements EmittedLogPort {
  readonly file: string;
  private readonly dir: string;

  constructor(private readonly opts: { file: string; logger: Logger }) {
    this.file = path.resolve(opts.file);
    this.dir = path.dirname(this.file);
  }

  load(): EmittedRecord[] {
    let text: string;
    try {
      const read = readRegularFile(this.file);
      if (!read) return [];
      text = read.text;
    } catch (e) {
      if (e instanceof NotRegularFileError) throw e;
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
    const records: EmittedRecord[] = [];
    let damaged = 0;
    const lines = text.split('\n');
    const tail = lines.pop() ?? '';
    for (const line of lines) {
      const record = decodeLine(line);
      if (record) records.push(record);
      else damaged++;
    }
    if (tail !== '' || damaged > 0) {
      // Appending after a cut line would glue the next record to it; write the good ones back.
      this.opts.logger.warn(
        `the emitted-gid log ${this.file} had ${damaged + (tail !== '' ? 1 : 0)} damaged line(s) (a crash mid-write): they are dropped, so up to one page of events may be read again`,
      );
      this.rewrite(records);
    }
    return records;
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

  rewrite(records: readonly EmittedRecord[]): void {
    const text = records.map(encodeLine).join('');
    try {
      writeFileAtomically(this.file, text);
    } catch (e) {
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
  }

  clear(): void {
    fs.rmSync(this.file, { force: true });
    for (const tmp of leftoverTempFiles(this.file)) removeQuietly(tmp);
  }

  /**
   * `checkpoint reset`: deletes the log and the temp file of a compaction cut short, each only if
   * it is one (empty, or its first line starts as this store writes lines); any other file is
   * left alone. Returns the files deleted.
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

/** How every line of the log starts (see encodeLine). */
const LINE_START = '{"sum":"';

function isEmittedLog(file: string): boolean {
  let head: { bytes: Buffer } | undefined;
  try {
    // A symlink, FIFO or device is not ours: never followed, waited on or deleted.
    head = readRegularHead(file, LINE_START.length);
  } catch {
    return false;
  }
  // A log cut by a crash may hold less than one line start; it is still ours.
  return head !== undefined && LINE_START.startsWith(head.bytes.toString('utf8'));
}

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

function encodeLine(record: EmittedRecord): string {
  const json = JSON.stringify(record);
  return `{"sum":"${checksum(json)}","r":${json}}\n`;
}

function decodeLine(line: string): EmittedRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const outer = lineSchema.safeParse(parsed, PARSED_RARELY);
  if (!outer.success) return undefined;
  const record = recordSchema.safeParse(outer.data.r, PARSED_RARELY);
  if (!record.success || checksum(JSON.stringify(record.data)) !== outer.data.sum) return undefined;
  return record.data;
}
