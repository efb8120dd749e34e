/**
 * `npm run build`'s second step: one minified CommonJS file under bin/ that the launchers run,
 * so the installed app needs no node_modules, and beside it THIRD-PARTY-NOTICES.txt with the
 * licences of the npm packages it bundled. Run: node build/tools/bundle.js
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
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

/**
 * Bundles `entryPoint` of the project at `root` into `outfile`, then writes the notices of the
 * packages it bundled and keeps esbuild's metafile. When a bundled package cannot ship (no licence
 * text, a licence off the list), the bundle is removed and this throws, listing every such package.
 */
export async function bundleProgram(root: string, entryPoint: string = ENTRY_POINT, outfile: string = BUNDLE_PATH): Promise<BundledPackage[]> {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // Licence comments stay out of the bundle, which node parses at every start: each bundled
    // package's whole licence is in THIRD-PARTY-NOTICES.txt instead.
    legalComments: 'none',
    define: { __APP_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
    metafile: true,
    plugins: [standIns, sourceEdits],
  });
  const { packages, problems } = bundledPackages(root, metafile, outfile);
  if (problems.length > 0) {
    rmSync(join(root, outfile), { force: true });
    rmSync(join(root, NOTICES_FILE), { force: true });
    throw new Error(`cannot ship ${outfile} (removed):\n  - ${problems.join('\n  - ')}`);
  }
  writeFileSync(join(root, NOTICES_FILE), noticesText(packages, outfile));
  mkdirSync(dirname(join(root, BUNDLE_METAFILE)), { recursive: true });
  writeFileSync(join(root, BUNDLE_METAFILE), JSON.stringify(metafile));
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
