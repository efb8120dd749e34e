/**
 * Prints the figures the reliability suite measured (build/reliability-figures.json) as a
 * Markdown table; with --write, also writes them between the reliability markers of every page
 * that shows them: the README's Reliability table and docs/reliability.md.
 * Run: node build/tools/reliabilityReport.js [--write]
 */
import fs from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { FIGURES_PATH as FIGURES, figureRowSchema } from './reliabilityFigures.js';

export const RELIABILITY_START = '<!-- reliability:start -->';
export const RELIABILITY_END = '<!-- reliability:end -->';
/** Pages that show the table; each holds it between the markers, and a docs test checks they agree. */
export const RELIABILITY_PAGES = ['README.md', 'docs/reliability.md'];

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();

function main(): void {
  if (!fs.existsSync(FIGURES)) {
    process.stderr.write(`ERROR ${FIGURES} is missing: run the reliability suite first (npm run test:reliability)\n`);
    process.exit(1);
  }
  const rows = z.array(figureRowSchema).parse(JSON.parse(fs.readFileSync(FIGURES, 'utf8')));
  const order = ['crash', 'faults', 'limits', 'bad input', 'hostile input', 'late events', 'soak'];
  rows.sort((a, b) => order.indexOf(a.area) - order.indexOf(b.area));
  const cell = (s: string | number) => String(s).replace(/\|/g, '\\|');
  const table = [
    '| area | what was done | times | events lost | duplicates | notes |',
    '|---|---|---:|---:|---:|---|',
    ...rows.map((r) => `| ${cell(r.area)} | ${cell(r.what)} | ${r.tried} | ${r.lost} | ${r.duplicates} | ${cell(r.note)} |`),
  ].join('\n');
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)} on a 2-core Linux machine, Node ${process.versions.node}, RELIABILITY_SCALE=${process.env.RELIABILITY_SCALE ?? 1}.`;
  process.stdout.write(`${table}\n\n${stamp}\n`);
  if (!process.argv.includes('--write')) return;
  for (const page of RELIABILITY_PAGES) {
    const text = fs.readFileSync(page, 'utf8');
    const a = text.indexOf(RELIABILITY_START);
    const b = text.indexOf(RELIABILITY_END);
    if (a < 0 || b < a) {
      process.stderr.write(`ERROR ${page} has no ${RELIABILITY_START} ... ${RELIABILITY_END} markers\n`);
      process.exit(1);
    }
    fs.writeFileSync(page, `${text.slice(0, a + RELIABILITY_START.length)}\n${table}\n\n${stamp}\n${text.slice(b)}`);
    process.stdout.write(`${page} updated\n`);
  }
}
