import fs from 'node:fs';
import path from 'node:path';

import { FIGURES_PATH, type FigureRow } from '../../tools/reliabilityFigures.js';

/** Where the suite leaves its measurements for `tools/reliabilityReport.ts` to print. */
export const FIGURES_FILE = path.resolve(FIGURES_PATH);

/** Records one measured row; rows accumulate across the suite's files. */
export function recordFigure(row: FigureRow): void {
  const rows: FigureRow[] = fs.existsSync(FIGURES_FILE) ? JSON.parse(fs.readFileSync(FIGURES_FILE, 'utf8')) : [];
  const kept = rows.filter((r) => !(r.area === row.area && r.what === row.what));
  kept.push(row);
  fs.mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
  fs.writeFileSync(FIGURES_FILE, `${JSON.stringify(kept, null, 2)}\n`);
}

/** A scale knob for the long variants: RELIABILITY_SCALE=10 runs ten times as many kills. */
export function scaled(n: number): number {
  const scale = Number(process.env.RELIABILITY_SCALE ?? 1);
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** Deterministic pseudo-random numbers, so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
