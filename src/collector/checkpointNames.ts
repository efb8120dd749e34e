import { createHash } from 'node:crypto';
import path from 'node:path';

/** Names whose checkpoint file is the name itself: what every version so far has done for them. */
const PLAIN = /^[A-Za-z0-9._-]{1,100}$/;
/** Encoded names longer than this are cut and end in a digest, to stay under 255-byte file names. */
const MAX_ENCODED = 200;

function isPlain(input: string): boolean {
  return PLAIN.test(input) && !input.startsWith('.');
}

/**
 * The checkpoint file name of an input, one per name (injective), safe on every filesystem:
 *
 * - a plain name (letters, digits, `.`, `_`, `-`, up to 100, not starting with `.`) is the file
 *   name as is: `acme.checkpoint`, where every earlier version kept it;
 * - any other name is percent-encoded byte for byte, every character but letters, digits, `_` and
 *   `-` as `%XX` (so `.` too): `team%2Fa.checkpoint`. A plain name never holds `%`, and encoding
 *   is one-to-one, so no two names share a file; an encoded name without `%` is a name of only
 *   plain characters longer than 100, which no plain name is;
 * - an encoded name longer than 200 characters keeps its first 136 and adds `~` and the name's
 *   full SHA-256 (`~` occurs in no other form): distinct unless SHA-256 collides.
 */
export function checkpointFileName(input: string): string {
  if (isPlain(input)) return `${input}.checkpoint`;
  const encoded = [...Buffer.from(input, 'utf8')]
    .map((b) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  if (encoded.length <= MAX_ENCODED) return `${encoded}.checkpoint`;
  return `${encoded.slice(0, 136).replace(/%[0-9A-F]?$/, '')}~${createHash('sha256').update(input).digest('hex')}.checkpoint`;
}

/**
 * Where version 0.1.0 kept the checkpoint of a name that is not plain (`team_a-65f838a2fbff.checkpoint`
 * for `team/a`): read once on upgrade and moved to checkpointFileName. Undefined for plain names,
 * whose file never moved.
 */
export function legacyCheckpointFileName(input: string): string | undefined {
  if (isPlain(input)) return undefined;
  const safe = input.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(input).digest('hex').slice(0, 12);
  return `${safe}-${hash}.checkpoint`;
}

/** Where an input's checkpoint lives inside splunkd's checkpoint_dir. */
export function checkpointPathFor(dir: string, input: string): string {
  return path.join(dir, checkpointFileName(input));
}

/** Where version 0.1.0 kept it, if elsewhere. */
export function legacyCheckpointPathFor(dir: string, input: string): string | undefined {
  const legacy = legacyCheckpointFileName(input);
  return legacy === undefined ? undefined : path.join(dir, legacy);
}
