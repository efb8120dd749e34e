import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startMockSplunkd, type MockSplunkd } from '../../src/mock/splunkd.js';

/** The repository's launcher, or another app's (an unpacked package) named by ASANA_AUDIT_LOG_LAUNCHER. */
export const LAUNCHER = path.resolve(process.env.ASANA_AUDIT_LOG_LAUNCHER || 'bin/asana_audit_log.sh');

/**
 * The node the launcher must have picked, when the caller knows it: test:package names the unpacked
 * app's own runtime, so a run on any other node fails.
 */
export const EXPECTED_NODE = process.env.ASANA_AUDIT_LOG_EXPECTED_NODE || undefined;

/** The summary line names the node that ran the program, and it is the expected one when that is known. */
export function assertNamesItsNode(stderr: string): void {
  const m = /^INFO action=events_ingested .* node_version=(v\d+\.\d+\.\d+) node=("[^"]*"|\S+)$/m.exec(stderr);
  assert.ok(m, `the summary line names its node: ${stderr}`);
  if (EXPECTED_NODE) assert.equal(m[2], EXPECTED_NODE, `the run used ${m[2]} (${m[1]}), not ${EXPECTED_NODE}`);
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the launcher the way splunkd does: from an unrelated working directory, the input XML on
 * stdin (CRLF line ends and a utf-16 declaration over UTF-8 bytes, as splunkd's own test data
 * has), stdout and stderr captured.
 */
export function runLauncher(
  args: string[],
  stdin: string | Buffer,
  opts: {
    env?: NodeJS.ProcessEnv;
    onStdout?: (chunk: string, child: ReturnType<typeof spawn>) => void;
    onSpawn?: (child: ReturnType<typeof spawn>) => void;
    launcher?: string;
  } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.launcher ?? LAUNCHER, args, { cwd: os.tmpdir(), env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      opts.onStdout?.(c, child);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    opts.onSpawn?.(child);
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  });
}

/** runLauncher for a run that may never end: killed (SIGKILL) after `hungMs`, and `hung` says so. */
export async function runLauncherOrKill(
  args: string[],
  stdin: string | Buffer,
  hungMs: number,
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<ChildResult & { hung: boolean }> {
  let hung = false;
  const result = await runLauncher(args, stdin, {
    ...opts,
    onSpawn: (child) => {
      const timer = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, hungMs);
      child.on('close', () => clearTimeout(timer));
    },
  });
  return { ...result, hung };
}

/** The session key every harness input XML carries; the shared splunkd accepts only it. */
export const HARNESS_SESSION_KEY = 'e2e-session-key-0123456789';

let splunkd: MockSplunkd | undefined;
/**
 * A run with a plaintext token moves it into splunkd's credential store before collecting, so
 * every launcher run needs a splunkd. One plain-http mock serves the whole mocha process: these
 * root hooks run before the first test and after the last of any file that imports the harness.
 */
if (typeof before === 'function' && typeof after === 'function') {
  before(async () => {
    splunkd ??= await startMockSplunkd({ sessionKey: HARNESS_SESSION_KEY });
  });
  after(async () => {
    await splunkd?.close();
    splunkd = undefined;
  });
}

/** The splunkd that harness inputs point at (started by the root hook). */
export function harnessSplunkd(): MockSplunkd {
  if (!splunkd) throw new Error('the harness splunkd is not running: call inputXml() inside a test or hook, not while defining them');
  return splunkd;
}

export function inputXml(opts: { checkpointDir: string; name: string; params: Record<string, string>; serverUri?: string; sessionKey?: string }): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const params = Object.entries({ index: 'main', interval: '60', host: 'forwarder1', ...opts.params })
    .map(([k, v]) => `      <param name="${esc(k)}">${esc(v)}</param>`)
    .join('\r\n');
  return [
    '<?xml version="1.0" encoding="utf-16"?>',
    '<input xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    '  <server_host>forwarder1</server_host>',
    `  <server_uri>${esc(opts.serverUri ?? harnessSplunkd().uri)}</server_uri>`,
    `  <session_key>${esc(opts.sessionKey ?? HARNESS_SESSION_KEY)}</session_key>`,
    `  <checkpoint_dir>${esc(opts.checkpointDir)}</checkpoint_dir>`,
    '  <configuration>',
    `    <stanza name="asana_audit_log://${esc(opts.name)}">`,
    params,
    '    </stanza>',
    '  </configuration>',
    '</input>',
  ].join('\r\n');
}

export interface StreamedEvent {
  stanza: string;
  time: string;
  sourcetype: string;
  data: Record<string, unknown> & { gid: string; created_at: string };
}

/**
 * The complete `<event>` elements of a stream that may have been cut anywhere (a killed
 * process): what splunkd would index from it.
 */
export function completeEvents(xml: string): StreamedEvent[] {
  const events = xml.match(/<event [^>]*>[\s\S]*?<\/event>/g) ?? [];
  return parseEventStream(`<stream>${events.join('')}</stream>`);
}

/** Parses what splunkd would read, with a real XML parser; an empty output is an empty stream. */
export function parseEventStream(xml: string): StreamedEvent[] {
  if (xml.trim() === '') return [];
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`stdout is not well-formed XML: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    isArray: (name) => name === 'event',
  });
  const doc = parser.parse(xml) as { stream?: { event?: Array<Record<string, string>> } };
  return (doc.stream?.event ?? []).map((e) => ({
    stanza: e.stanza as string,
    time: e.time as string,
    sourcetype: e.sourcetype as string,
    data: JSON.parse(e.data as string),
  }));
}

/** The lines of a run's stderr at level ERROR: bad input must give exactly one. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('ERROR'));
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The input `acme` against a mock Asana, as the hostile-input tests use it: see acmeInputPerTest. */
export interface AcmeInput {
  asana: MockAsana;
  /** The input's checkpoint_dir, empty at the start of each test. */
  dir: string;
  /** Runs the input through the launcher as splunkd does. */
  run(): Promise<ChildResult>;
}

/**
 * For each test of the calling `describe`: a mock Asana that accepts `token` and holds `events`
 * events, an empty checkpoint folder, and `run()` for the input `acme`. Hooks the caller registers
 * after this one see both ready.
 */
export function acmeInputPerTest(token: string, events: number, dirPrefix: string): AcmeInput {
  const input = {
    run: () =>
      runLauncher(
        [],
        inputXml({ checkpointDir: input.dir, name: 'acme', params: { workspace_gid: input.asana.workspaceGid, token, api_base_url: input.asana.url } }),
      ),
  } as AcmeInput;
  beforeEach(async () => {
    input.asana = await startMockAsana({ tokens: { valid: [token] } });
    input.asana.generateEvents(events);
    input.dir = tempDir(dirPrefix);
  });
  afterEach(() => input.asana.close());
  return input;
}
