import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CodedError } from '../errors/codedError.js';

/**
 * File operations for a directory someone else may also write to (a shared checkpoint_dir, a
 * hostile local user, an unlucky disk): nothing here follows a planted symlink, writes through an
 * existing path, or blocks on a FIFO or device left where a file should be.
 */

// O_NOFOLLOW and O_NONBLOCK are absent on Windows, where 0 leaves the flags as they were.
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** Raised when a path that should hold a regular file holds something else. */
export class NotRegularFileError extends CodedError<'checkpoint_not_a_file'> {
  constructor(
    readonly file: string,
    readonly kind: string,
  ) {
    super(
      'checkpoint_not_a_file',
      `${file} is a ${kind}, not a regular file: remove it (only this add-on writes there); nothing was read from or written to it`,
    );
  }
}

/** A name beside `base` that no one can guess in advance: for temp and probe files. */
export function unpredictableName(base: string, suffix: string): string {
  return `${base}.${randomBytes(12).toString('hex')}${suffix}`;
}

/**
 * Creates `file` with `data`, fsynced. O_EXCL: an existing path, symlink or not, is never opened,
 * so nothing planted there is written through (EEXIST instead).
 */
export function createExclusive(file: string, data: string, mode = 0o600): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, mode);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** What lstat says sits at a path, in words; undefined for a regular file. */
function oddKind(stat: fs.Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isSymbolicLink()) return 'symbolic link';
  if (stat.isFIFO()) return 'FIFO (named pipe)';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSocket()) return 'socket';
  return 'device';
}

/** Throws NotRegularFileError unless `file` is absent or a regular file (not followed). */
export function refuseOddFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const kind = oddKind(stat);
  if (kind) throw new NotRegularFileError(file, kind);
}

/**
 * Opens a regular file for reading and hands its descriptor and stat to `read`; undefined when
 * there is none. Checked before opening (lstat) and after (fstat, non-blocking open without
 * following links), so a FIFO or a symlink swapped in between is refused rather than read or
 * waited on.
 */
function readRegular<T>(file: string, read: (fd: number, stat: fs.Stats) => T): T | undefined {
  refuseOddFile(file);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NOFOLLOW | NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new NotRegularFileError(file, 'symbolic link');
    throw e;
  }
  try {
    const stat = fs.fstatSync(fd);
    const kind = oddKind(stat);
    if (kind) throw new NotRegularFileError(file, kind);
    return read(fd, stat);
  } finally {
    fs.closeSync(fd);
  }
}

/** The text of a regular file, or undefined when there is none (see readRegular for what is refused). */
export function readRegularFile(file: string): { text: string; mtimeMs: number } | undefined {
  return readRegular(file, (fd, stat) => ({ text: fs.readFileSync(fd, 'utf8'), mtimeMs: stat.mtimeMs }));
}

/**
 * The first `maxBytes` of a regular file, or undefined when there is none; `cut` says the file
 * goes on. Refuses (NotRegularFileError) a symlink, FIFO, directory or device, never blocking on one.
 */
export function readRegularHead(file: string, maxBytes: number): { bytes: Buffer; cut: boolean } | undefined {
  return readRegular(file, (fd, stat) => {
    const head = Buffer.alloc(maxBytes);
    const n = fs.readSync(fd, head, 0, maxBytes, 0);
    return { bytes: head.subarray(0, n), cut: n === maxBytes && stat.size > n };
  });
}

/**
 * Replaces `file` with `data` atomically and durably: a temp file under an unpredictable name,
 * created exclusively (a symlink or FIFO planted beside `file` is never opened) and fsynced, renamed
 * over `file`, then the directory fsynced. On failure the temp file is removed and the error thrown.
 */
export function writeFileAtomically(file: string, data: string): void {
  const tmp = unpredictableName(file, '.tmp');
  try {
    createExclusive(tmp, data);
    fs.renameSync(tmp, file);
    fsyncDir(path.dirname(file));
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
}

/**
 * Appends `data` to `file` (created 0600 if absent) and fsyncs it. Refuses a path that holds
 * anything but a regular file, without following a symlink or blocking on a FIFO.
 */
export function appendRegularFile(file: string, data: string): void {
  refuseOddFile(file);
  const created = !fs.existsSync(file);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | NOFOLLOW | NONBLOCK, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new NotRegularFileError(file, 'symbolic link');
    throw e;
  }
  try {
    const kind = oddKind(fs.fstatSync(fd));
    if (kind) throw new NotRegularFileError(file, kind);
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (created) fsyncDir(path.dirname(file));
}

/**
 * Temp files that writes of `file` cut short by a crash left beside it: `FILE.<24 hex>.tmp`
 * (writeFileAtomically) and `FILE.tmp` (the fixed name earlier versions used).
 */
export function leftoverTempFiles(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const leftover = new RegExp(`^${escaped}\\.(?:[0-9a-f]{24}\\.)?tmp$`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => leftover.test(name)).map((name) => path.join(dir, name));
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

export function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}
