import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/freePort.js';
import { LAUNCHER, inputXml, runLauncher, tempDir } from '../support/splunkdHarness.js';

const TOKEN = 'messages-e2e-token-9a3e';

/** The mistakes a newcomer makes at the command line, each met through the launcher. */
describe("the command line names the real cause of a newcomer's mistakes (e2e, through the launcher)", function () {
  this.timeout(60_000);
  let asana: MockAsana;
  before(async () => {
    asana = await startMockAsana({ initialEvents: 300, tokens: { valid: [TOKEN] } });
  });
  after(async () => {
    await asana.close();
  });
  const origin = () => asana.url.replace(/\/api\/1\.0$/, '');
  const check = (extra: string[], env: NodeJS.ProcessEnv = { ASANA_TOKEN: TOKEN }) =>
    runCli(['check', '--workspace', asana.workspaceGid, '--base-url', asana.url, ...extra], { env });

  it('an empty --token-file: says the file is empty, not that a --token flag is required', async () => {
    const file = path.join(tempDir('msg-'), 'token');
    fs.writeFileSync(file, '\n');
    const run = await runCli(['check', '--workspace', asana.workspaceGid, '--base-url', asana.url, '--token-file', file]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`^ERROR --token-file ${file} is empty: put the service account token in it$`, 'm'));
    assert.doesNotMatch(run.stderr, /--token /);
  });

  it('a --token-file that does not exist: says so in words and how to give the token, not a bare ENOENT', async () => {
    const run = await runCli(['check', '--workspace', asana.workspaceGid, '--base-url', asana.url, '--token-file', 'nosuch.tok'], { cwd: tempDir('msg-') });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^ERROR cannot read --token-file nosuch\.tok \(ENOENT: no such file or directory, open 'nosuch\.tok'\): name a readable file holding the service account token, or set ASANA_TOKEN instead$/m,
    );
  });

  it('a base URL without /api/1.0: says check --base-url, not the workspace', async () => {
    const run = await runCli(['check', '--workspace', asana.workspaceGid, '--base-url', origin()], { env: { ASANA_TOKEN: TOKEN } });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^FAILED \(endpoint_not_found\): the audit log endpoint was not found \(404\) under http:\/\/127\.0\.0\.1:\d+: check --base-url; Asana's is https:\/\/app\.asana\.com\/api\/1\.0/,
    );
    assert.doesNotMatch(run.stdout + run.stderr, /workspace/);
  });

  it('an unreachable http://127.0.0.1:<closed port>: names the URL tried, not app.asana.com', async () => {
    const url = `http://127.0.0.1:${await freePort()}/api/1.0`;
    const run = await runCli(['check', '--workspace', asana.workspaceGid, '--base-url', url], { env: { ASANA_TOKEN: TOKEN } });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      new RegExp(
        `^FAILED \\(network_error\\): Asana could not be reached at ${url.replace(/\./g, '\\.')}: check --base-url, and DNS, firewall and proxy settings for 127\\.0\\.0\\.1:\\d+`,
      ),
    );
    assert.doesNotMatch(run.stdout, /app\.asana\.com/);
  });

  it('a token beginning with "Bearer ": says drop the prefix, not "contains whitespace"', async () => {
    const run = await check([], { ASANA_TOKEN: `Bearer ${TOKEN}` });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^ERROR the token in ASANA_TOKEN starts with "Bearer ": give the token alone, without the "Bearer " prefix$/m);
    assert.doesNotMatch(run.stderr, /whitespace/);
    assert.ok(!run.stderr.includes(TOKEN));
  });

  it('--hec-* flags without --output hec: an error that names them, nothing collected', async () => {
    const requests = asana.stats().requests;
    const dir = tempDir('msg-hec-');
    const run = await runCli(['poll', '--workspace', asana.workspaceGid, '--base-url', asana.url, '--hec-ack', '--index', 'asana'], {
      env: { ASANA_TOKEN: TOKEN },
      cwd: dir,
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^ERROR --hec-ack, --index apply only with --output hec: add --output hec to deliver to Splunk HEC, or drop them$/m);
    assert.equal(run.stdout, '');
    assert.equal(asana.stats().requests, requests);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('check --help lists only the options check uses', async () => {
    const run = await runCli(['check', '--help']);
    assert.equal(run.code, 0);
    for (const used of ['--workspace', '--token-file', '--base-url', '--event-type', '--proxy', '--ca-bundle'])
      assert.match(run.stdout, new RegExp(`${used} `));
    for (const pollOnly of [
      '--start-at',
      '--page-size',
      '--backfill-concurrency',
      '--backfill-settle-minutes',
      '--checkpoint',
      '--output',
      '--hec-',
      '--follow',
    ]) {
      assert.ok(!run.stdout.includes(pollOnly), `${pollOnly} is poll's`);
    }
  });

  it('from the CLI, a rejected token or workspace is told in flag names; the modular input keeps setting names', async () => {
    const badToken = await check([], { ASANA_TOKEN: 'not-the-token' });
    assert.match(
      badToken.stdout,
      /^FAILED \(unauthorized\): the token was rejected \(401\): create a service account token with the Audit logs scope and update the token in ASANA_TOKEN \(or --token-file\)/,
    );
    const badWorkspace = await runCli(['check', '--workspace', '999', '--base-url', asana.url], { env: { ASANA_TOKEN: TOKEN } });
    assert.match(badWorkspace.stdout, /^FAILED \(not_found\): the organization was not found \(404\): set --workspace to the Domain ID/);
    const poll = await runCli(['poll', '--workspace', asana.workspaceGid, '--base-url', asana.url], { env: { ASANA_TOKEN: 'not-the-token' } });
    assert.match(poll.stderr, /^ERROR .*update the token in ASANA_TOKEN \(or --token-file\).*code=unauthorized/m);
    for (const run of [badToken, badWorkspace, poll]) assert.doesNotMatch(run.stdout + run.stderr, /input's token|workspace_gid/);

    const modular = await runLauncher(
      [],
      inputXml({ checkpointDir: tempDir('msg-ckpt-'), name: 'acme', params: { workspace_gid: '999', token: TOKEN, api_base_url: asana.url } }),
    );
    assert.match(modular.stderr, /^ERROR input=acme the organization was not found \(404\): set workspace_gid to the Domain ID/m);
  });

  it("a retried connection reset: the WARN names --base-url from the CLI, as the final message does, and the modular input's WARN names api_base_url", async () => {
    const retried = /^WARN input=\S+ Asana request failed: retrying code=network_error .*cause="Asana could not be reached at \S+: check (\S+), and DNS/m;
    asana.scriptFaults([{ kind: 'reset' }]);
    const poll = await runCli(['poll', '--workspace', asana.workspaceGid, '--base-url', asana.url], { env: { ASANA_TOKEN: TOKEN } });
    assert.equal(poll.code, 0, poll.stderr);
    assert.equal(poll.stderr.match(retried)?.[1], '--base-url', poll.stderr);
    assert.doesNotMatch(poll.stderr, /api_base_url/);

    asana.scriptFaults([{ kind: 'reset' }]);
    const modular = await runLauncher(
      [],
      inputXml({ checkpointDir: tempDir('msg-ckpt-'), name: 'acme', params: { workspace_gid: asana.workspaceGid, token: TOKEN, api_base_url: asana.url } }),
    );
    assert.equal(modular.code, 0, modular.stderr);
    assert.equal(modular.stderr.match(retried)?.[1], 'api_base_url', modular.stderr);
  });

  it('on a terminal, the summary line starts on a line of its own, the progress line cleared first', async () => {
    const dir = tempDir('msg-tty-');
    const transcript = path.join(dir, 'transcript');
    const command = `'${LAUNCHER}' poll --workspace ${asana.workspaceGid} --base-url ${asana.url} --page-size 20 --checkpoint acme.checkpoint > events.ndjson`;
    const code = await new Promise<number | null>((resolve, reject) => {
      // util-linux script(1) gives the program a pseudo-terminal for stderr; the transcript is what the person sees.
      const child = spawn('script', ['-qfec', command, transcript], {
        cwd: dir,
        env: { PATH: process.env.PATH, ASANA_TOKEN: TOKEN, TERM: 'dumb' },
        stdio: 'ignore',
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    assert.equal(code, 0);
    const seen = fs.readFileSync(transcript, 'utf8');
    assert.match(seen, /\rprogress: /, 'the progress line was drawn in place');
    const line = seen.split(/\r?\n/).find((l) => l.includes('action=events_ingested')) ?? '';
    // What stays visible of that line: the text after the last carriage return and erase-line.
    const last = line.split('\r').pop() ?? '';
    const visible = last.startsWith('\x1b[K') ? last.slice('\x1b[K'.length) : last;
    assert.match(visible, /^INFO action=events_ingested input=workspace-\d+ n_events=300 /, JSON.stringify(line));
    assert.ok(line.includes('\r\x1b[K'), 'the progress text was erased, not overwritten in part');
  });
});
