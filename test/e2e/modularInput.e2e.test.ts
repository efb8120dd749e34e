import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { errorLines, LAUNCHER, assertNamesItsNode, inputXml, parseEventStream, runLauncher, tempDir, type StreamedEvent } from '../support/splunkdHarness.js';

const TOKEN = 'e2e-token-5f1c9a7d2b';

describe('the modular input run by splunkd (e2e, real child processes)', function () {
  this.timeout(120_000);
  let mock: MockAsana;

  before(function () {
    const program = path.join(path.dirname(LAUNCHER), 'ta_asana_audit_log.cjs');
    if (!fs.existsSync(program)) {
      throw new Error(`${program} is missing: run \`npm run build\` first (npm test does)`);
    }
  });

  afterEach(async () => {
    await mock?.close();
  });

  function params(extra: Record<string, string> = {}): Record<string, string> {
    return {
      workspace_gid: mock.workspaceGid,
      token: TOKEN,
      api_base_url: mock.url,
      max_requests_per_minute: '1500',
      ...extra,
    };
  }

  it('delivers 12,000 events exactly once across restarts, a stop mid-drain, new arrivals and an expired offset', async () => {
    mock = await startMockAsana({ initialEvents: 12_000, tokens: { valid: [TOKEN] }, seed: 7 });
    const checkpointDir = tempDir('e2e-ckpt-');
    const xml = inputXml({ checkpointDir, name: 'acme', params: params() });
    const delivered: StreamedEvent[] = [];

    // Run 1: splunkd stops the input (SIGTERM) while it drains the backlog.
    let signalled = false;
    const run1 = await runLauncher([], xml, {
      onStdout: (_chunk, child) => {
        if (signalled) return;
        signalled = true;
        setTimeout(() => child.kill('SIGTERM'), 300);
      },
    });
    assert.equal(run1.code, 0, run1.stderr);
    const first = parseEventStream(run1.stdout);
    assert.ok(first.length > 0 && first.length < 12_000, `run 1 stopped part way (got ${first.length})`);
    assert.match(run1.stderr, /^INFO .*received SIGTERM/m);
    delivered.push(...first);

    // Run 2: drains the rest.
    const run2 = await runLauncher([], xml);
    assert.equal(run2.code, 0, run2.stderr);
    delivered.push(...parseEventStream(run2.stdout));
    assert.match(
      run2.stderr,
      /^INFO action=events_ingested input=acme n_events=\d+ pages=\d+ throttled_waits=0 retries=0 lag_seconds=\d+ late_events=0 duration_ms=\d+/m,
    );
    assertNamesItsNode(run2.stderr);

    // New events arrive, some in one millisecond, with characters special in XML; the offset expires.
    mock.generateEvents(250);
    mock.addEvents([
      { gid: '1299999999999991', created_at: new Date().toISOString(), event_type: 'task_deleted', resource: { name: '</data>]]><&"\u0001 😀' } },
    ]);
    mock.scriptFaults([{ kind: 'expire_offset' }]);
    const run3 = await runLauncher([], xml);
    assert.equal(run3.code, 0, run3.stderr);
    assert.match(run3.stderr, /^WARN input=acme Asana no longer accepts the saved page offset/m);
    delivered.push(...parseEventStream(run3.stdout));

    // Run 4: nothing new, nothing written.
    const run4 = await runLauncher([], xml);
    assert.equal(run4.code, 0, run4.stderr);
    assert.deepEqual(parseEventStream(run4.stdout), []);

    const gids = delivered.map((e) => e.data.gid);
    assert.equal(new Set(gids).size, gids.length, 'no event twice');
    const expected = mock.events().map((e) => (e as { gid: string }).gid);
    assert.deepEqual([...gids].sort(), [...expected].sort(), 'every event once');
    assert.ok(expected.length >= 12_251);

    // Each event is the API's JSON, unchanged, with its own time and the stanza's name.
    const byGid = new Map(mock.events().map((e) => [(e as { gid: string }).gid, e]));
    for (const e of delivered) {
      assert.deepEqual(e.data, byGid.get(e.data.gid));
      assert.equal(e.stanza, 'asana_audit_log://acme');
      assert.equal(e.sourcetype, 'asana:audit');
      assert.equal(Number(e.time) * 1000, Date.parse(e.data.created_at));
    }
    for (const run of [run1, run2, run3, run4]) {
      for (const line of run.stderr.split('\n').filter(Boolean)) assert.match(line, /^(DEBUG|INFO|WARN|ERROR) /, 'every stderr line has a level');
      assert.ok(!run.stdout.includes(TOKEN) && !run.stderr.includes(TOKEN), 'the token never appears');
      assert.ok(!run.stderr.includes('e2e-session-key-0123456789'));
    }
  });

  it('stops on a revoked token with one ERROR, a non-zero exit and the checkpoint untouched', async () => {
    mock = await startMockAsana({ initialEvents: 300, tokens: { valid: [TOKEN] } });
    const checkpointDir = tempDir('e2e-ckpt-');
    const xml = inputXml({ checkpointDir, name: 'acme', params: params() });
    assert.equal((await runLauncher([], xml)).code, 0);
    const before = fs.readFileSync(path.join(checkpointDir, 'acme.checkpoint'), 'utf8');
    mock.revokeToken(TOKEN);
    mock.generateEvents(10);
    const run = await runLauncher([], xml);
    assert.equal(run.code, 1);
    const errors = errorLines(run.stderr);
    assert.equal(errors.length, 1, run.stderr);
    assert.match(errors[0] ?? '', /input=acme the token was rejected \(401\).*code=unauthorized/);
    assert.equal(fs.readFileSync(path.join(checkpointDir, 'acme.checkpoint'), 'utf8'), before);
    assert.ok(!run.stderr.includes(TOKEN));
  });

  it('names the bad arg and collects nothing when a setting is invalid', async () => {
    mock = await startMockAsana({ initialEvents: 10, tokens: { valid: [TOKEN] } });
    const checkpointDir = tempDir('e2e-ckpt-');
    const run = await runLauncher([], inputXml({ checkpointDir, name: 'acme', params: params({ page_size: '500' }) }));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^ERROR input=acme invalid setting page_size: page_size must be a whole number from 1 to 100/m);
    assert.equal(run.stdout, '');
    assert.equal(mock.stats().requests, 0);
  });

  it('prints the introspection scheme for --scheme', async () => {
    const run = await runLauncher(['--scheme'], '');
    assert.equal(run.code, 0);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'arg' }).parse(run.stdout);
    assert.equal(doc.scheme.streaming_mode, 'xml');
    assert.equal(doc.scheme.use_external_validation, true);
    assert.equal(doc.scheme.use_single_instance, false);
    const names = doc.scheme.endpoint.args.arg.map((a: { name: string }) => a.name);
    for (const n of [
      'workspace_gid',
      'token',
      'start_at',
      'event_type',
      'actor_type',
      'actor_gid',
      'resource_gid',
      'page_size',
      'max_requests_per_minute',
      'api_base_url',
      'log_level',
    ]) {
      assert.ok(names.includes(n), n);
    }
  });

  it('validates arguments with a live call: accepts a good token, explains a bad one', async () => {
    mock = await startMockAsana({ initialEvents: 5, tokens: { valid: [TOKEN], forbidden: ['other-org-token-123'] } });
    const items = (token: string, extra = '') =>
      `<?xml version="1.0" encoding="utf-16"?>\r\n<items><server_host>h</server_host><server_uri>https://127.0.0.1:8089</server_uri><session_key>sk-0123456789</session_key><checkpoint_dir>/tmp</checkpoint_dir><item name="acme"><param name="workspace_gid">${mock.workspaceGid}</param><param name="token">${token}</param><param name="api_base_url">${mock.url}</param>${extra}</item></items>`;
    const good = await runLauncher(['--validate-arguments'], items(TOKEN));
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.equal(good.stdout, '');
    const forbidden = await runLauncher(['--validate-arguments'], items('other-org-token-123'));
    assert.notEqual(forbidden.code, 0);
    assert.match(forbidden.stdout, /^<error><message>the token may not read this organization's audit log \(403\)/);
    const badArg = await runLauncher(['--validate-arguments'], items(TOKEN, '<param name="actor_type">robot</param>'));
    assert.notEqual(badArg.code, 0);
    assert.match(badArg.stdout, /<error><message>actor_type must be one of user, asana/);
    assert.ok(!forbidden.stdout.includes('other-org-token-123') && !forbidden.stderr.includes('other-org-token-123'));
  });

  it('refuses an ASANA_AUDIT_LOG_NODE that is too old with one line naming it and what to do', async () => {
    const dir = tempDir('e2e-oldnode-');
    const fakeNode = path.join(dir, 'node');
    fs.writeFileSync(fakeNode, '#!/bin/sh\necho v18.19.0\n', { mode: 0o755 });
    const run = await runLauncher(['--scheme'], '', { env: { PATH: `${dir}:${process.env.PATH ?? ''}`, ASANA_AUDIT_LOG_NODE: fakeNode } });
    assert.equal(run.code, 1);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /^ERROR ASANA_AUDIT_LOG_NODE=\S+\/node is v18\.19\.0, older than 20\.19\.0: point ASANA_AUDIT_LOG_NODE at Node\.js 20\.19\.0 or newer/,
    );
    assert.equal(run.stdout, '');
  });

  it('finds a new enough node through ASANA_AUDIT_LOG_NODE when PATH has none', async () => {
    const run = await runLauncher(['--scheme'], '', { env: { PATH: '/usr/bin/nonexistent', ASANA_AUDIT_LOG_NODE: process.execPath } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /<streaming_mode>xml<\/streaming_mode>/);
  });

  it('has a launcher splunkd can execute: LF line ends and mode 755', () => {
    const text = fs.readFileSync(LAUNCHER, 'utf8');
    assert.ok(!text.includes('\r'), 'no CR in the shell launcher');
    assert.equal(fs.statSync(LAUNCHER).mode & 0o777, 0o755);
  });
});
