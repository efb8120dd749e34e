/**
 * `npm run build`'s second step: one minified CommonJS file under bin/ that the launchers run,
 * so the installed app needs no node_modules. Run: node build/tools/bundle.js
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';

export const BUNDLE_PATH = 'bin/ta_asana_audit_log.cjs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * Dependencies' modules this program never uses, replaced by small stand-ins: splunkd starts the
 * program every interval, and every kilobyte of the bundle is compiled at each start.
 */
const STAND_INS: ReadonlyArray<{ name: string; specifier: RegExp; importer: RegExp; contents: string }> = [
  {
    // axios imports form-data (and with it mime-db) for multipart uploads; every body this program
    // sends is a string or a Buffer. A class keeps axios's `instanceof FormData` checks working.
    name: 'form-data',
    specifier: /^form-data$/,
    importer: /[\\/]axios[\\/]/,
    contents: 'module.exports = class FormData {};',
  },
  {
    // axios's fetch adapter reads globalThis.Request, Response and Blob when it loads, which makes
    // Node load its whole fetch implementation (undici): about 19 ms of every start on Node 24.
    // This program's requests go through axios's http adapter, which axios picks before fetch.
    name: 'axios-fetch-adapter',
    specifier: /^\.\/fetch\.js$/,
    importer: /[\\/]axios[\\/]lib[\\/]adapters[\\/]adapters\.js$/,
    contents: 'module.exports = { getFetch: () => false, default: false };',
  },
  {
    // zod's `z` namespace re-exports every language's error messages (`z.locales`); this program's
    // messages are its own. zod's English default is imported apart and stays.
    name: 'zod-locales',
    specifier: /^\.\.\/locales\/index\.js$/,
    importer: /[\\/]zod[\\/]/,
    contents: 'module.exports = {};',
  },
];

/**
 * Node built-ins a dependency imports at load but calls only on paths this program never takes:
 * each is replaced, for that importer only, by an object that loads the real module on first use.
 * Loading them at start costs milliseconds of every run; behaviour is unchanged if a path does use them.
 */
const DEFERRED_BUILTINS: ReadonlyArray<{ builtin: string; importer: RegExp }> = [
  // commander runs stand-alone executable subcommands through child_process; this program has none.
  { builtin: 'child_process', importer: /[\\/]commander[\\/]/ },
  // axios speaks HTTP/2 only when a request asks for httpVersion 2; this program's requests never do.
  { builtin: 'http2', importer: /[\\/]axios[\\/]/ },
  // axios calls util only inside requests, but esbuild's import helper reads every property of the
  // module it imports, and each of util's lazy ones (parseArgs, diff, ...) then loads its code:
  // worker_threads and a dozen more, about 3 ms of every start.
  { builtin: 'util', importer: /[\\/]axios[\\/]/ },
];

const deferredBuiltins: Plugin = {
  name: 'deferred-builtins',
  setup(b) {
    for (const d of DEFERRED_BUILTINS) {
      b.onResolve({ filter: new RegExp(`^(node:)?${d.builtin}$`) }, (args) =>
        args.namespace !== 'deferred-builtin' && d.importer.test(args.importer) ? { path: d.builtin, namespace: 'deferred-builtin' } : undefined,
      );
    }
    b.onLoad({ filter: /.*/, namespace: 'deferred-builtin' }, (args) => ({
      // Only property reads load it: esbuild's import helpers neither list nor probe its keys.
      contents: `let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:${args.path}'))[key] });`,
      loader: 'js',
    }));
  },
};

const standIns: Plugin = {
  name: 'stand-ins',
  setup(b) {
    for (const s of STAND_INS) {
      b.onResolve({ filter: s.specifier }, (args) => (s.importer.test(args.importer) ? { path: s.name, namespace: 'stand-in' } : undefined));
    }
    b.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({
      contents: STAND_INS.find((s) => s.name === args.path)?.contents ?? '',
      loader: 'js',
    }));
  },
};

/**
 * Exact edits to a dependency's source, for the same reason. Each must find its text: a build
 * after an upgrade that changed it fails here rather than quietly losing the gain.
 */
const SOURCE_EDITS: ReadonlyArray<{ file: RegExp; find: string; replace: string; why: string }> = [
  {
    // Reading globalThis.FormData makes Node load undici, its fetch implementation: about 20 ms of
    // every start on Node 24. axios only compares request bodies with it; this program's bodies are
    // strings and Buffers, which axios's fallback check (toString() === '[object FormData]') passes over.
    file: /[\\/]axios[\\/]lib[\\/]utils\.js$/,
    find: "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;",
    replace: 'const FormDataCtor = undefined;',
    why: 'axios reads globalThis.FormData on load',
  },
];

const sourceEdits: Plugin = {
  name: 'source-edits',
  setup(b) {
    for (const e of SOURCE_EDITS) {
      b.onLoad({ filter: e.file }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(e.find))
          throw new Error(`${args.path} no longer contains the text edited out because ${e.why}: review SOURCE_EDITS in tools/bundle.ts`);
        return { contents: text.replace(e.find, e.replace), loader: 'js' };
      });
    }
  },
};

// The program itself, kept in memory: the file written is the starter below with the program inside.
const program = await build({
  entryPoints: ['src/cli/entry.ts'],
  write: false,
  outfile: BUNDLE_PATH,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  define: { __APP_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
  plugins: [standIns, deferredBuiltins, sourceEdits],
});
const programText = program.outputFiles[0]?.text;
if (programText === undefined) throw new Error('esbuild wrote no program');
const wrapped = `(function (exports, require, module, __filename, __dirname) {${programText}\n})`;

/**
 * The file splunkd runs: a small starter that compiles the program (a string inside it) with the
 * code cache of the program's last run of the same kind (src/runner/codeCache.ts). The program is
 * wrapped as Node wraps a CommonJS file and runs as the starter's own module.
 */
await build({
  stdin: {
    contents: [
      "import { runWithCodeCache } from './src/runner/codeCache.ts';",
      'runWithCodeCache({ text: __PROGRAM__, sha256: __PROGRAM_SHA256__ }, { module, require, filename: __filename });',
    ].join('\n'),
    resolveDir: process.cwd(),
    loader: 'ts',
    sourcefile: 'starter.ts',
  },
  outfile: BUNDLE_PATH,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  define: { __PROGRAM__: JSON.stringify(wrapped), __PROGRAM_SHA256__: JSON.stringify(createHash('sha256').update(wrapped).digest('hex')) },
  logLevel: 'warning',
});
process.stdout.write(`bundled ${BUNDLE_PATH} (version ${version})\n`);
