import assert from 'node:assert/strict';
import path from 'node:path';
import { folderCycles, folderGraph, relativeSpecifiers } from './folderGraph.js';

describe('folder imports of src/', () => {
  it('form no cycle: dependencies point one way, type-only imports included', () => {
    const graph = folderGraph(path.resolve('src'));
    const cycles = folderCycles(graph);
    assert.deepEqual(
      cycles.map((c) => `${c.path.join(' -> ')} (tied together: ${c.members.join(', ')})`),
      [],
      'a folder-level import cycle came back; `npm run deps:graph` shows the whole graph',
    );
  });

  it('finds every kind of relative import, and a cycle in a small graph', () => {
    const source = [
      "import type { A } from '../a/x.js';",
      "import {\n  B,\n} from '../b/y.js';",
      "export { C } from '../c/z.js';",
      "export * from './same.js';",
      "import '../d/side.js';",
      "const e = await import('../e/lazy.js');",
      "import { readFile } from 'node:fs';",
      "// import { F } from '../f/commented.js';",
    ].join('\n');
    assert.deepEqual(relativeSpecifiers(source).sort(), ['../a/x.js', '../b/y.js', '../c/z.js', '../d/side.js', '../e/lazy.js', './same.js']);
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    assert.deepEqual(folderCycles(graph), [{ path: ['a', 'b', 'c', 'a'], members: ['a', 'b', 'c'] }]);
  });
});
