/**
 * The pieces of `npm run bench`. Every measured program runs in its own process: the mock (which
 * takes long to fill and much memory), the add-on through its launcher as splunkd runs it, the
 * add-on's run in a process of its own where the request cap must be lifted (CPU and memory), and
 * the bare baseline. The parent only counts what arrives on their stdout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MockAsanaOptions } from '../src/mock/server.js';

export const BENCH_SCRIPT = fileURLToPath(new URL('./bench.js', import.meta.url));
export const LAUNCHER = path.resolve('bin/asana_audit_log.sh');
export const BUNDLE = path.resolve('bin/ta_asana_audit_log.cjs');

/** Messages a child sends its parent over IPC. */
export type ChildReport =
  | { kind: 'ready'; url: string; workspaceGid: string }
  | { kind: 'stats'; requests: number; rateLimited: number }
  | { kind: 'done'; cpuUserMs: number; cpuSystemMs: number; maxRssKb: number; wallMs: number; status: string };

export interface RunningMock {
  url: string;
  workspaceGid: string;
  stats(): Promise<{ requests: number; rateLimited: number }>;
  close(): Promise<void>;
}

/** Starts the mock in a child process and waits until it listens. */
export async function startMockProcess(options: MockAsanaOptions): Promise<RunningMock> {
  const child = spawn(process.execPath, ['--max-old-space-size=4096', BENCH_SCRIPT, '--child', 'mock', JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextReport(child, 'ready');
  return {
    url: ready.url,
    workspaceGid: ready.workspaceGid,
    stats: async () => {
      child.send({ kind: 'stats' });
      return nextReport(child, 'stats');
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function nextReport<K extends ChildReport['kind']>(child: ChildProcess, kind: K): Promise<Extract<ChildReport, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ChildReport) => {
      if (m.kind !== kind) return;
      cleanup();
      resolve(m as Extract<ChildReport, { kind: K }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`bench child exited (${code}) before reporting ${kind}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Counts events by gid as they stream past: XML from the add-on, NDJSON from the baseline. */
export class GidCounter {
  total = 0;
  private readonly seen = new Set<string>();
  private carry = '';
  feed(chunk: string): void {
    const text = this.carry + chunk;
    const cut = text.lastIndexOf('\n') + 1;
    this.carry = text.slice(cut);
    for (const m of text.slice(0, cut).matchAll(/^(?:<event[^>]*>.*?<data>)?\{"gid":"(\d+)"/gm)) {
      this.total++;
      this.seen.add(m[1] as string);
    }
  }
  get unique(): number {
    return this.seen.size;
  }
  /** Lost and duplicated against the `expected` events the mock holds. */
  verdict(expected: number): { lost: number; duplicated: number } {
    return { lost: expected - this.unique, duplicated: this.total - this.unique };
  }
}

export interface LauncherRun {
  code: number | null;
  wallMs: number;
  stderr: string;
  counter: GidCounter;
}

/**
 * `poll --format xml` through the launcher: the collector and the XML stream splunkd reads, without
 * the splunkd REST calls of the modular input mode (which need a splunkd to answer them).
 */
export function pollArgs(o: { url: string; workspaceGid: string; checkpoint: string; extra?: string[] }): string[] {
  return ['poll', '--format', 'xml', '--workspace', o.workspaceGid, '--base-url', o.url, '--checkpoint', o.checkpoint, ...(o.extra ?? [])];
}

/** Runs the launcher and counts the events it writes; the token goes by environment as the CLI wants. */
export function runLauncher(
  args: string[],
  token: string,
  opts: { onStart?: (child: ChildProcess) => void; env?: Record<string, string> } = {},
): Promise<LauncherRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(LAUNCHER, args, {
      cwd: os.tmpdir(),
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, SPLUNK_HOME: '', ASANA_TOKEN: token, ...opts.env },
    });
    const counter = new GidCounter();
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => counter.feed(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, wallMs: performance.now() - started, stderr, counter }));
    child.stdin.on('error', () => {});
    child.stdin.end();
    opts.onStart?.(child);
  });
}

/**
 * Samples a child's resident memory from /proc (Linux) until it exits: the launcher execs node,
 * so the launched pid is the collector itself. Returns a function giving the peak in MB (0 where
 * /proc is missing).
 */
export function samplePeakRss(child: ChildProcess, everyMs = 100): () => number {
  let peakKb = 0;
  const sample = (): void => {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // Gone, or not Linux.
    }
  };
  const timer = setInterval(sample, everyMs);
  child.once('exit', () => clearInterval(timer));
  return () => Math.round(peakKb / 1024);
}

/** `poll --output hec --hec-ack` through the launcher; what HEC indexed is counted by the caller, from its mock. */
export function hecPollArgs(o: { url: string; workspaceGid: string; checkpoint: string; hecUrl: string; extra?: string[] }): string[] {
  return [
    'poll',
    '--output',
    'hec',
    '--hec-ack',
    '--hec-url',
    o.hecUrl,
    '--workspace',
    o.workspaceGid,
    '--base-url',
    o.url,
    '--checkpoint',
    o.checkpoint,
    ...(o.extra ?? []),
  ];
}

/** Lost and duplicated events among what a mock HEC indexed, against the `expected` events the mock Asana holds. */
export function hecVerdict(indexed: ReadonlyArray<{ event: unknown }>, expected: number): { lost: number; duplicated: number } {
  const gids = new Set(indexed.map((e) => (e.event as { gid: string }).gid));
  return { lost: expected - gids.size, duplicated: indexed.length - gids.size };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface DrainChildSpec {
  mode: 'addon' | 'baseline';
  url: string;
  workspaceGid: string;
  token: string;
  concurrency: number;
  checkpointDir: string;
  name: string;
}

export interface DrainChildResult {
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
  status: string;
  counter: GidCounter;
}

/** The node flags the launcher runs the program with, so in-process measurements match it. */
export function launcherNodeFlags(): string[] {
  const m = /^NODE_FLAGS="([^"]*)"/m.exec(fs.readFileSync(LAUNCHER, 'utf8'));
  return m?.[1] ? m[1].split(/\s+/).filter(Boolean) : [];
}

/**
 * Runs the add-on's collector (request cap lifted) or the bare baseline in a process of its own,
 * both with the launcher's node flags.
 */
export async function runDrainChild(spec: DrainChildSpec): Promise<DrainChildResult> {
  const child = spawn(process.execPath, [...launcherNodeFlags(), BENCH_SCRIPT, '--child', 'drain', JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const counter = new GidCounter();
  child.stdout?.setEncoding('utf8').on('data', (c: string) => counter.feed(c));
  const done = await nextReport(child, 'done');
  await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('close', r)));
  return { wallMs: done.wallMs, cpuMs: done.cpuUserMs + done.cpuSystemMs, maxRssKb: done.maxRssKb, status: done.status, counter };
}

/** A bare fetch-parse-write loop: no checkpoint, no validation, no XML, no limiter. */
export async function bareDrain(url: string, workspaceGid: string, token: string, out: NodeJS.WritableStream): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let offset: string | undefined;
  let events = 0;
  for (;;) {
    const query = new URLSearchParams({ limit: '100' });
    if (offset) query.set('offset', offset);
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get(`${url}/workspaces/${workspaceGid}/audit_log_events?${query}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => resolve(text));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    const page = JSON.parse(body) as { data: object[]; next_page: { offset: string } | null };
    if (page.data.length === 0) break;
    events += page.data.length;
    const chunk = page.data.map((e) => `${JSON.stringify(e)}\n`).join('');
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
    offset = page.next_page?.offset;
    if (!offset) break;
  }
  agent.destroy();
  return events;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median wall time of a command over `runs` runs, after one warm-up. */
export async function medianWallMs(command: string, args: string[], runs: number, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { cwd: os.tmpdir(), stdio: ['ignore', 'ignore', 'ignore'], env });
      child.on('error', reject);
      child.on('close', () => resolve());
    });
    if (i > 0) times.push(performance.now() - started);
  }
  return median(times);
}
