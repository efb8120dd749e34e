import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startMockSplunkd, type MockSplunkd } from '../../src/mock/splunkd.js';
import { errorLines, inputXml, parseEventStream, runLauncher, tempDir, type ChildResult } from '../support/splunkdHarness.js';

const TOKEN = 'hostile-names-token-2c4e6a8b0d';
const SESSION_KEY = 'hostile-names-session-7f9b1d3e';

describe('hostile input: input names (e2e, through the launcher)', function () {
  this.timeout(60_000);
  let asana: MockAsana;
  let splunkd: MockSplunkd;
  let dir: string;

  beforeEach(async () => {
    asana = await startMockAsana({ tokens: { valid: [TOKEN] } });
    asana.generateEvents(4);
    splunkd = await startMockSplunkd({ sessionKey: SESSION_KEY });
    dir = tempDir('hostile-names-');
  });
  afterEach(async () => {
    await asana.close();
    await splunkd.close();
  });

  const run = (name: string): Promise<ChildResult> =>
    runLauncher(
      [],
      inputXml({
        checkpointDir: dir,
        name,
        params: { workspace_gid: asana.workspaceGid, token: TOKEN, api_base_url: asana.url },
        serverUri: splunkd.uri,
        sessionKey: SESSION_KEY,
      }),
    );

  for (const name of ['.', '..']) {
    it(`an input named "${name}" is refused with one ERROR before any secret is stored or a REST path is written`, async () => {
      const r = await run(name);
      assert.equal(r.code, 1, r.stderr);
      const errors = errorLines(r.stderr);
      assert.equal(errors.length, 1, r.stderr);
      assert.match(errors[0] as string, new RegExp(`^ERROR the input name "${name.replace(/\./g, '\\.')}" cannot be used: .*rename the input`));
      assert.deepEqual(splunkd.calls, [], 'splunkd was not asked to store or edit anything');
      assert.equal(asana.stats().requests, 0);
    });
  }

  it('an input named "..." is fine: the mask edit reaches exactly that input', async () => {
    const r = await run('...');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      splunkd.inputEdits.map((e) => e.name),
      ['...'],
    );
  });

  it('"team/a" and "team_a-65f838a2fbff" keep separate checkpoints: each collects every event', async () => {
    const first = await run('team/a');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(parseEventStream(first.stdout).length, 4);
    const second = await run('team_a-65f838a2fbff');
    assert.equal(second.code, 0, second.stderr);
    assert.equal(parseEventStream(second.stdout).length, 4, "the second input collected nothing: it shared the first one's checkpoint");
    assert.ok(fs.existsSync(path.join(dir, 'team_a-65f838a2fbff.checkpoint')), 'a plain name keeps its file where it always was');
  });

  it('a checkpoint an earlier version wrote for "team/a" (team_a-65f838a2fbff.checkpoint) is adopted on upgrade: nothing collected twice', async () => {
    const first = await run('team/a');
    assert.equal(first.code, 0, first.stderr);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.checkpoint'));
    assert.equal(files.length, 1);
    // Put it where version 0.1.0 kept it.
    fs.renameSync(path.join(dir, files[0] as string), path.join(dir, 'team_a-65f838a2fbff.checkpoint'));
    asana.generateEvents(2);
    const next = await run('team/a');
    assert.equal(next.code, 0, next.stderr);
    assert.equal(parseEventStream(next.stdout).length, 2, next.stderr);
    assert.match(next.stderr, /^INFO input=team\/a moved the checkpoint .*team_a-65f838a2fbff\.checkpoint.* to .*, where this version keeps it/m);
    assert.equal(fs.existsSync(path.join(dir, 'team_a-65f838a2fbff.checkpoint')), false);
  });
});
