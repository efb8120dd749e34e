/**
 * `npm start`: the real connector, end to end, against the bundled mock. It runs the launcher
 * exactly as splunkd would (input XML on stdin, events on stdout, logs on stderr) twice: the
 * first run drains the backlog, the second resumes from the checkpoint and picks up only the
 * events that arrived in between. Each run shows its log, a few of its events and how many it
 * wrote; `--full` (or DEMO_FULL=1) prints the whole event stream instead.
 * Run: node build/tools/demo.js [--full]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { startMockAsana } from '../src/mock/server.js';
import { startMockSplunkd } from '../src/mock/splunkd.js';
import { escapeXmlText } from '../src/splunk/xmlEscape.js';

const LAUNCHER = path.resolve('bin/asana_audit_log.sh');
const EVENTS = Number(process.env.DEMO_EVENTS ?? 2000);
const FULL = process.argv.includes('--full') || process.env.DEMO_FULL === '1';
const SHOWN = 3;
/** Between the runs, so that new events arrive (20 a second). */
const PAUSE_MS = Number(process.env.DEMO_PAUSE_MS ?? 2000);

const mock = await startMockAsana({ initialEvents: EVENTS, eventsPerSecond: 20, tokens: { valid: ['demo-token'] } });
// The first run moves the token into splunkd's credential store and masks it in the input.
const splunkd = await startMockSplunkd({ sessionKey: 'demo-session' });
const checkpointDir = fs.mkdtempSync(path.join(os.tmpdir(), 'asana-audit-log-demo-'));
const inputXml = (token: string) => `<?xml version="1.0" encoding="UTF-8"?>
<input><server_host>demo</server_host><server_uri>${splunkd.uri}</server_uri><session_key>demo-session</session_key>
<checkpoint_dir>${escapeXmlText(checkpointDir)}</checkpoint_dir><configuration>
<stanza name="asana_audit_log://demo"><param name="workspace_gid">${mock.workspaceGid}</param><param name="token">${token}</param>
<param name="api_base_url">${escapeXmlText(mock.url)}</param><param name="max_requests_per_minute">1500</param><param name="index">main</param></stanza>
</configuration></input>`;

const say = (text: string) => process.stderr.write(`${text}\n`);

/** Runs the launcher as splunkd does; its log goes to the terminal, its events are kept (or, with --full, printed). */
function runLikeSplunkd(label: string, token: string): Promise<{ code: number; stdout: string }> {
  say(`\n=== ${label}: ${LAUNCHER} < input XML (as splunkd runs it) ===`);
  return new Promise((resolve, reject) => {
    const child = spawn(LAUNCHER, [], { stdio: ['pipe', FULL ? 'inherit' : 'pipe', 'inherit'], cwd: os.tmpdir() });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
    child.stdin?.end(inputXml(token));
  });
}

/** A few of the run's events, one line each, and how many there were. */
function showEvents(stdout: string): void {
  if (FULL) return;
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, isArray: (name) => name === 'event' });
  const events = ((parser.parse(stdout) as { stream?: { event?: Array<{ data: string }> } }).stream?.event ?? []).map(
    (e) => JSON.parse(e.data) as { created_at: string; event_type: string; actor?: { email?: string; name?: string } },
  );
  say(`--- stdout: ${events.length} events as Splunk's XML stream (sourcetype asana:audit); the first ${Math.min(SHOWN, events.length)}:`);
  for (const e of events.slice(0, SHOWN)) say(`    ${e.created_at}  ${e.event_type.padEnd(28)} ${e.actor?.email ?? e.actor?.name ?? ''}`);
}

try {
  say(`mock Asana at ${mock.url} holding ${EVENTS} events, 20 new ones a second${FULL ? '' : ' (npm start -- --full prints every event)'}`);
  const first = await runLikeSplunkd('run 1, a new input drains the backlog', 'demo-token');
  showEvents(first.stdout);
  await new Promise((r) => setTimeout(r, PAUSE_MS));
  const second = await runLikeSplunkd('run 2, token now masked (********) and read from the credential store; resumes from the checkpoint', '********');
  showEvents(second.stdout);
  say(`\ncheckpoint kept in ${checkpointDir}; exit codes ${first.code} and ${second.code}`);
  process.exitCode = first.code === 0 && second.code === 0 ? 0 : 1;
} finally {
  await mock.close();
  await splunkd.close();
}
