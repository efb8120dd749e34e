import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The import graph between the top-level folders of src/: which folder's files import which
 * other folder's files. Type-only imports count, because a type import still ties the two
 * folders together for whoever reads them. Run directly it prints the graph and any cycle:
 * `npm run deps:graph` (or `node build/test/architecture/folderGraph.js <src dir>`).
 */
export type FolderGraph = Map<string, Set<string>>;

/** Relative module specifiers of `import … from`, `export … from`, `import '…'` and `import('…')`. */
export function relativeSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.')) found.push(specifier);
    }
  }
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The folder directly under `srcDir` that holds `file`; files directly in src/ belong to '.'. */
function folderOf(srcDir: string, file: string): string | undefined {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const parts = rel.split(path.sep);
  return parts.length > 1 ? (parts[0] as string) : '.';
}

export function folderGraph(srcDir: string): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const file of tsFiles(srcDir)) {
    const from = folderOf(srcDir, file) as string;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const specifier of relativeSpecifiers(readFileSync(file, 'utf8'))) {
      const to = folderOf(srcDir, path.resolve(path.dirname(file), specifier));
      if (to !== undefined && to !== from) edges.add(to);
    }
  }
  return graph;
}

/**
 * Each group of folders that reach one another, as one cycle path through the group (first folder
 * repeated at the end) followed by the group's other members, if the path misses some.
 */
export interface FolderCycle {
  path: string[];
  members: string[];
}

export function folderCycles(graph: FolderGraph): FolderCycle[] {
  // Tarjan's strongly connected components; any component of two or more folders is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((component) => ({ path: cyclePath(graph, new Set(component)), members: component.sort() }));
}

/** A shortest way from the component's first folder (by name) back to itself, inside the component. */
function cyclePath(graph: FolderGraph, component: Set<string>): string[] {
  const start = [...component].sort()[0] as string;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift() as string;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at = v; at !== start; at = previous.get(at) as string) path.unshift(at);
        path.unshift(start);
        return path;
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

export function formatFolderGraph(graph: FolderGraph): string {
  const lines = [...graph.keys()].sort().map((from) => {
    const to = [...(graph.get(from) ?? [])].sort();
    return `${from.padEnd(10)} -> ${to.length > 0 ? to.join(', ') : '(nothing)'}`;
  });
  const cycles = folderCycles(graph);
  lines.push('');
  if (cycles.length === 0) lines.push('cycles: none');
  for (const c of cycles) lines.push(`cycle: ${c.path.join(' -> ')} (folders tied together: ${c.members.join(', ')})`);
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  console.log(formatFolderGraph(folderGraph(process.argv[2] ?? path.join(repoRoot, 'src'))));
}
