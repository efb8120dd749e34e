/**
 * A throwaway app folder holding a copy of the repository's shell launcher, and fake `node`
 * executables: shell scripts that print a version for `--version` and otherwise say which of them
 * ran (and with which compile cache), so the launcher's choices can be seen without a real node.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_LAUNCHER = resolve('bin/asana_audit_log.sh');

export interface FakeApp {
  root: string;
  bin: string;
  launcher: string;
}

/** A temp dir with app/bin/asana_audit_log.sh and a stand-in program beside it. */
export function fakeApp(): FakeApp {
  const root = mkdtempSync(join(tmpdir(), 'launcher-'));
  const bin = join(root, 'app', 'bin');
  mkdirSync(bin, { recursive: true });
  const launcher = join(bin, 'asana_audit_log.sh');
  copyFileSync(REPO_LAUNCHER, launcher);
  chmodSync(launcher, 0o755);
  writeFileSync(join(bin, 'ta_asana_audit_log.cjs'), '// stand-in: fake nodes never read it\n');
  return { root, bin, launcher };
}

/**
 * Writes a fake node at `path` that reports `version` (or, given `null`, fails to run), and
 * otherwise prints `ran <label> cache=<NODE_COMPILE_CACHE> args=<its arguments>`.
 */
export function fakeNode(path: string, version: string | null, label: string): string {
  mkdirSync(resolve(path, '..'), { recursive: true });
  const body =
    version === null
      ? 'exit 126\n'
      : `if [ "$1" = --version ]; then echo ${version}; exit 0; fi\necho "ran ${label} cache=\${NODE_COMPILE_CACHE:-none} args=$*"\n`;
  writeFileSync(path, `#!/bin/sh\n${body}`, { mode: 0o755 });
  return path;
}

/** The outside tools the launcher may call (symlink resolution, making the cache folder). */
export const LAUNCHER_TOOLS = ['readlink', 'ls', 'sed', 'mkdir'] as const;

/**
 * A folder of symlinks to just `tools`, found on this host's PATH: a PATH built from it has no
 * node, whatever the host has.
 */
export function toolsDir(parent: string, tools: readonly string[] = LAUNCHER_TOOLS): string {
  const dir = join(parent, 'tools');
  mkdirSync(dir, { recursive: true });
  for (const tool of tools) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (!found.startsWith('/')) throw new Error(`${tool} is not on this host's PATH`);
    symlinkSync(found, join(dir, tool));
  }
  return dir;
}

export interface LauncherResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a launcher with exactly the environment given (no inherited PATH, so no real node can be
 * found by accident), by `shell` when given (dash, bash --posix) or by its #! line.
 */
export function runFakeLauncher(launcher: string, env: Record<string, string>, shell: string[] = []): LauncherResult {
  const [command, ...args] = shell.length > 0 ? [...shell, launcher] : [launcher];
  const run = spawnSync(command as string, [...args, '--scheme'], { env, encoding: 'utf8', cwd: tmpdir(), timeout: 10_000 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
