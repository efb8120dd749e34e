import fs from 'node:fs';
import path from 'node:path';
import { CodedError } from '../errors/codedError.js';
import { errnoText } from '../errors/errnoText.js';
import type { Logger } from '../logging/logger.js';
import { type Checkpoint, decodeCheckpointFile, encodeCheckpointFile, isCheckpointHead } from './checkpoint.js';
import { CheckpointLock, LockHeldError } from './checkpointLock.js';
import { looksLike } from './fileKind.js';
import {
  createExclusive,
  fsyncDir,
  leftoverTempFiles,
  NotRegularFileError,
  readRegularFile,
  readRegularHead,
  refuseOddFile,
  removeQuietly,
  unpredictableName,
  writeFileAtomically,
} from './safeFiles.js';

/** Raised when no complete checkpoint generation survives: starting over would re-ingest 90 days. */
export class CheckpointCorruptError extends CodedError<'checkpoint_corrupt'> {
  constructor(
    readonly file: string,
    readonly resetHint: string,
    problems: readonly string[] = [],
  ) {
    super(
      'checkpoint_corrupt',
      (names) =>
        `the checkpoint file ${file} is damaged: ${problems.length > 0 ? `${problems.join('; ')}, and ` : ''}no complete generation is left. Nothing was fetched. Restore the file from a backup, or to start this input over from ${names.startAt} (which may ingest events again), run: ${resetHint}`,
    );
  }
}

/** Raised when the checkpoint directory cannot be written: nothing must be fetched then. */
export class CheckpointUnwritableError extends CodedError<'checkpoint_unwritable'> {
  constructor(
    readonly dir: string,
    cause: string,
  ) {
    super(
      'checkpoint_unwritable',
      `cannot write checkpoints in ${dir} (${cause}): give the Splunk user write access to it and free disk space; nothing was collected`,
    );
  }
}

/** Raised when another process holds this input's lock. */
export class CheckpointLockedError extends CodedError<'checkpoint_locked'> {
  constructor(
    readonly file: string,
    readonly holder: string,
  ) {
    super('checkpoint_locked', `another collector (${holder}) is running this input and holds ${file}: this run exits without touching anything`);
  }
}

/** Raised when the file named as a checkpoint is something else: it is neither read nor deleted. */
export class NotACheckpointError extends CodedError<'not_a_checkpoint'> {
  constructor(
    readonly file: string,
    readonly what: string,
    action: string,
  ) {
    super(
      'not_a_checkpoint',
      what === 'a directory'
        ? `${file} is a directory, not a checkpoint file: ${action}; name the file itself (--file DIR/NAME.checkpoint), or the input (--dir ${file} --input NAME)`
        : `${file} is not a checkpoint file (it looks like ${what}): ${action}; name the file that poll's --checkpoint wrote, or the input (--dir CHECKPOINT_DIR --input NAME)`,
    );
  }
}

/** What is at a checkpoint's path. */
export type CheckpointFileKind = { kind: 'missing' } | { kind: 'checkpoint' } | { kind: 'other'; what: string };

const LEFT_ALONE = 'it was left as it is and nothing was collected';

/** Bytes read to tell a checkpoint from another file; a checkpoint is a few KB at most. */
const HEAD_BYTES = 64 * 1024;

export { checkpointFileName, checkpointPathFor, legacyCheckpointPathFor } from './checkpointNames.js';

export interface CheckpointStoreOptions {
  /** The checkpoint file; its directory must be writable. */
  file: string;
  logger: Logger;
  /** The command an admin runs to reset, shown in errors. */
  resetHint?: string;
  /**
   * Where an earlier version kept this checkpoint (see checkpointNames.ts). When `file` is absent
   * and this exists, it is moved to `file` once the lock is held; before that it is only read.
   */
  legacyFile?: string;
}

/**
 * Keeps one input's checkpoint on disk. Saves are atomic (temp file, fsync, rename, fsync of the
 * directory) and keep the previous generation in the file as a fallback.
 */
export class CheckpointStore {
  readonly file: string;
  readonly dir: string;
  readonly lockFile: string;
  private previous: Checkpoint | undefined;
  private lock_: CheckpointLock | undefined;

  constructor(private readonly opts: CheckpointStoreOptions) {
    this.file = path.resolve(opts.file);
    this.dir = path.dirname(this.file);
    this.lockFile = `${this.file}.lock`;
  }

  private get resetHint(): string {
    return this.opts.resetHint ?? `asana-audit-log checkpoint reset --file "${this.file}"`;
  }

  /**
   * Proves the directory takes a durable write before anything is fetched, and that the
   * checkpoint and lock paths hold regular files (or nothing): a FIFO there would block forever.
   * The probe has an unpredictable name and is created exclusively, so nothing planted is written.
   */
  ensureWritable(): void {
    const probe = unpredictableName(path.join(this.dir, '.probe'), '');
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      refuseOddFile(this.file);
      refuseOddFile(this.lockFile);
      createExclusive(probe, 'probe');
      fs.unlinkSync(probe);
    } catch (e) {
      removeQuietly(probe);
      if (e instanceof NotRegularFileError) {
        if (e.file === this.file && e.kind === 'directory') throw new NotACheckpointError(this.file, 'a directory', LEFT_ALONE);
        throw e;
      }
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
  }

  /**
   * Takes the input's lock. A lock whose holder is gone (same host: that pid with that start
   * time no longer runs, or the host rebooted; another host: no heartbeat for LOCK_LEASE_MS) is
   * taken over, atomically (see CheckpointLock).
   */
  lock(): void {
    const lock = new CheckpointLock(this.lockFile, undefined, (why) => this.opts.logger.info(`took over the lock ${this.lockFile}: ${why}`));
    try {
      lock.acquire();
    } catch (e) {
      if (e instanceof LockHeldError) throw new CheckpointLockedError(this.lockFile, e.holder);
      if (e instanceof NotRegularFileError) throw e;
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
    this.lock_ = lock;
    this.adoptLegacyFile();
  }

  /** Moves an earlier version's checkpoint to where this version keeps it (under the lock). */
  private adoptLegacyFile(): void {
    const legacy = this.opts.legacyFile;
    if (legacy === undefined || !fs.existsSync(legacy) || fs.existsSync(this.file)) return;
    try {
      refuseOddFile(legacy);
      fs.renameSync(legacy, this.file);
      fsyncDir(this.dir);
    } catch (e) {
      if (e instanceof NotRegularFileError) throw e;
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
    this.opts.logger.info(`moved the checkpoint ${legacy} (an earlier version's name for it) to ${this.file}, where this version keeps it`);
  }

  unlock(): void {
    this.lock_?.release();
    this.lock_ = undefined;
  }

  /** The newest complete generation, or undefined for an input that never saved one. */
  load(): Checkpoint | undefined {
    let text: string;
    try {
      // Without the lock (checkpoint show) an earlier version's file is read where it is.
      const read = readRegularFile(this.file) ?? (this.lock_ || this.opts.legacyFile === undefined ? undefined : readRegularFile(this.opts.legacyFile));
      if (!read) return undefined;
      text = read.text;
    } catch (e) {
      if (e instanceof NotRegularFileError) {
        if (e.kind === 'directory') throw new NotACheckpointError(e.file, 'a directory', LEFT_ALONE);
        throw e;
      }
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
    const { generations, damaged, problems } = decodeCheckpointFile(text);
    const newest = generations[generations.length - 1];
    if (!newest) {
      const found = this.inspect();
      if (found.kind === 'other') throw new NotACheckpointError(this.file, found.what, LEFT_ALONE);
      throw new CheckpointCorruptError(this.file, this.resetHint, problems);
    }
    if (damaged > 0) {
      this.opts.logger.warn(
        `the newest generation of the checkpoint ${this.file} is damaged (${problems.join('; ')}): resuming from generation ${newest.generation}, so up to one page of events may be collected again`,
      );
    }
    this.previous = newest;
    return newest;
  }

  save(cp: Checkpoint): void {
    // Encoded before any file is touched: a checkpoint that fails its own schema is a bug, not a
    // disk problem, and must not be reported as one.
    const text = encodeCheckpointFile(this.previous ? [this.previous, cp] : [cp]);
    try {
      writeFileAtomically(this.file, text);
    } catch (e) {
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
    this.previous = cp;
  }

  /** Says whether the path holds a checkpoint (complete or damaged), nothing, or something else. */
  inspect(): CheckpointFileKind {
    return kindOf(this.file, path.basename(this.file), this.dir);
  }

  /**
   * Deletes the checkpoint and the temp files of saves cut short: the input starts over from
   * start_at on its next run. Refuses (NotACheckpointError) a path that holds anything else.
   * An earlier version's file was moved here when the lock was taken; one still beside it belongs
   * to another input of that name, so it is left alone. Returns the files deleted.
   */
  reset(): string[] {
    const found = this.inspect();
    if (found.kind === 'other') throw new NotACheckpointError(this.file, found.what, 'nothing was deleted');
    const deleted: string[] = [];
    if (found.kind === 'checkpoint') {
      fs.rmSync(this.file, { force: true });
      deleted.push(this.file);
    }
    // Under this version's unpredictable names and the fixed name earlier versions used. Each is
    // only ever a temp file of this checkpoint (or a symlink or FIFO planted there, which unlinking
    // removes without following); a directory of that name is left alone.
    for (const tmp of leftoverTempFiles(this.file)) {
      if (isDirectory(tmp)) continue;
      removeQuietly(tmp);
      deleted.push(tmp);
    }
    return deleted;
  }
}

/**
 * What is at `file`, judged by `nameForKind` and its first bytes (see isCheckpointHead). Never
 * follows a symlink or blocks on a FIFO: those are refused (NotRegularFileError).
 */
function kindOf(file: string, nameForKind: string, dir: string): CheckpointFileKind {
  let head: { bytes: Buffer; cut: boolean } | undefined;
  try {
    head = readRegularHead(file, HEAD_BYTES);
  } catch (e) {
    if (e instanceof NotRegularFileError) {
      if (e.kind === 'directory') return { kind: 'other', what: 'a directory' };
      throw e;
    }
    throw new CheckpointUnwritableError(dir, errnoText(e));
  }
  if (!head) return { kind: 'missing' };
  if (isCheckpointHead(head.bytes, nameForKind)) return { kind: 'checkpoint' };
  return { kind: 'other', what: looksLike(head.bytes, head.cut) };
}

function isDirectory(file: string): boolean {
  try {
    return fs.lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}
