import assert from 'node:assert/strict';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startMockSplunkd, type MockSplunkd } from '../../src/mock/splunkd.js';
import { errorLines, inputXml, parseEventStream, runLauncherOrKill, tempDir, type ChildResult } from '../support/splunkdHarness.js';

const TOKEN = 'hostile-splunkd-token-7e9a1c3b5d';
const SESSION_KEY = 'hostile-splunkd-session-2b4d6f8a';
/** What a single sign-on portal or an intercepting proxy answers instead of splunkd. */
const SSO_PAGE = {
  status: 200,
  contentType: 'text/html; charset=utf-8',
  body: '<!doctype html><html><body><form action="/sso/login">Sign in</form></body></html>',
};
/** A run that blocks is killed after this long and reported as hung. */
const HUNG_MS = 20_000;

describe('hostile input: a splunkd management port that answers wrongly (e2e, through the launcher)', function () {
  this.timeout(60_000);
  let asana: MockAsana;
  let splunkd: MockSplunkd;

  beforeEach(async () => {
    asana = await startMockAsana({ tokens: { valid: [TOKEN] } });
    asana.generateEvents(4);
    splunkd = await startMockSplunkd({ sessionKey: SESSION_KEY });
  });
  afterEach(async () => {
    await asana.close();
    await splunkd.close();
  });

  const run = (opts: { name?: string } = {}): Promise<ChildResult & { hung: boolean }> => {
    const xml = inputXml({
      checkpointDir: tempDir('hostile-splunkd-'),
      name: opts.name ?? 'acme',
      params: { workspace_gid: asana.workspaceGid, token: TOKEN, api_base_url: asana.url },
      serverUri: splunkd.uri,
      sessionKey: SESSION_KEY,
    });
    return runLauncherOrKill([], xml, HUNG_MS);
  };

  it('storage/passwords answered with a 200 text/html page is not taken as stored: one ERROR, the input stays unmasked', async () => {
    splunkd.failRoute('create', SSO_PAGE);
    const r = await run();
    assert.equal(r.code, 1, r.stderr);
    assert.equal(splunkd.entries.size, 0, 'the page stored nothing');
    assert.deepEqual(splunkd.inputEdits, [], 'the input keeps its plaintext token: the only copy is not lost');
    const errors = errorLines(r.stderr);
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0] as string, /^ERROR input=acme .*could not be confirmed.*reading the entry back found none.*left unmasked.*server_uri/);
    assert.equal(parseEventStream(r.stdout).length, 0, 'nothing collected');
    assert.equal(r.stderr.includes(TOKEN), false);
  });

  it('an SSO page in place of both the write and the read back: one ERROR, the input stays unmasked', async () => {
    splunkd.failRoute('create', SSO_PAGE);
    splunkd.failRoute('read', SSO_PAGE);
    const r = await run();
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(splunkd.inputEdits, []);
    const errors = errorLines(r.stderr);
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0] as string, /^ERROR input=acme .*could not be confirmed.*text\/html.*left unmasked/);
  });

  it('a read back that holds another secret than the one written: one ERROR, the input stays unmasked', async () => {
    splunkd.failRoute('read', {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ entry: [{ content: { clear_password: JSON.stringify({ token: 'someone-elses-token' }) } }] }),
    });
    const r = await run();
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(splunkd.inputEdits, []);
    assert.match(errorLines(r.stderr)[0] ?? '', /^ERROR input=acme .*could not be confirmed.*holds other secrets than the ones written.*left unmasked/);
  });

  it('an endless body from splunkd does not keep the run alive: one ERROR, the input stays unmasked', async () => {
    splunkd.failRoute('create', 'endless');
    const r = await run();
    assert.equal(r.hung, false, `the run went on for ${HUNG_MS / 1000} s`);
    assert.equal(r.code, 1, r.stderr);
    const errors = errorLines(r.stderr);
    assert.equal(errors.length, 1, r.stderr);
    assert.match(
      errors[0] as string,
      /^ERROR input=acme splunkd's answer while creating the entry in storage\/passwords is larger than 1 MB.*code=splunkd_bad_answer/,
    );
    assert.deepEqual(splunkd.inputEdits, []);
  });

  it('a confirmed store still masks the input and collects', async () => {
    const r = await run();
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(splunkd.calls, ['create', 'read', 'edit'], 'written, read back, then masked');
    assert.equal(splunkd.inputEdits.length, 1);
    assert.equal(parseEventStream(r.stdout).length, 4);
  });
});
