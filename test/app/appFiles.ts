/**
 * Reads the app's files for the tests, from the repository root (mocha runs there), and the
 * reference data kept in test/fixtures.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConf, type ConfFile } from '../../tools/confFile.js';

export const repoRoot = process.cwd();

export function readRepoFile(relative: string): string {
  return readFileSync(join(repoRoot, relative), 'utf8');
}

export function readDefaultConf(name: string): ConfFile {
  return parseConf(readRepoFile(join('default', `${name}.conf`)));
}

export function defaultConfNames(): string[] {
  return readdirSync(join(repoRoot, 'default'))
    .filter((f) => f.endsWith('.conf'))
    .map((f) => f.slice(0, -'.conf'.length))
    .sort();
}

export const VIEWS_DIR = join('default', 'data', 'ui', 'views');

export function viewFiles(): string[] {
  return readdirSync(join(repoRoot, VIEWS_DIR))
    .filter((f) => f.endsWith('.xml'))
    .sort();
}

export interface DocumentedEventTypes {
  /** Event types from Asana's own documentation (third-party claims left out). */
  types: Set<string>;
  /** event_category values, derived from the documentation sections ("User updates" → user_updates). */
  categories: Set<string>;
}

/** Parses test/fixtures/asana-event-types.tsv. */
export function documentedEventTypes(): DocumentedEventTypes {
  const tsv = readFileSync(join(repoRoot, 'test', 'fixtures', 'asana-event-types.tsv'), 'utf8');
  const [head, ...rows] = tsv.split(/\r?\n/).filter((l) => l.trim() !== '');
  const columns = (head ?? '').split('\t');
  const at = (name: string) => columns.indexOf(name);
  const types = new Set<string>();
  const categories = new Set<string>();
  for (const row of rows) {
    const cells = row.split('\t');
    const section = cells[at('doc_section')] ?? '';
    const source = cells[at('source')] ?? '';
    if (/3rd-party|NOT first-party/i.test(section + source)) continue;
    const type = cells[at('event_type')];
    if (type) types.add(type);
    categories.add(section.trim().toLowerCase().replace(/\s+/g, '_'));
  }
  return { types, categories };
}
