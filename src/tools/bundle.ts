/**
 * `npm run build`'s second step: one minified CommonJS file under bin/ that the launchers run,
 * so the installed app needs no node_modules. Run: node build/src/tools/bundle.js
 */
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

await build({
  entryPoints: ['src/cli/entry.ts'],
  outfile: BUNDLE_PATH,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  define: { __APP_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
  plugins: [standIns],
});
process.stdout.write(`bundled ${BUNDLE_PATH} (version ${version})\n`);
