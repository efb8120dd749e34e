import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { repoRoot } from '../app/appFiles.js';
import { join } from 'node:path';

/**
 * The Windows launcher cannot run on this (Linux) CI, so these read its text: what it must do is
 * visible in which lines it has and in which order.
 */
const raw = readFileSync(join(repoRoot, 'bin', 'asana_audit_log.cmd'), 'utf8');
const lines = raw.split('\r\n');
const shell = readFileSync(join(repoRoot, 'bin', 'asana_audit_log.sh'), 'utf8');

function lineIndex(pattern: RegExp): number {
  const i = lines.findIndex((l) => pattern.test(l));
  assert.ok(i >= 0, `no line matches ${pattern}`);
  return i;
}

describe('launcher (bin/asana_audit_log.cmd): its text', () => {
  it('has CRLF line ends throughout, as cmd.exe expects, and no bare LF', () => {
    assert.ok(raw.endsWith('\r\n'));
    assert.equal(raw.replace(/\r\n/g, '').includes('\n'), false);
  });

  it('tries ASANA_AUDIT_LOG_NODE, then bin\\runtime\\node.exe, then %SPLUNK_HOME%\\bin\\node.exe, then node on PATH', () => {
    const explicit = lineIndex(/^if defined ASANA_AUDIT_LOG_NODE \(/);
    const runtime = lineIndex(/call :consider "%~dp0runtime\\node\.exe"/);
    const splunk = lineIndex(/call :consider "%SPLUNK_HOME%\\bin\\node\.exe"/);
    const path = lineIndex(/'where node 2\^>nul'.*call :consider/);
    assert.ok(explicit < runtime && runtime < splunk && splunk < path, `${explicit} < ${runtime} < ${splunk} < ${path}`);
  });

  it('checks the same full minimum version as the shell launcher: major and minor', () => {
    const min = (text: string, name: string) => new RegExp(`${name}"?=(\\d+)`).exec(text)?.[1];
    assert.equal(min(raw, 'MIN_MAJOR'), min(shell, 'MIN_MAJOR'));
    assert.equal(min(raw, 'MIN_MINOR'), min(shell, 'MIN_MINOR'));
    assert.equal(`${min(raw, 'MIN_MAJOR')}.${min(raw, 'MIN_MINOR')}`, '20.19');
    lineIndex(/^if !MAJOR! GTR %MIN_MAJOR% set "OK=1"$/);
    lineIndex(/^if !MAJOR! EQU %MIN_MAJOR% if !MINOR! GEQ %MIN_MINOR% set "OK=1"$/);
    const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
    assert.equal(packageJson.engines.node, '>=20.19');
  });

  it('refuses an unusable ASANA_AUDIT_LOG_NODE rather than running another node', () => {
    const explicit = lineIndex(/^if defined ASANA_AUDIT_LOG_NODE \(/);
    assert.match(lines[explicit + 3] ?? '', /^\s+echo ERROR ASANA_AUDIT_LOG_NODE=!ASANA_AUDIT_LOG_NODE! !PROBLEM!: point ASANA_AUDIT_LOG_NODE at/);
    assert.match(lines[explicit + 4] ?? '', /^\s+exit \/b 1$/);
  });

  it('writes every message as one ERROR line to stderr', () => {
    const echoes = lines.filter((l) => /^\s*echo /.test(l) && !/^\s*echo\(/.test(l));
    assert.ok(echoes.length >= 3);
    for (const l of echoes) assert.match(l, /^\s*echo ERROR .* 1>&2$/);
  });

  it("runs node with the shell launcher's flags", () => {
    const flags = /^NODE_FLAGS="([^"]*)"/m.exec(shell)?.[1];
    lineIndex(new RegExp(`^"%NODE_BIN%" ${flags} "%PROGRAM%" %\\*$`));
  });

  it('keeps the compile cache outside the app folder', () => {
    const cacheLines = lines.filter((l) => /set "CACHE=/.test(l));
    assert.ok(cacheLines.length >= 2);
    for (const l of cacheLines) assert.ok(!l.includes('%~dp0'), l);
    lineIndex(/set "CACHE=%SPLUNK_HOME%\\var\\lib\\splunk\\/);
  });
});
