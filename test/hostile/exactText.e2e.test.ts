import assert from 'node:assert/strict';
import path from 'node:path';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startMockHec, type MockHec } from '../../src/mock/hecServer.js';
import { EXACT_TEXTS } from '../support/exactTexts.js';
import { runCli } from '../support/cli.js';
import { inputXml, runLauncher, tempDir } from '../support/splunkdHarness.js';

const TOKEN = 'hostile-token-8d2e4f6a1b';
const HEC_TOKEN = '0b6e8a1c-3d5f-4a7b-9c1e-2f4a6b8c0d1e';

/** The command-line tool through the launcher, with the Asana and HEC tokens in its environment. */
const cliRun = (args: string[]) => runCli(args, { env: { ASANA_TOKEN: TOKEN, SPLUNK_HEC_TOKEN: HEC_TOKEN } });

describe('hostile input: events reach every sink as the exact text Asana sent (e2e, through the launcher)', function () {
  this.timeout(60_000);
  let mock: MockAsana | undefined;
  let hec: MockHec | undefined;

  beforeEach(async () => {
    mock = await startMockAsana({ tokens: { valid: [TOKEN] } });
    mock.addEventTexts(EXACT_TEXTS);
  });
  afterEach(async () => {
    await mock?.close();
    await hec?.close();
    mock = hec = undefined;
  });

  it("the modular input writes each event's text unchanged into <data>, the 10,000-deep one and its neighbours included", async () => {
    const xml = inputXml({
      checkpointDir: tempDir('exact-ckpt-'),
      name: 'exact',
      params: { workspace_gid: mock!.workspaceGid, token: TOKEN, api_base_url: mock!.url },
    });
    const run = await runLauncher([], xml);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /ERROR/);
    // The XML escapes of <data> are undone as an XML parser would; the text between must be the event's own.
    const data = [...run.stdout.matchAll(/<data>([\s\S]*?)<\/data>/g)].map((m) =>
      (m[1] as string).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#13;/g, '\r').replace(/&amp;/g, '&'),
    );
    assert.deepEqual(data, EXACT_TEXTS);
  });

  it("poll writes each event's text unchanged as one NDJSON line", async () => {
    const checkpoint = path.join(tempDir('exact-poll-'), 'exact.checkpoint');
    const run = await cliRun(['poll', '--workspace', mock!.workspaceGid, '--base-url', mock!.url, '--checkpoint', checkpoint]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.split('\n').slice(0, -1), EXACT_TEXTS);
  });

  it("poll --output hec sends each event's text unchanged as the envelope's event", async () => {
    hec = await startMockHec({ tokens: [{ token: HEC_TOKEN }] });
    const checkpoint = path.join(tempDir('exact-hec-'), 'exact.checkpoint');
    const run = await cliRun([
      'poll',
      '--workspace',
      mock!.workspaceGid,
      '--base-url',
      mock!.url,
      '--checkpoint',
      checkpoint,
      '--output',
      'hec',
      '--hec-url',
      hec.url,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const body = hec.bodies().join('\n');
    for (const text of EXACT_TEXTS) assert.ok(body.includes(`"event":${text},`), `HEC body carries ${text.slice(0, 80)}`);
  });
});
