import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { inputXml, parseEventStream, runLauncher, tempDir } from '../support/splunkdHarness.js';

/** A token with characters that JSON and URLs escape: `"`, `\`, `/` and `+`. */
const TOKEN = 'hostile"redact\\tok/en+5b7d9f1a3c';
/** Every form an error body could echo the token in. */
const FORMS = {
  raw: TOKEN,
  'JSON-escaped': JSON.stringify(TOKEN).slice(1, -1),
  'JSON-escaped with \\/': JSON.stringify(TOKEN).slice(1, -1).replace(/\//g, '\\/'),
  'URL-encoded': encodeURIComponent(TOKEN),
  'URL-encoded, lower-case hex': encodeURIComponent(TOKEN).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  'form-encoded': new URLSearchParams({ t: TOKEN }).toString().slice(2),
  'JSON with punctuation as \\u00XX': TOKEN.replace(/[^A-Za-z0-9]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
  'JSON with every character as \\u00XX, upper-case hex': TOKEN.replace(/./g, (c) => `\\u00${c.charCodeAt(0).toString(16).toUpperCase()}`),
  base64: Buffer.from(TOKEN).toString('base64'),
  'base64url, unpadded': Buffer.from(TOKEN).toString('base64url'),
};

/**
 * Pieces of the token that betray it in forms no list above names: the token's tail survives any
 * number of JSON escapings (a form escaped again when a log line quotes it), and the start of the
 * \\u form survives when a message is cut to length in the middle of the token.
 */
const FRAGMENTS = {
  "the token's tail": /5b7d9f1a3c/i,
  'the start of the \\u-escaped token': /\\+u0068\\+u006f\\+u0073\\+u0074/i,
};

/** An error body whose message quotes the request back, the token in every form. */
function echoBody(): string {
  const message = `invalid request ${Object.entries(FORMS)
    .map(([k, v]) => `${k}=[${v}]`)
    .join(' ')}`;
  const body = JSON.stringify({ errors: [{ message, help: `curl -H "Authorization: Bearer ${JSON.stringify(TOKEN).slice(1, -1)}"` }] });
  // And on the wire: a serializer that writes punctuation as \u00XX, which a JSON parser turns back into the raw token.
  return body.replace(/}]}$/, `,"phrase":"${FORMS['JSON with punctuation as \\u00XX']}"}]}`);
}

describe('hostile input: an error body that echoes the token back escaped (e2e, through the launcher)', function () {
  this.timeout(60_000);
  let asana: MockAsana;
  let logFile: string;

  beforeEach(async () => {
    asana = await startMockAsana({ tokens: { valid: [TOKEN] } });
    asana.generateEvents(2);
    logFile = path.join(tempDir('hostile-redact-log-'), 'ta_asana_audit_log.log');
  });
  afterEach(() => asana.close());

  const run = () =>
    runLauncher(
      [],
      inputXml({
        checkpointDir: tempDir('hostile-redact-'),
        name: 'acme',
        params: { workspace_gid: asana.workspaceGid, token: TOKEN, api_base_url: asana.url, log_level: 'DEBUG' },
      }),
      {
        env: { ...process.env, ASANA_AUDIT_LOG_FILE: logFile },
      },
    );
  const leaks = (where: Record<string, string>): string[] =>
    Object.entries(where).flatMap(([w, text]) => [
      ...Object.entries(FORMS)
        .filter(([, form]) => text.includes(form))
        .map(([name]) => `${w} holds the ${name} token`),
      ...Object.entries(FRAGMENTS)
        .filter(([, fragment]) => fragment.test(text))
        .map(([name]) => `${w} holds ${name}`),
    ]);

  it('a retried 500 that echoes it: the WARN line and the log file hold no form of the token', async () => {
    asana.scriptFaults([{ kind: 'status', status: 500, body: echoBody(), contentType: 'application/json' }]);
    const r = await run();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^WARN input=acme Asana request failed: retrying/m);
    assert.equal(parseEventStream(r.stdout).length, 2);
    assert.deepEqual(leaks({ stderr: r.stderr, stdout: r.stdout, 'log file': fs.readFileSync(logFile, 'utf8') }), []);
  });

  it('a fatal 400 that echoes it: the ERROR line and the log file hold no form of the token', async () => {
    asana.scriptFaults([{ kind: 'status', status: 400, body: echoBody(), contentType: 'application/json' }]);
    const r = await run();
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^ERROR input=acme Asana rejected a request parameter \(400\)/m);
    assert.deepEqual(leaks({ stderr: r.stderr, stdout: r.stdout, 'log file': fs.readFileSync(logFile, 'utf8') }), []);
  });
});
