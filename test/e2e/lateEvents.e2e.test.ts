import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { runCli } from '../support/cli.js';
import { inputXml, parseEventStream, runLauncher, tempDir } from '../support/splunkdHarness.js';

const TOKEN = 'late-e2e-token-4c2b9e';

describe('late_event_minutes at the edges (launcher and CLI)', function () {
  this.timeout(60_000);
  let mock: MockAsana;
  afterEach(async () => mock?.close());

  const xmlFor = (checkpointDir: string, extra: Record<string, string>) =>
    inputXml({ checkpointDir, name: 'acme', params: { workspace_gid: mock.workspaceGid, token: TOKEN, api_base_url: mock.url, start_at: '-2h', ...extra } });

  it('refuses late_event_minutes=1441 by name in inputs.conf and fetches nothing', async () => {
    mock = await startMockAsana({ tokens: { valid: [TOKEN] } });
    const run = await runLauncher([], xmlFor(tempDir('late-e2e-'), { late_event_minutes: '1441' }));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^ERROR input=acme invalid setting late_event_minutes: late_event_minutes must be a whole number from 0 to 1440/m);
    assert.equal(mock.stats().requests, 0);
  });

  it("refuses --late-event-minutes 1441 by the flag's name", async () => {
    mock = await startMockAsana({ tokens: { valid: [TOKEN] } });
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await main(['node', 'asana-audit-log', 'poll', '--workspace', mock.workspaceGid, '--base-url', mock.url, '--late-event-minutes', '1441'], {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
      env: { ASANA_TOKEN: TOKEN },
    });
    assert.equal(code, 2);
    assert.match(err, /--late-event-minutes must be a whole number from 0 to 1440/);
    assert.equal(mock.stats().requests, 0);
  });

  it('reads the deprecated backfill_settle_minutes as late_event_minutes with one WARN, in setting names for splunkd and flag names on the command line', async () => {
    mock = await startMockAsana({ tokens: { valid: [TOKEN] } });
    const run = await runLauncher([], xmlFor(tempDir('late-e2e-'), { backfill_settle_minutes: '30' }));
    assert.equal(run.code, 0, run.stderr);
    const warns = run.stderr.split('\n').filter((l) => /deprecated/.test(l));
    assert.deepEqual(warns.length, 1, run.stderr);
    assert.match(
      warns[0] ?? '',
      /^WARN input=acme backfill_settle_minutes is deprecated: it is read as late_event_minutes \(30 minutes\); set late_event_minutes instead and remove backfill_settle_minutes/,
    );
    const cli = await runCli(
      [
        'poll',
        '--workspace',
        mock.workspaceGid,
        '--base-url',
        mock.url,
        '--checkpoint',
        `${tempDir('late-e2e-')}/acme.checkpoint`,
        '--backfill-settle-minutes',
        '30',
      ],
      {
        env: { ASANA_TOKEN: TOKEN },
      },
    );
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(
      cli.stderr,
      /^WARN .*--backfill-settle-minutes is deprecated: it is read as --late-event-minutes \(30 minutes\); set --late-event-minutes instead and remove --backfill-settle-minutes/m,
    );
    assert.doesNotMatch(cli.stderr, /backfill_settle_minutes|late_event_minutes/);
  });

  it("with late_event_minutes=0 sends only the live stream's requests; with the default it emits nothing twice", async () => {
    mock = await startMockAsana({ tokens: { valid: [TOKEN] } });
    const now = Date.now();
    // 250 events over the last 90 minutes.
    mock.addEvents(
      Array.from({ length: 250 }, (_, i) => ({ gid: String(1_280_000_000_000_000 + i), created_at: new Date(now - 90 * 60_000 + i * 21_600).toISOString() })),
    );
    const counts: Record<string, { requests: number; withEndAt: number; events: number; late: string }> = {};
    for (const late of ['0', '60']) {
      const dir = tempDir('late-e2e-');
      const before = mock.stats().requests;
      const logBefore = mock.requestLog().length;
      const first = await runLauncher([], xmlFor(dir, { late_event_minutes: late, backfill_concurrency: '1' }));
      assert.equal(first.code, 0, first.stderr);
      const second = await runLauncher([], xmlFor(dir, { late_event_minutes: late, backfill_concurrency: '1' }));
      assert.equal(second.code, 0, second.stderr);
      const log = mock.requestLog().slice(logBefore);
      counts[late] = {
        requests: mock.stats().requests - before,
        withEndAt: log.filter((r) => r.query.end_at !== undefined).length,
        events: parseEventStream(first.stdout).length + parseEventStream(second.stdout).length,
        late: /late_events=(\d+)/.exec(second.stderr)?.[1] ?? '?',
      };
    }
    // Off: 3 pages and the empty one, then one request for the caught-up second run.
    assert.deepEqual(counts['0'], { requests: 5, withEndAt: 0, events: 250, late: '0' });
    assert.equal(counts['60']?.events, 250, 'the re-read emits nothing twice');
    assert.equal(counts['60']?.late, '0');
  });
});
