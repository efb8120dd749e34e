/** Reading the links of Markdown pages, for the docs' link checks. */
import fs from 'node:fs';
import path from 'node:path';

/** Every relative link of a page, with the line it is on; web links are not followed here. */
export function relativeLinks(file: string): { line: number; target: string; anchor?: string }[] {
  const found: { line: number; target: string; anchor?: string }[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      for (const m of text.matchAll(/\]\(([^)\s]*)\)/g)) {
        const link = m[1] as string;
        if (/^[a-z]+:/i.test(link) || link === '') continue;
        const [target, anchor] = link.split('#');
        found.push({ line: i + 1, target: target ?? '', anchor });
      }
    });
  return found;
}

/**
 * The relative links of the shipped pages (the Markdown files among `shipped`, relative to `root`)
 * that lead to a file or folder not among `shipped`: they work in the repository and break where
 * the files are installed (the Splunk app, an `npm install`).
 */
export function linksOutside(root: string, shipped: ReadonlySet<string>, what = 'the package'): string[] {
  const outside: string[] = [];
  for (const page of [...shipped].filter((f) => f.endsWith('.md')).sort()) {
    for (const { line, target } of relativeLinks(path.join(root, page))) {
      if (target === '') continue;
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(page), target)).replace(/\/$/, '');
      const ships = shipped.has(resolved) || [...shipped].some((f) => f.startsWith(`${resolved}/`));
      if (!ships) outside.push(`${page}:${line} links to ${target}, which ${what} does not ship`);
    }
  }
  return outside;
}
