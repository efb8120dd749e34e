/**
 * Runs the end-to-end suite against the app as Splunk installs it: unpacks the linux-x64 package
 * that `npm run package` wrote into a temporary folder outside the repository (so no node_modules
 * or sources are within reach) and points the suite's harness at the unpacked launcher through
 * ASANA_AUDIT_LOG_LAUNCHER. The suite runs as on a host with no Node.js at all: its PATH is a
 * folder of links to the few tools it needs, with no node among them, and there is no
 * $SPLUNK_HOME/bin/node; every launcher run must use the app's own runtime, which the suite checks
 * (ASANA_AUDIT_LOG_EXPECTED_NODE). Mocha itself runs on this process's node, by its full path.
 * Before the suite, the unpacked app must carry Node's licence and THIRD-PARTY-NOTICES.txt naming
 * every npm package the build bundled.
 * Run after `npm run package` (npm run test:package does both):
 * node build/tools/testPackage.js [path/to/package.tgz]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_ID, BUNDLE, packageFileName } from './package.js';
import { NODE_LICENSE_FILE } from './nodeRuntime.js';
import { readAppVersions } from './stampVersion.js';
import { NOTICES_FILE, noticesProblems, packagesOfLastBundle } from './thirdPartyNotices.js';
import { unpackPackage } from './unpackPackage.js';

export const LAUNCHER_IN_APP = 'bin/asana_audit_log.sh';
export const RUNTIME_IN_APP = 'bin/runtime/node';
export const E2E_DIR = 'build/test/e2e';
/** The package Splunkbase and Splunk Cloud get, and the one this machine can run. */
export const TESTED_PLATFORM = 'linux-x64';
/** What the suite and the launcher call: sh for the launcher, its tools, openssl for test CAs, head and cat for a pipe closed early, script for a terminal. */
export const SUITE_TOOLS = ['sh', 'readlink', 'ls', 'sed', 'mkdir', 'openssl', 'head', 'cat', 'script'] as const;

export function defaultPackagePath(repoRoot: string): string {
  return join(repoRoot, 'dist', packageFileName(readAppVersions(repoRoot).packageJson, TESTED_PLATFORM));
}

/** Runs `sh -c script` with exactly `env` and returns its exit status and stdout. */
function sh(script: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string } {
  const run = spawnSync('/bin/sh', ['-c', script], { env, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout };
}

/**
 * A folder of symlinks to just `tools` from this host's PATH, to be a whole PATH: whatever the
 * host has, no node is on it. Throws when a tool is missing, or when node is reachable after all.
 */
export function pathWithoutNode(parent: string, tools: readonly string[] = SUITE_TOOLS): string {
  const dir = join(parent, 'path-without-node');
  mkdirSync(dir, { recursive: true });
  for (const tool of tools) {
    const found = sh(`command -v ${tool}`, process.env).stdout.trim();
    if (!found.startsWith('/')) throw new Error(`${tool} is not on this host's PATH; the e2e suite needs it`);
    symlinkSync(found, join(dir, tool));
  }
  const node = sh('command -v node', { PATH: dir });
  if (node.status === 0) throw new Error(`node is on the test PATH after all: ${node.stdout.trim()}`);
  return dir;
}

/** The environment the suite runs in: this one without any way to a node but the app's own. */
export function nodeFreeEnv(env: NodeJS.ProcessEnv, path: string, expectedNode: string, launcher: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, PATH: path, ASANA_AUDIT_LOG_LAUNCHER: launcher, ASANA_AUDIT_LOG_EXPECTED_NODE: expectedNode };
  delete out.ASANA_AUDIT_LOG_NODE;
  delete out.SPLUNK_HOME;
  delete out.NODE_COMPILE_CACHE;
  return out;
}

/** Why the package cannot stand for the current build, or undefined when it can. */
export function packageProblem(tgz: { exists: boolean; mtimeMs: number }, bundleMtimeMs: number): string | undefined {
  if (!tgz.exists) return 'not found: run `npm run package` first';
  if (tgz.mtimeMs < bundleMtimeMs) return `older than ${BUNDLE}: run \`npm run package\` again`;
  return undefined;
}

/**
 * What the unpacked app lacks in licences: Node's, for the runtime it carries, and the notices,
 * which must name every npm package the bundle holds (per the build's metafile in `repoRoot`).
 */
export function licenceProblems(appDir: string, repoRoot: string): string[] {
  const problems = existsSync(join(appDir, NODE_LICENSE_FILE)) ? [] : [`the package has no ${NODE_LICENSE_FILE} for its runtime`];
  const notices = join(appDir, NOTICES_FILE);
  const text = existsSync(notices) ? readFileSync(notices, 'utf8') : undefined;
  return [...problems, ...noticesProblems(text, packagesOfLastBundle(repoRoot, BUNDLE), `the package's ${NOTICES_FILE}`)];
}

/** Unpacks `tgzPath`, runs every e2e spec against the unpacked launcher, and returns mocha's exit code. */
export function runE2eAgainstPackage(repoRoot: string, tgzPath: string): number {
  const specs = readdirSync(join(repoRoot, E2E_DIR))
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => join(E2E_DIR, f));
  if (specs.length === 0) throw new Error(`no e2e specs in ${E2E_DIR}: run \`npm run build\` first`);
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ta-asana-unpacked-')));
  try {
    unpackPackage(tgzPath, dir);
    const launcher = join(dir, APP_ID, LAUNCHER_IN_APP);
    const runtime = join(dir, APP_ID, RUNTIME_IN_APP);
    for (const required of [launcher, runtime]) if (!existsSync(required)) throw new Error(`the package has no ${required.slice(dir.length + 1)}`);
    const licences = licenceProblems(join(dir, APP_ID), repoRoot);
    if (licences.length > 0) throw new Error(licences.join('\n'));
    process.stdout.write(`${NOTICES_FILE} names the bundle's ${packagesOfLastBundle(repoRoot, BUNDLE).length} npm packages; ${NODE_LICENSE_FILE} is there\n`);
    const path = pathWithoutNode(dir);
    process.stdout.write(`e2e suite against ${launcher} (unpacked from ${tgzPath}), PATH=${path} (no node), no $SPLUNK_HOME\n`);
    const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
    const run = spawnSync(process.execPath, [mocha, ...specs], {
      cwd: repoRoot,
      stdio: 'inherit',
      env: nodeFreeEnv(process.env, path, runtime, launcher),
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
