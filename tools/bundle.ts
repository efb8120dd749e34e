/**
 * `npm run build`'s second step: one minified CommonJS file under bin/ that the launchers run,
 * so the installed app needs no node_modules, and beside it THIRD-PARTY-NOTICES.txt with the
 * licences of the npm packages it bundled. Run: node build/tools/bundle.js
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { BUNDLE_METAFILE, bundledPackages, NOTICES_FILE, noticesText, type BundledPackage } from './thirdPartyNotices.js';

export const BUNDLE_PATH = 'bin/ta_asana_audit_log.cjs';
export const ENTRY_POINT = 'src/cli/entry.ts';

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

/**
 * Packages a dependency imports at load but uses only on paths this program never takes, deferred
 * the same way: the real package stays in the bundle and loads on first use.
 */
const DEFERRED_PACKAGES: ReadonlyArray<{ name: string; importer: RegExp }> = [
  // axios's own proxy support; this program turns it off (proxy: false) and tunnels through its own agents.
  { name: 'https-proxy-agent', importer: /[\\/]axios[\\/]/ },
  // axios follows redirects through it; this program's requests set maxRedirects 0 (see SOURCE_EDITS).
  { name: 'follow-redirects', importer: /[\\/]axios[\\/]/ },
];

const RESOLVING_REAL = Symbol('resolving the real package');

const deferredPackages: Plugin = {
  name: 'deferred-packages',
  setup(b) {
    for (const d of DEFERRED_PACKAGES) {
      b.onResolve({ filter: new RegExp(`^${d.name}$`) }, async (args) => {
        // The inner resolve below comes through here again, marked: let esbuild find the real file.
        if (args.pluginData === RESOLVING_REAL || args.namespace === 'deferred-package' || !d.importer.test(args.importer)) return undefined;
        const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: RESOLVING_REAL });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: 'deferred-package' };
      });
    }
    b.onLoad({ filter: /.*/, namespace: 'deferred-package' }, (args) => ({
      // A function target, so that calling it and `new` work too (https-proxy-agent exports a class).
      contents: [
        'let real;',
        `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        'module.exports = new Proxy(function () {}, {',
        '  get: (_, key) => load()[key],',
        '  has: (_, key) => key in load(),',
        '  apply: (_, self, args) => Reflect.apply(load(), self, args),',
        '  construct: (_, args, newTarget) => Reflect.construct(load(), args, newTarget),',
        '});',
      ].join('\n'),
      resolveDir: dirname(args.path),
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
  {
    // axios takes follow-redirects apart on load, which would load it (and debug, supports-color,
    // tty, assert) at every start; read at the one place it is used instead, which this program's
    // requests (maxRedirects 0) never reach. With DEFERRED_PACKAGES, about 2 to 4 ms of every start.
    file: /[\\/]axios[\\/]lib[\\/]adapters[\\/]http\.js$/,
    find: 'const { http: httpFollow, https: httpsFollow } = followRedirects;',
    replace: '',
    why: 'axios destructures follow-redirects on load',
  },
  {
    file: /[\\/]axios[\\/]lib[\\/]adapters[\\/]http\.js$/,
    find: 'transport = isHttpsRequest ? httpsFollow : httpFollow;',
    replace: 'transport = isHttpsRequest ? followRedirects.https : followRedirects.http;',
    why: 'axios destructures follow-redirects on load',
  },
];

const sourceEdits: Plugin = {
  name: 'source-edits',
  setup(b) {
    b.onLoad({ filter: /\.js$/, namespace: 'file' }, (args) => {
      const edits = SOURCE_EDITS.filter((e) => e.file.test(args.path));
      if (edits.length === 0) return undefined;
      let text = readFileSync(args.path, 'utf8');
      for (const e of edits) {
        if (!text.includes(e.find))
          throw new Error(`${args.path} no longer contains the text edited out because ${e.why}: review SOURCE_EDITS in tools/bundle.ts`);
        text = text.replace(e.find, e.replace);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/** How both the program and its starter are built: one minified CommonJS file for Node 20 and later. */
const OUTPUT = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  // Licence comments stay out of the bundle, which node parses at every start: each bundled
  // package's whole licence is in THIRD-PARTY-NOTICES.txt instead.
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** This repository: the starter's code-cache runner is always ours, whatever project is bundled (tests bundle small ones). */
const OWN_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Bundles `entryPoint` of the project at `root` into `outfile`, then writes the notices of the
 * packages it bundled and keeps esbuild's metafile. When a bundled package cannot ship (no licence
 * text, a licence off the list), the bundle is removed and this throws, listing every such package.
 *
 * The file written is a small starter with the program inside it as a string: it compiles the
 * program with the V8 code cache of the program's last run of the same kind
 * (src/runner/codeCache.ts). The program is wrapped as Node wraps a CommonJS file and runs as the
 * starter's own module.
 */
export async function bundleProgram(root: string, entryPoint: string = ENTRY_POINT, outfile: string = BUNDLE_PATH): Promise<BundledPackage[]> {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const program = await build({
    absWorkingDir: root,
    entryPoints: [entryPoint],
    write: false,
    outfile,
    ...OUTPUT,
    define: { __APP_VERSION__: JSON.stringify(version) },
    metafile: true,
    plugins: [standIns, deferredBuiltins, deferredPackages, sourceEdits],
  });
  const { packages, problems } = bundledPackages(root, program.metafile, outfile);
  if (problems.length > 0) {
    rmSync(join(root, outfile), { force: true });
    rmSync(join(root, NOTICES_FILE), { force: true });
    throw new Error(`cannot ship ${outfile} (removed):\n  - ${problems.join('\n  - ')}`);
  }
  const programText = program.outputFiles[0]?.text;
  if (programText === undefined) throw new Error('esbuild wrote no program');
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${programText}\n})`;
  await build({
    absWorkingDir: root,
    stdin: {
      contents: [
        "import { runWithCodeCache } from './src/runner/codeCache.ts';",
        'runWithCodeCache({ text: __PROGRAM__, sha256: __PROGRAM_SHA256__ }, { module, require, filename: __filename });',
      ].join('\n'),
      resolveDir: OWN_ROOT,
      loader: 'ts',
      sourcefile: 'starter.ts',
    },
    outfile,
    ...OUTPUT,
    define: { __PROGRAM__: JSON.stringify(wrapped), __PROGRAM_SHA256__: JSON.stringify(createHash('sha256').update(wrapped).digest('hex')) },
  });
  writeFileSync(join(root, NOTICES_FILE), noticesText(packages, outfile));
  mkdirSync(dirname(join(root, BUNDLE_METAFILE)), { recursive: true });
  writeFileSync(join(root, BUNDLE_METAFILE), JSON.stringify(program.metafile));
  return packages;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const packages = await bundleProgram(process.cwd());
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    process.stdout.write(`bundled ${BUNDLE_PATH} (version ${version}); ${NOTICES_FILE} names its ${packages.length} npm packages\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
