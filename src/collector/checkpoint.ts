import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FILTER_NAMES, isoInstant } from '../model/auditLog.js';
import { PARSED_RARELY } from '../model/parseOptions.js';

/** The newest instant emitted and the gids emitted at it: what a resume must not repeat. */
export const markSchema = z.object({
  createdAt: isoInstant,
  gids: z.array(z.string().min(1)).min(1),
});
export type Mark = z.infer<typeof markSchema>;

/**
 * Where one stream of pages stands. `offset` is only valid together with the `startAt`/`endAt`
 * it was issued for; with no offset the next request starts at the mark (inclusive).
 */
export const cursorSchema = z.object({
  startAt: isoInstant.optional(),
  endAt: isoInstant.optional(),
  offset: z.string().min(1).nullable(),
  mark: markSchema.nullable(),
});
export type Cursor = z.infer<typeof cursorSchema>;

export const filtersSchema = z.object(Object.fromEntries(FILTER_NAMES.map((f) => [f, z.string().min(1).optional()]))) as z.ZodType<
  Partial<Record<(typeof FILTER_NAMES)[number], string>>
>;

/**
 * A backfill window: a cursor over `[startAt, endAt)` (no startAt: from the oldest event Asana
 * holds). Windows are disjoint in created_at and end before the live cursor's start.
 */
export const windowSchema = cursorSchema.extend({ endAt: isoInstant }).refine((w) => w.startAt === undefined || Date.parse(w.startAt) <= Date.parse(w.endAt), {
  message: 'a window must not end before it starts',
  path: ['endAt'],
});
export type Window = z.infer<typeof windowSchema>;

/** The identity of an emitted-gid log: written in the log's first line, and in the trail it pairs with. */
export const logIdSchema = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/);

/**
 * The re-read of late events. Everything created before `from` was read when it was already
 * older than late_event_minutes, or re-read since. `stretch` is the re-read under way: a window
 * `[from, endAt)` with its own offset and mark. `logId` names the emitted-gid log that holds the
 * gids the trail needs (absent in checkpoints written before logs had an identity), so a run
 * that finds the trail without that log can say so.
 */
export const trailSchema = z.object({
  from: z.string(),
  stretch: windowSchema.optional(),
  logId: logIdSchema.optional(),
});
export type Trail = z.infer<typeof trailSchema>;

/** Version 1 had the live cursor only. Kept to read files written by earlier versions. */
const checkpointV1Schema = z.object({
  version: z.literal(1),
  generation: z.number().int().nonnegative(),
  workspaceGid: z.string().regex(/^\d+$/),
  filters: filtersSchema,
  cursor: cursorSchema,
  eventsEmitted: z.number().int().nonnegative(),
  savedAt: isoInstant,
});
type CheckpointV1 = z.infer<typeof checkpointV1Schema>;

/**
 * `cursor` is the live stream (no end); `windows` are backfill windows still to drain, each with
 * its own offset and mark. Every window holds only events older than the live cursor's start.
 */
export const checkpointSchema = z.object({
  version: z.literal(2),
  generation: z.number().int().nonnegative(),
  workspaceGid: z.string().regex(/^\d+$/),
  filters: filtersSchema,
  cursor: cursorSchema,
  windows: z.array(windowSchema),
  /** Absent when late_event_minutes is 0, and in files written before it existed. */
  trail: trailSchema.optional(),
  eventsEmitted: z.number().int().nonnegative(),
  savedAt: isoInstant,
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** A version 1 checkpoint is a version 2 one with no backfill windows. */
export function migrateV1(cp: CheckpointV1): Checkpoint {
  const { version: _, eventsEmitted, savedAt, ...rest } = cp;
  return { version: 2, ...rest, windows: [], eventsEmitted, savedAt };
}

/**
 * A checkpoint file holds the newest generations, oldest first, one per line, each line with
 * its own checksum. A file cut short by a crash on a filesystem without atomic rename still
 * holds its older generation intact, so a resume can use the last complete one.
 */
const lineSchema = z.object({ sum: z.string(), checkpoint: z.unknown() });

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 32);
}

/** Every line of a checkpoint file starts so; a line cut short by a crash still does. */
const LINE_START = Buffer.from('{"sum":"');

/**
 * Whether a file is one of our checkpoints, from its name and first bytes. Under a checkpoint's
 * name (`<input>.checkpoint`, the name the add-on gives every checkpoint) a file is ours whatever it
 * holds: bytes a crash or a disk damaged there make a damaged checkpoint, which the run must report
 * as such and `checkpoint reset` must be able to remove. Under any other name only the format's
 * own first bytes count, so a command pointed at an NDJSON output or a note refuses it.
 */
export function isCheckpointHead(head: Buffer, fileName: string): boolean {
  if (fileName.endsWith('.checkpoint')) return true;
  return head.length >= LINE_START.length && head.subarray(0, LINE_START.length).equals(LINE_START);
}

export function encodeGeneration(cp: Checkpoint): string {
  // Parsing fixes the key order, so decoding can reproduce the checksummed bytes.
  const json = JSON.stringify(checkpointSchema.parse(cp, PARSED_RARELY));
  return `{"sum":"${checksum(json)}","checkpoint":${json}}`;
}

export function encodeCheckpointFile(generations: readonly Checkpoint[]): string {
  return generations.map((g) => `${encodeGeneration(g)}\n`).join('');
}

export interface DecodedCheckpointFile {
  /** Complete generations, oldest first. */
  generations: Checkpoint[];
  /** Lines that were cut or damaged. */
  damaged: number;
  /** What is wrong with the damaged lines, newest last: cut, checksum, or the contents that fail validation. */
  problems: string[];
}

export function decodeCheckpointFile(text: string): DecodedCheckpointFile {
  const generations: Checkpoint[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  // The text after the last newline is either empty or a line cut short.
  const complete = lines.slice(0, -1);
  for (const line of complete) {
    const decoded = decodeGeneration(line);
    if ('checkpoint' in decoded) generations.push(decoded.checkpoint);
    else problems.push(decoded.problem);
  }
  if ((lines[lines.length - 1] ?? '') !== '') problems.push('its last line is cut short');
  return { generations, damaged: problems.length, problems };
}

/**
 * One line: its bytes must match their checksum, and then its contents must make sense (dates that
 * are dates, offsets that are not empty, windows that start before they end). A line with a valid
 * checksum and nonsense inside is as damaged as a cut one: resuming from it would send nonsense to
 * Asana, which would blame the input's settings.
 */
function decodeGeneration(line: string): { checkpoint: Checkpoint } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { problem: 'a line is not JSON (cut short?)' };
  }
  const outer = lineSchema.safeParse(parsed, PARSED_RARELY);
  if (!outer.success) return { problem: 'a line is not a checkpoint generation' };
  // JSON.stringify of the parsed object reproduces the bytes written (keys keep their order).
  if (checksum(JSON.stringify(outer.data.checkpoint)) !== outer.data.sum) return { problem: 'a generation fails its checksum' };
  const current = checkpointSchema.safeParse(outer.data.checkpoint, PARSED_RARELY);
  if (current.success) return { checkpoint: current.data };
  const v1 = checkpointV1Schema.safeParse(outer.data.checkpoint, PARSED_RARELY);
  if (v1.success) return { checkpoint: migrateV1(v1.data) };
  return { problem: `a generation has a valid checksum but invalid contents (${describeIssues(current.error)})` };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'checkpoint'}: ${i.message}`)
    .join('; ');
}

/** Two checkpoints describe the same stream of events only when these agree. */
export function sameIdentity(cp: Pick<Checkpoint, 'workspaceGid' | 'filters'>, workspaceGid: string, filters: Checkpoint['filters']): boolean {
  if (cp.workspaceGid !== workspaceGid) return false;
  return FILTER_NAMES.every((f) => (cp.filters[f] ?? undefined) === (filters[f] ?? undefined));
}
