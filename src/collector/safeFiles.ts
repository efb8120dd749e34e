import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
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
  constructor(readonly file: string, readonly kind: string) {
    super('checkpoint_not_a_file', `${file} is a ${kind}, not a regular file: remove it (only this add-on writes there); nothing was read from or written to it`);
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
 * The text of a regular file, or undefined when there is none. Checked before opening (lstat)
 * and after (fstat, non-blocking open without following links), so a FIFO or a symlink swapped in
 * between is refused rather than read or waited on.
 */
export function readRegularFile(file: string): { text: string; mtimeMs: number } | undefined {
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
    return { text: fs.readFileSync(fd, 'utf8'), mtimeMs: stat.mtimeMs };
  } finally {
    fs.closeSync(fd);
  }
}

export function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}
