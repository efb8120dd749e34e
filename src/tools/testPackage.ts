/**
 * Runs the end-to-end suite against the app as Splunk installs it: unpacks the package that
 * `npm run package` wrote into a temporary folder outside the repository (so no node_modules or
 * sources are within reach) and points the suite's harness at the unpacked launcher through
 * ASANA_AUDIT_LOG_LAUNCHER. Run after `npm run package` (npm run test:package does both):
 * node build/src/tools/testPackage.js [path/to/package.tgz]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_ID, BUNDLE } from './package.js';
import { readAppVersions } from './stampVersion.js';
import { unpackPackage } from './unpackPackage.js';

export const LAUNCHER_IN_APP = 'bin/asana_audit_log.sh';
export const E2E_DIR = 'build/test/e2e';

export function defaultPackagePath(repoRoot: string): string {
  return join(repoRoot, 'dist', `${APP_ID}-${readAppVersions(repoRoot).packageJson}.tgz`);
}

/** Why the package cannot stand for the current build, or undefined when it can. */
export function packageProblem(tgz: { exists: boolean; mtimeMs: number }, bundleMtimeMs: number): string | undefined {
  if (!tgz.exists) return 'not found: run `npm run package` first';
  if (tgz.mtimeMs < bundleMtimeMs) return `older than ${BUNDLE}: run \`npm run package\` again`;
  return undefined;
}

/** Unpacks `tgzPath`, runs every e2e spec against the unpacked launcher, and returns mocha's exit code. */
export function runE2eAgainstPackage(repoRoot: string, tgzPath: string): number {
  const specs = readdirSync(join(repoRoot, E2E_DIR))
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => join(E2E_DIR, f));
  if (specs.length === 0) throw new Error(`no e2e specs in ${E2E_DIR}: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'ta-asana-unpacked-'));
  try {
    unpackPackage(tgzPath, dir);
    const launcher = join(dir, APP_ID, LAUNCHER_IN_APP);
    if (!existsSync(launcher)) throw new Error(`the package has no ${APP_ID}/${LAUNCHER_IN_APP}`);
    process.stdout.write(`e2e suite against ${launcher} (unpacked from ${tgzPath})\n`);
    const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
    const run = spawnSync(process.execPath, [mocha, ...specs], {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, ASANA_AUDIT_LOG_LAUNCHER: launcher },
    });
    if (run.error) throw run.error;
    return run.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const repoRoot = process.cwd();
    const tgzPath = resolve(process.argv[2] ?? defaultPackagePath(repoRoot));
    const stat = existsSync(tgzPath) ? statSync(tgzPath) : undefined;
    const bundle = join(repoRoot, BUNDLE);
    const problem = packageProblem({ exists: stat !== undefined, mtimeMs: stat?.mtimeMs ?? 0 }, existsSync(bundle) ? statSync(bundle).mtimeMs : 0);
    if (problem) throw new Error(`${tgzPath}: ${problem}`);
    process.exitCode = runE2eAgainstPackage(repoRoot, tgzPath);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
