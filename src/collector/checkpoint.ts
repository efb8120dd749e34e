import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FILTER_NAMES } from '../asana/schemas.js';

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

export const checkpointSchema = z.object({
  version: z.literal(1),
  generation: z.number().int().nonnegative(),
  workspaceGid: z.string(),
  filters: filtersSchema,
  cursor: cursorSchema,
  eventsEmitted: z.number().int().nonnegative(),
  savedAt: z.string(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

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
  const inner = checkpointSchema.safeParse(outer.data.checkpoint);
  if (!inner.success) return undefined;
  // Re-serialising the validated object must reproduce the checksummed bytes.
  if (checksum(JSON.stringify(inner.data)) !== outer.data.sum) return undefined;
  return inner.data;
}

/** Two checkpoints describe the same stream of events only when these agree. */
export function sameIdentity(cp: Pick<Checkpoint, 'workspaceGid' | 'filters'>, workspaceGid: string, filters: Checkpoint['filters']): boolean {
  if (cp.workspaceGid !== workspaceGid) return false;
  return FILTER_NAMES.every((f) => (cp.filters[f] ?? undefined) === (filters[f] ?? undefined));
}
