import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FILTER_NAMES } from '../model/auditLog.js';

/** The newest instant emitted and the gids emitted at it: what a resume must not repeat. */
export const markSchema = z.object({
  createdAt: z.string(),
  gids: z.array(z.string()),
});
export type Mark = z.infer<typeof markSchema>;

/**
 * Where one stream of pages stands. `offset` is only valid together with the `startAt`/`endAt`
 * it was issued for; with no offset the next request starts at the mark (inclusive).
 */
export const cursorSchema = z.object({
  startAt: z.string().optional(),
  endAt: z.string().optional(),
  offset: z.string().nullable(),
  mark: markSchema.nullable(),
});
export type Cursor = z.infer<typeof cursorSchema>;

export const filtersSchema = z.object(Object.fromEntries(FILTER_NAMES.map((f) => [f, z.string().optional()]))) as z.ZodType<
  Partial<Record<(typeof FILTER_NAMES)[number], string>>
>;

/**
 * A backfill window: a cursor over `[startAt, endAt)` (no startAt: from the oldest event Asana
 * holds). Windows are disjoint in created_at and end before the live cursor's start.
 */
export const windowSchema = cursorSchema.extend({ endAt: z.string() });
export type Window = z.infer<typeof windowSchema>;

/** Version 1 had the live cursor only. Kept to read files written by earlier versions. */
const checkpointV1Schema = z.object({
  version: z.literal(1),
  generation: z.number().int().nonnegative(),
  workspaceGid: z.string(),
  filters: filtersSchema,
  cursor: cursorSchema,
  eventsEmitted: z.number().int().nonnegative(),
  savedAt: z.string(),
});
type CheckpointV1 = z.infer<typeof checkpointV1Schema>;

/**
 * `cursor` is the live stream (no end); `windows` are backfill windows still to drain, each with
 * its own offset and mark. Every window holds only events older than the live cursor's start.
 */
export const checkpointSchema = z.object({
  version: z.literal(2),
  generation: z.number().int().nonnegative(),
  workspaceGid: z.string(),
  filters: filtersSchema,
  cursor: cursorSchema,
  windows: z.array(windowSchema),
  eventsEmitted: z.number().int().nonnegative(),
  savedAt: z.string(),
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

export function encodeGeneration(cp: Checkpoint): string {
  // Parsing fixes the key order, so decoding can reproduce the checksummed bytes.
  const json = JSON.stringify(checkpointSchema.parse(cp));
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
}

export function decodeCheckpointFile(text: string): DecodedCheckpointFile {
  const generations: Checkpoint[] = [];
  let damaged = 0;
  const lines = text.split('\n');
  // The text after the last newline is either empty or a line cut short.
  const complete = lines.slice(0, -1);
  if ((lines[lines.length - 1] ?? '') !== '') damaged++;
  for (const line of complete) {
    const cp = decodeGeneration(line);
    if (cp) generations.push(cp);
    else damaged++;
  }
  return { generations, damaged };
}

function decodeGeneration(line: string): Checkpoint | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const outer = lineSchema.safeParse(parsed);
  if (!outer.success) return undefined;
  // Re-serialising the validated object must reproduce the checksummed bytes, in the version it was written in.
  const current = checkpointSchema.safeParse(outer.data.checkpoint);
  if (current.success) return checksum(JSON.stringify(current.data)) === outer.data.sum ? current.data : undefined;
  const v1 = checkpointV1Schema.safeParse(outer.data.checkpoint);
  if (v1.success && checksum(JSON.stringify(v1.data)) === outer.data.sum) return migrateV1(v1.data);
  return undefined;
}

/** Two checkpoints describe the same stream of events only when these agree. */
export function sameIdentity(cp: Pick<Checkpoint, 'workspaceGid' | 'filters'>, workspaceGid: string, filters: Checkpoint['filters']): boolean {
  if (cp.workspaceGid !== workspaceGid) return false;
  return FILTER_NAMES.every((f) => (cp.filters[f] ?? undefined) === (filters[f] ?? undefined));
}
