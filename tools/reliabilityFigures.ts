import { z } from 'zod';

/** One measured row of the reliability suite; the suite writes them, the report prints them. */
export const figureRowSchema = z.object({
  area: z.string(),
  what: z.string(),
  tried: z.number(),
  lost: z.number(),
  duplicates: z.number(),
  note: z.string(),
});
export type FigureRow = z.infer<typeof figureRowSchema>;

export const FIGURES_PATH = 'build/reliability-figures.json';
