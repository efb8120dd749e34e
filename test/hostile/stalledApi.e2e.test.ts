import assert from 'node:assert/strict';
import { startMockAsana, type MockAsana, type StallMode } from '../../src/mock/server.js';
import { errorLines, inputXml, parseEventStream, runLauncherOrKill, tempDir, type ChildResult } from '../support/splunkdHarness.js';

const TOKEN = 'hostile-stall-token-8a0c2e4f6b';
/** A run that does not end is killed after this long and reported as hung. */
const HUNG_MS = 15_000;

describe('hostile input: an API that never moves on (e2e, through the launcher)', function () {
  this.timeout(60_000);
  let asana: MockAsana;
  let dir: string;

  beforeEach(async () => {
    asana = await startMockAsana({ tokens: { valid: [TOKEN] } });
    asana.generateEvents(5);
    dir = tempDir('hostile-stall-');
  });
  afterEach(() => asana.close());

  const run = (): Promise<ChildResult & { hung: boolean }> => {
    const xml = inputXml({
      checkpointDir: dir,
      name: 'acme',
      params: { workspace_gid: asana.workspaceGid, token: TOKEN, api_base_url: asana.url, max_requests_per_minute: '1500' },
    });
    return runLauncherOrKill([], xml, HUNG_MS);
  };

  for (const mode of ['same_offset', 'fresh_offsets'] as StallMode[]) {
    it(`${mode === 'same_offset' ? 'the same offset back' : 'a fresh offset'} on every page with nothing new: one ERROR after a few pages, checkpoint intact`, async () => {
      asana.stallPaging(mode);
      const r = await run();
      assert.equal(r.hung, false, `the run went on for ${HUNG_MS / 1000} s (${asana.stats().requests} requests)`);
      assert.equal(r.code, 1, r.stderr);
      const errors = errorLines(r.stderr);
      assert.equal(errors.length, 1, r.stderr);
      assert.match(errors[0] as string, /^ERROR input=acme Asana answered \d+ pages in a row with no new event.*not moving on.*code=no_progress/);
      assert.ok(asana.stats().requests <= 20, `${asana.stats().requests} requests`);
      const first = parseEventStream(r.stdout).map((e) => e.data.gid);
      assert.equal(first.length, 5, 'the events before the stall were delivered');

      // The checkpoint still holds them: with normal paging again, only new events come.
      asana.stallPaging(undefined);
      asana.generateEvents(3);
      const next = await run();
      assert.equal(next.code, 0, next.stderr);
      const second = parseEventStream(next.stdout).map((e) => e.data.gid);
      assert.equal(second.length, 3, next.stderr);
      assert.equal(second.filter((g) => first.includes(g)).length, 0, 'nothing delivered twice');
    });
  }
});
