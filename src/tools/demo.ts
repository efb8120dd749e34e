/**
 * `npm start`: the real connector, end to end, against the bundled mock. It runs the launcher
 * exactly as splunkd would (input XML on stdin, events on stdout, logs on stderr) twice: the
 * first run drains the backlog, the second resumes from the checkpoint and picks up only the
 * events that arrived in between. Run: node build/src/tools/demo.js
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMockAsana } from '../mock/server.js';
import { startMockSplunkd } from '../mock/splunkd.js';
import { escapeXmlText } from '../splunk/xmlEscape.js';

const LAUNCHER = path.resolve('bin/asana_audit_log.sh');
const EVENTS = Number(process.env.DEMO_EVENTS ?? 2000);

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

function runLikeSplunkd(label: string, token: string): Promise<number> {
  process.stderr.write(`\n=== ${label}: ${LAUNCHER} < input XML (as splunkd runs it) ===\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(LAUNCHER, [], { stdio: ['pipe', 'inherit', 'inherit'], cwd: os.tmpdir() });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
    child.stdin.end(inputXml(token));
  });
}

try {
  process.stderr.write(`mock Asana at ${mock.url} holding ${EVENTS} events, 20 new ones a second\n`);
  const first = await runLikeSplunkd('run 1, a new input drains the backlog', 'demo-token');
  await new Promise((r) => setTimeout(r, 2000));
  const second = await runLikeSplunkd('run 2, token now masked (********) and read from the credential store; resumes from the checkpoint', '********');
  process.stderr.write(`\ncheckpoint kept in ${checkpointDir}; exit codes ${first} and ${second}\n`);
  process.exitCode = first === 0 && second === 0 ? 0 : 1;
} finally {
  await mock.close();
  await splunkd.close();
}
