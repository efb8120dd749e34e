/**
 * `npm run build`'s second step: one minified CommonJS file under bin/ that the launchers run,
 * so the installed app needs no node_modules. Run: node build/src/tools/bundle.js
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

export const BUNDLE_PATH = 'bin/ta_asana_audit_log.cjs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

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
});
process.stdout.write(`bundled ${BUNDLE_PATH} (version ${version})\n`);
