/**
 * POSIX ustar archives, written and read in memory. Writing our own keeps the package byte-for-byte
 * reproducible (fixed order, modes, owners and mtimes) without a dependency or the host's `tar`.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

const BLOCK = 512;

export interface TarEntry {
  /** Path inside the archive; directories end with "/". */
  path: string;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** File content; absent for directories. */
  data?: Buffer;
}

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar header field too long: ${value}`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  // length-1 octal digits, zero padded, then NUL.
  const digits = value.toString(8).padStart(length - 1, '0');
  if (digits.length > length - 1) throw new Error(`tar numeric field overflow: ${value}`);
  writeString(header, offset, length, digits + '\0');
}

/** Splits a path into ustar's prefix (≤155 bytes) and name (≤100 bytes) at a slash. */
function splitPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  const body = path.endsWith('/') ? path.slice(0, -1) : path;
  for (let i = body.lastIndexOf('/'); i > 0; i = body.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { prefix, name };
  }
  throw new Error(`path too long for ustar: ${path}`);
}

function header(entry: TarEntry): Buffer {
  const isDir = entry.path.endsWith('/');
  const h = Buffer.alloc(BLOCK);
  const { prefix, name } = splitPath(entry.path);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, entry.mode);
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, isDir ? 0 : (entry.data?.length ?? 0));
  writeOctal(h, 136, 12, entry.mtime);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h[156] = isDir ? 0x35 : 0x30; // '5' directory, '0' regular file
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  writeOctal(h, 329, 8, 0); // devmajor
  writeOctal(h, 337, 8, 0); // devminor
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (const byte of h) sum += byte;
  writeString(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

export function packTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry));
    if (!entry.path.endsWith('/') && entry.data) {
      parts.push(entry.data);
      const padding = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
      if (padding) parts.push(Buffer.alloc(padding));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function readString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(block: Buffer, offset: number, length: number): number {
  const text = readString(block, offset, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** Reads regular files and directories; other entry types are reported with their type flag. */
export function unpackTar(archive: Buffer): (TarEntry & { type: string })[] {
  const entries: (TarEntry & { type: string })[] = [];
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    let expected = 0;
    for (let i = 0; i < BLOCK; i++) expected += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    if (readOctal(block, 148, 8) !== expected) throw new Error(`bad tar header checksum at offset ${offset}`);
    const name = readString(block, 0, 100);
    const prefix = readString(block, 345, 155);
    const size = readOctal(block, 124, 12);
    const type = String.fromCharCode(block[156] || 0x30);
    const path = prefix ? `${prefix}/${name}` : name;
    offset += BLOCK;
    const data = Buffer.from(archive.subarray(offset, offset + size));
    offset += Math.ceil(size / BLOCK) * BLOCK;
    entries.push({
      path,
      type,
      mode: readOctal(block, 100, 8),
      mtime: readOctal(block, 136, 12),
      ...(type === '5' ? {} : { data }),
    });
  }
  return entries;
}

/** gzip with a zero mtime in its header, so equal archives give equal bytes. */
export function gzipTar(entries: readonly TarEntry[]): Buffer {
  return gzipSync(packTar(entries), { level: 9 });
}

export function gunzipTar(tgz: Buffer): (TarEntry & { type: string })[] {
  return unpackTar(gunzipSync(tgz));
}
