import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const LAUNCHER = path.resolve('bin/asana_audit_log.sh');

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

export function inputXml(opts: { checkpointDir: string; name: string; params: Record<string, string> }): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const params = Object.entries({ index: 'main', interval: '60', host: 'forwarder1', ...opts.params })
    .map(([k, v]) => `      <param name="${esc(k)}">${esc(v)}</param>`)
    .join('\r\n');
  return [
    '<?xml version="1.0" encoding="utf-16"?>',
    '<input xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    '  <server_host>forwarder1</server_host>',
    '  <server_uri>https://127.0.0.1:8089</server_uri>',
    '  <session_key>e2e-session-key-0123456789</session_key>',
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

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
