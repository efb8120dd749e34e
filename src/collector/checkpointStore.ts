import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CodedError } from '../errors/codedError.js';
import type { Logger } from '../logging/logger.js';
import { type Checkpoint, decodeCheckpointFile, encodeCheckpointFile, isCheckpointHead } from './checkpoint.js';
import { looksLike } from './fileKind.js';

/** Raised when no complete checkpoint generation survives: starting over would re-ingest 90 days. */
export class CheckpointCorruptError extends CodedError<'checkpoint_corrupt'> {
  constructor(
    readonly file: string,
    readonly resetHint: string,
  ) {
    super(
      'checkpoint_corrupt',
      (names) =>
        `the checkpoint file ${file} is damaged and holds no complete generation: to start this input over from ${names.startAt} (which may ingest events again), run: ${resetHint}`,
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
    readonly pid: number,
  ) {
    super('checkpoint_locked', `another collector (pid ${pid}) is running this input and holds ${file}: this run exits without touching anything`);
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

/** A file name for the input that is safe on every filesystem and unique per input name. */
export function checkpointFileName(input: string): string {
  if (/^[A-Za-z0-9._-]{1,100}$/.test(input) && !input.startsWith('.')) return `${input}.checkpoint`;
  const safe = input.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(input).digest('hex').slice(0, 12);
  return `${safe}-${hash}.checkpoint`;
}

/** Where an input's checkpoint lives inside splunkd's checkpoint_dir. */
export function checkpointPathFor(dir: string, input: string): string {
  return path.join(dir, checkpointFileName(input));
}

export interface CheckpointStoreOptions {
  /** The checkpoint file; its directory must be writable. */
  file: string;
  logger: Logger;
  /** The command an admin runs to reset, shown in errors. */
  resetHint?: string;
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
  private lockHeld = false;

  constructor(private readonly opts: CheckpointStoreOptions) {
    this.file = path.resolve(opts.file);
    this.dir = path.dirname(this.file);
    this.lockFile = `${this.file}.lock`;
  }

  private get resetHint(): string {
    return this.opts.resetHint ?? `asana-audit-log checkpoint reset --file "${this.file}"`;
  }

  /** Proves the directory takes a durable write before anything is fetched. */
  ensureWritable(): void {
    const probe = path.join(this.dir, `.probe-${process.pid}`);
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const fd = fs.openSync(probe, 'w');
      try {
        fs.writeSync(fd, 'probe');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.unlinkSync(probe);
    } catch (e) {
      try {
        fs.unlinkSync(probe);
      } catch {
        /* it was never made */
      }
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
  }

  /** Takes the input's lock; a lock left by a dead process is taken over. */
  lock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.lockFile, String(process.pid), { flag: 'wx' });
        this.lockHeld = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new CheckpointUnwritableError(this.dir, errnoText(e));
        const pid = Number.parseInt(readOrEmpty(this.lockFile), 10);
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
          throw new CheckpointLockedError(this.lockFile, pid);
        }
        this.opts.logger.debug('taking over a lock left by a process that no longer runs', { lock: this.lockFile });
        fs.rmSync(this.lockFile, { force: true });
      }
    }
    throw new CheckpointUnwritableError(this.dir, `could not take the lock ${this.lockFile}`);
  }

  unlock(): void {
    if (!this.lockHeld) return;
    this.lockHeld = false;
    fs.rmSync(this.lockFile, { force: true });
  }

  /** The newest complete generation, or undefined for an input that never saved one. */
  load(): Checkpoint | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new NotACheckpointError(this.file, 'a directory', LEFT_ALONE);
      throw new CheckpointUnwritableError(this.dir, errnoText(e));
    }
    const { generations, damaged } = decodeCheckpointFile(text);
    const newest = generations[generations.length - 1];
    if (!newest) {
      const found = this.inspect();
      if (found.kind === 'other') throw new NotACheckpointError(this.file, found.what, LEFT_ALONE);
      throw new CheckpointCorruptError(this.file, this.resetHint);
    }
    if (damaged > 0) {
      this.opts.logger.warn(
        `the newest generation of the checkpoint ${this.file} is damaged: resuming from generation ${newest.generation}, so up to one page of events may be collected again`,
      );
    }
    this.previous = newest;
    return newest;
  }

  save(cp: Checkpoint): void {
    // Encoded before any file is touched: a checkpoint that fails its own schema is a bug, not a
    // disk problem, and must not be reported as one.
    const text = encodeCheckpointFile(this.previous ? [this.previous, cp] : [cp]);
    const tmp = `${this.file}.tmp`;
    try {
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
      fsyncDir(this.dir);
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
   * Deletes the checkpoint and its temp file: the input starts over from start_at on its next
   * run. Refuses (NotACheckpointError) a path that holds anything else. Returns the files deleted.
   */
  reset(): string[] {
    const found = this.inspect();
    if (found.kind === 'other') throw new NotACheckpointError(this.file, found.what, 'nothing was deleted');
    const deleted: string[] = [];
    if (found.kind === 'checkpoint') {
      fs.rmSync(this.file, { force: true });
      deleted.push(this.file);
    }
    // The temp file of a save cut short; judged as a checkpoint of the same name.
    const tmp = `${this.file}.tmp`;
    if (kindOf(tmp, path.basename(this.file), this.dir).kind === 'checkpoint') {
      fs.rmSync(tmp, { force: true });
      deleted.push(tmp);
    }
    return deleted;
  }
}

function kindOf(file: string, nameForKind: string, dir: string): CheckpointFileKind {
  let fd: number;
  try {
    if (fs.statSync(file).isDirectory()) return { kind: 'other', what: 'a directory' };
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new CheckpointUnwritableError(dir, errnoText(e));
  }
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const n = fs.readSync(fd, head, 0, HEAD_BYTES, 0);
    const bytes = head.subarray(0, n);
    if (isCheckpointHead(bytes, nameForKind)) return { kind: 'checkpoint' };
    return { kind: 'other', what: looksLike(bytes, n === HEAD_BYTES && fs.fstatSync(fd).size > n) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes a rename or a new file in `dir` durable. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An fs error as `CODE: message`, for the one log line that names it. */
export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : String(err.message ?? e);
}
