import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';

/**
 * The bundle's outer file starts the program through runWithCodeCache, so that a start reuses the
 * bytecode of every function the last run of the same kind called. Node's own compile cache
 * (NODE_COMPILE_CACHE) stores a file's code right after compiling it, before anything ran: it
 * holds the top level only, and each start compiled again every function it went on to call (about
 * 25 ms of a caught-up poll on Node 24). V8 can serialise a script after it ran, with all of that.
 *
 * The cache goes in the folder the launcher names in NODE_COMPILE_CACHE (which it has checked is
 * writable) and is skipped when that is unset or NODE_DISABLE_COMPILE_CACHE is set. A file is used
 * only by the program, Node.js version, architecture and node flags it was made by, all in its name
 * (the program by a SHA-256 of its text that the build computes: hashing it here would cost a few
 * milliseconds of each start); V8 itself also refuses data from another V8, other flags or a source
 * of another length. A run whose cache is missing or refused writes a new one as it exits, if it
 * succeeded and did more than print help: the cache then holds what a real run of that kind calls.
 * It is only ever a speed-up: any failure to read or write it leaves the program running as
 * without it.
 *
 * V8 does not check the bytes of the data it accepts, and damaged data crashes the process before
 * it could write a new cache, on every run of that kind. So each file carries a CRC-32 of the data
 * (as Node's own compile cache does) and a file whose data does not match is never handed to V8:
 * a torn write, a disk error or a stray edit costs one slow start, not an input that never runs.
 */

/** The kinds of run, each with its own cache: `--scheme` calls few of the functions a poll calls. */
const COMMANDS = new Set(['poll', 'check', 'checkpoint', 'mock-server']);

export type RunKind = 'modinput' | 'scheme' | 'validate' | 'poll' | 'check' | 'checkpoint' | 'mock-server' | 'cli';

/** Which kind of run argv (process.argv) starts; never any of its values. */
export function runKind(argv: readonly string[]): RunKind {
  const args = argv.slice(2);
  if (args.length === 0) return 'modinput';
  if (args.length === 1 && args[0] === '--scheme') return 'scheme';
  if (args.length === 1 && args[0] === '--validate-arguments') return 'validate';
  return COMMANDS.has(args[0] as string) ? (args[0] as RunKind) : 'cli';
}

export interface CodeCacheContext {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  execArgv: readonly string[];
  version: string;
  arch: string;
}

/** The program the outer file carries: its text and the build's SHA-256 of that text (hex). */
export interface Program {
  text: string;
  sha256: string;
}

/** The cache file for this program and run, or undefined when there is no cache folder to use. */
export function codeCacheFile(program: Program, c: CodeCacheContext): string | undefined {
  const dir = c.env.NODE_COMPILE_CACHE;
  if (!dir || c.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const flags = fnv1a(c.execArgv.join(' '));
  return path.join(dir, `${CACHE_PREFIX}${runKind(c.argv)}.${c.version}-${c.arch}-${program.sha256.slice(0, 16)}-${flags}${CACHE_SUFFIX}`);
}

/** A 32-bit FNV-1a hash, hex: tells flag sets apart in a file name (not a safeguard: V8 checks flags). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

const CACHE_PREFIX = 'ta-asana-audit-log.';
const CACHE_SUFFIX = '.v8cache';

/** What the outer file hands over: its CommonJS module, which becomes the program's. */
export interface OuterModule {
  module: NodeJS.Module;
  require: NodeJS.Require;
  filename: string;
}

/**
 * Runs the program, CommonJS source wrapped as `(function (exports, require, module, __filename,
 * __dirname) { ... })`, as the outer file itself: same module, require and file name.
 */
export function runWithCodeCache(program: Program, outer: OuterModule): void {
  const file = codeCacheFile(program, { argv: process.argv, env: process.env, execArgv: process.execArgv, version: process.version, arch: process.arch });
  const cachedData = file === undefined ? undefined : readIfAny(file);
  const script = new vm.Script(program.text, { filename: outer.filename, cachedData });
  if (file !== undefined && (cachedData === undefined || script.cachedDataRejected) && !printsOnly(process.argv)) {
    process.once('exit', (code) => {
      if (code === 0) saveCodeCache(script, file);
    });
  }
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
  run(outer.module.exports, outer.require, outer.module, outer.filename, path.dirname(outer.filename));
}

// O_NOFOLLOW and O_NONBLOCK are absent on Windows, where 0 leaves the flags as they were.
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** A run that only prints help or a version calls little of what real runs of its kind call. */
function printsOnly(argv: readonly string[]): boolean {
  return argv.slice(2).some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V' || a === 'help');
}

/** Ahead of the data: a tag, then the CRC-32 of the data (big-endian). */
const HEADER = Buffer.from('tacc', 'latin1');
const HEADER_BYTES = HEADER.length + 4;

/** The file's bytes: the header, then V8's data. */
export function encodeCodeCache(data: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  HEADER.copy(header);
  header.writeUInt32BE(zlib.crc32(data), HEADER.length);
  return Buffer.concat([header, data]);
}

/** V8's data from the file's bytes, or undefined when they are not whole and unchanged. */
export function decodeCodeCache(bytes: Buffer): Buffer | undefined {
  if (bytes.length <= HEADER_BYTES || !bytes.subarray(0, HEADER.length).equals(HEADER)) return undefined;
  const data = bytes.subarray(HEADER_BYTES);
  return zlib.crc32(data) === bytes.readUInt32BE(HEADER.length) ? data : undefined;
}

/**
 * V8's data from the cache file, or undefined: a missing or damaged file, or anything but a regular
 * file (a FIFO is not waited on). The same guarded open as collector/safeFiles.ts, written again on
 * purpose: the starter runs before the program and must load none of it (safeFiles brings the
 * error registry).
 */
function readIfAny(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NOFOLLOW | NONBLOCK);
    return fs.fstatSync(fd).isFile() ? decodeCodeCache(fs.readFileSync(fd)) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes the cache beside a temporary name and renames it into place, so a run starting meanwhile
 * (splunkd starts several inputs at once) reads a whole file or none; the CRC covers what a crash
 * or a power loss could still leave half-written. Of the other caches of the same kind of run, only
 * those for the same Node.js and architecture with other node flags stay (a bench's runs must not
 * throw away the launcher's cache); those of an earlier build or an earlier Node.js (an upgrade
 * brings both) are removed.
 */
export function saveCodeCache(script: vm.Script, file: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const dir = path.dirname(file);
  const name = path.basename(file);
  // `ta-asana-audit-log.<kind>.<version>-<arch>-<sha16>-<flags>.v8cache`
  const parts = (n: string) => /^(.+\.[^.]+\.v\d+\.\d+\.\d+-[^-]+)-[0-9a-f]{16}-([0-9a-f]{8})\.v8cache$/.exec(n);
  const mine = parts(name);
  try {
    fs.writeFileSync(temp, encodeCodeCache(script.createCachedData()), { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file);
    const kind = `${name.split('.').slice(0, 2).join('.')}.`;
    for (const other of fs.readdirSync(dir)) {
      if (other === name || !other.startsWith(kind) || !other.endsWith(CACHE_SUFFIX)) continue;
      const theirs = parts(other);
      const otherFlagsSameNode = mine && theirs && theirs[1] === mine[1] && theirs[2] !== mine[2];
      if (!otherFlagsSameNode) fs.rmSync(path.join(dir, other), { force: true });
    }
  } catch {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // Nothing to tidy, or a folder that refuses it: the cache is only a speed-up.
    }
  }
}
