/**
 * Prints the figures the reliability suite measured (build/reliability-figures.json) as a
 * Markdown table; with --write, also writes them into docs/reliability.md between the reliability
 * markers. Run: node build/tools/reliabilityReport.js [--write]
 */
import fs from 'node:fs';
import { z } from 'zod';
import { FIGURES_PATH as FIGURES, figureRowSchema } from './reliabilityFigures.js';
const START = '<!-- reliability:start -->';
const END = '<!-- reliability:end -->';
const PAGE = 'docs/reliability.md';

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

if (process.argv.includes('--write')) {
  const page = fs.readFileSync(PAGE, 'utf8');
  const a = page.indexOf(START);
  const b = page.indexOf(END);
  if (a < 0 || b < a) {
    process.stderr.write(`ERROR ${PAGE} has no ${START} ... ${END} markers\n`);
    process.exit(1);
  }
  fs.writeFileSync(PAGE, `${page.slice(0, a + START.length)}\n${table}\n\n${stamp}\n${page.slice(b)}`);
  process.stdout.write(`${PAGE} updated\n`);
}
