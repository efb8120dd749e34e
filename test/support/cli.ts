import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { LAUNCHER, tempDir, type ChildResult } from './splunkdHarness.js';

/**
 * Runs a program with no stdin and captures its stdout and stderr as text until it exits.
 * `onStderr` sees everything written to stderr so far, each time more arrives (to act on a line
 * while the program runs).
 */
export function runChild(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; onStderr?: (all: string, child: ChildProcess) => void } = {},
): Promise<ChildResult> {
  const spawnOptions: SpawnOptions = { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, spawnOptions);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      opts.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Runs the command-line tool through the launcher, as a person runs it: a clean environment
 * (PATH, and the Node choice CI's matrix sets), a working directory of its own, no terminal.
 */
export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; onStderr?: (all: string, child: ChildProcess) => void } = {},
): Promise<ChildResult> {
  const nodeChoice = process.env.ASANA_AUDIT_LOG_NODE ? { ASANA_AUDIT_LOG_NODE: process.env.ASANA_AUDIT_LOG_NODE } : {};
  return runChild(LAUNCHER, args, {
    cwd: opts.cwd ?? tempDir('cli-cwd-'),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...nodeChoice, ...opts.env },
    onStderr: opts.onStderr,
  });
}

/** The `key=value` fields of the run's summary line, or undefined when there is none. */
export function summaryFields(stderr: string): Record<string, string> | undefined {
  const line = stderr.split('\n').find((l) => /^INFO action=events_ingested /.test(l));
  if (!line) return undefined;
  return Object.fromEntries([...line.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1] as string, m[2] as string]));
}
