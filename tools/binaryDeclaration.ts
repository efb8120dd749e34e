/**
 * README.md's "Binary File Declaration" section, which AppInspect's
 * check_for_binary_files_without_source_code looks for: one table row per platform package with
 * the binary's path and SHA-256, and the Node.js version. The packager refuses to build when the
 * README disagrees with runtime/node-runtime.json, so the declaration cannot go stale.
 */
import type { RuntimePin } from './nodeRuntime.js';

export const DECLARATION_HEADING = '## Binary File Declaration';

/** The section's text, from its heading up to the next level-2 heading; undefined when absent. */
export function declarationSection(readme: string): string | undefined {
  const start = readme.indexOf(`\n${DECLARATION_HEADING}\n`);
  if (start === -1) return undefined;
  const body = readme.slice(start + 1);
  const next = body.indexOf('\n## ', DECLARATION_HEADING.length);
  return next === -1 ? body : body.slice(0, next + 1);
}

/** The table row the section must hold for one platform. */
export function declarationRow(platformName: string, binary: string, sha256: string): string {
  return `| ${platformName} | \`${binary}\` | \`${sha256}\` |`;
}

/** Where README.md disagrees with the pin; empty when it declares every binary exactly. */
export function declarationProblems(readme: string, pin: RuntimePin): string[] {
  const section = declarationSection(readme);
  if (section === undefined) return [`README.md has no "${DECLARATION_HEADING}" section`];
  const problems: string[] = [];
  if (!section.includes(`Node.js ${pin.version}`)) problems.push(`README.md's ${DECLARATION_HEADING} does not name Node.js ${pin.version}`);
  const rows = section.split('\n').filter((l) => /^\| [a-z0-9-]+ \| `/.test(l));
  const expected = Object.entries(pin.platforms).map(([name, p]) => declarationRow(name, p.binary, p.sha256));
  for (const row of expected) if (!rows.includes(row)) problems.push(`README.md's ${DECLARATION_HEADING} lacks the row ${row}`);
  for (const row of rows) if (!expected.includes(row)) problems.push(`README.md's ${DECLARATION_HEADING} has a row the pin does not: ${row}`);
  return problems;
}
