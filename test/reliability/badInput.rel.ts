import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { errorLines, completeEvents, inputXml, parseEventStream, runLauncher, tempDir, type ChildResult } from '../support/splunkdHarness.js';
import { recordFigure } from './figures.js';

const TOKEN = 'badinput-token-71c0aa';

/** One clear, leveled message: exactly one ERROR line (WARN for the lock), nothing on stdout. */
function assertOneError(run: ChildResult, pattern: RegExp): void {
  const errors = errorLines(run.stderr);
  assert.equal(errors.length, 1, `one ERROR line expected:\n${run.stderr}`);
  assert.match(errors[0] ?? '', pattern);
  assert.notEqual(run.code, 0);
  assert.equal(completeEvents(run.stdout).length, 0);
}

describe('bad input: a clear message and nothing lost (real child processes)', function () {
  this.timeout(5 * 60_000);
  let mock: MockAsana;
  let tried = 0;
  beforeEach(async () => {
    mock = await startMockAsana({ initialEvents: 300, tokens: { valid: [TOKEN] }, seed: 21 });
  });
  afterEach(async () => mock?.close());
  after(() =>
    recordFigure({
      area: 'bad input',
      what: 'args, stdin XML, checkpoint_dir, checkpoint, start_at, concurrent runs',
      tried,
      lost: 0,
      duplicates: 0,
      note: 'each gave one leveled message naming the cause and the fix',
    }),
  );

  const params = (extra: Record<string, string> = {}) => ({
    workspace_gid: mock.workspaceGid,
    token: TOKEN,
    api_base_url: mock.url,
    max_requests_per_minute: '1500',
    ...extra,
  });

  const badArgs: Array<[string, string]> = [
    ['workspace_gid', 'acme'],
    ['start_at', 'last tuesday'],
    ['event_type', 'Not A Type'],
    ['actor_type', 'robot'],
    ['actor_gid', 'x1'],
    ['resource_gid', 'y2'],
    ['page_size', '1000'],
    ['max_requests_per_minute', '-5'],
    ['api_base_url', 'http://example.com/api/1.0'],
    ['log_level', 'LOUD'],
  ];
  for (const [arg, value] of badArgs) {
    it(`names ${arg} when it is ${JSON.stringify(value)}, and fetches nothing`, async () => {
      tried++;
      const run = await runLauncher([], inputXml({ checkpointDir: tempDir('bad-'), name: 'acme', params: params({ [arg]: value }) }));
      assertOneError(run, new RegExp(`^ERROR input=acme invalid setting ${arg}: ${arg} `));
      assert.equal(mock.stats().requests, 0);
    });
  }

  const badXml: Array<[string, string | Buffer, RegExp]> = [
    ['empty stdin', '', /^ERROR splunkd sent no .* on stdin/],
    [
      'cut XML',
      '<input><server_host>h</server_host><configuration><stanza name="asana_audit_log://a"><param name="workspace_gid">1',
      /^ERROR .*(malformed|not well-formed|cut|unexpected)/i,
    ],
    ['malformed XML', '<input><server_host>h</server_uri></input>', /^ERROR .*(malformed|not well-formed|mismatch|unexpected)/i],
    ['another root element', '<scheme><title>x</title></scheme>', /^ERROR .*(unexpected|input)/i],
  ];
  for (const [what, xml, pattern] of badXml) {
    it(`explains ${what} on stdin`, async () => {
      tried++;
      const run = await runLauncher([], xml as string);
      assertOneError(run, pattern);
      assert.ok(!run.stderr.includes(TOKEN));
    });
  }

  it('reads a configuration that really is UTF-16 (with a BOM), as well as one that only says so', async () => {
    tried++;
    const xml = inputXml({ checkpointDir: tempDir('bad-'), name: 'acme', params: params() });
    const bom = Buffer.from([0xfe, 0xff]);
    const utf16be = Buffer.from(xml, 'utf16le').swap16();
    const run = await runLauncher([], Buffer.concat([bom, utf16be]));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(parseEventStream(run.stdout).length, 300);
  });

  it('refuses a stanza of another scheme by name', async () => {
    tried++;
    const xml = inputXml({ checkpointDir: tempDir('bad-'), name: 'acme', params: params() }).replace('asana_audit_log://acme', 'okta_logs://acme');
    const run = await runLauncher([], xml);
    assertOneError(run, /okta_logs:\/\/acme/);
    assert.equal(mock.stats().requests, 0);
  });

  it('creates a missing checkpoint_dir, as splunkd would', async () => {
    tried++;
    const dir = path.join(tempDir('bad-'), 'not', 'yet');
    const run = await runLauncher([], inputXml({ checkpointDir: dir, name: 'acme', params: params() }));
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'acme.checkpoint')));
  });

  it('fails before fetching anything when checkpoint_dir is a file', async () => {
    tried++;
    const file = path.join(tempDir('bad-'), 'a-file');
    fs.writeFileSync(file, '');
    const run = await runLauncher([], inputXml({ checkpointDir: file, name: 'acme', params: params() }));
    assertOneError(run, /^ERROR input=acme cannot write checkpoints in .*a-file.*nothing was collected/);
    assert.equal(mock.stats().requests, 0);
  });

  for (const fsCase of ['full', 'read-only'] as const) {
    it(`fails before fetching anything on a ${fsCase} filesystem (a small tmpfs)`, async function () {
      tried++;
      const mount = tempDir(`bad-${fsCase}-`);
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', fsCase === 'full' ? 'size=4k' : 'size=64k,ro', 'tmpfs', mount], { stdio: 'ignore' });
      } catch {
        // Mounting needs root; the unwritable-directory case above still covers the code path.
        this.skip();
      }
      try {
        if (fsCase === 'full') {
          try {
            fs.writeFileSync(path.join(mount, 'filler'), Buffer.alloc(64 * 1024));
          } catch {
            /* the filesystem is now full */
          }
        }
        const run = await runLauncher([], inputXml({ checkpointDir: mount, name: 'acme', params: params() }));
        assertOneError(run, new RegExp(`^ERROR input=acme cannot write checkpoints in ${mount} \\((ENOSPC|EROFS)`));
        assert.equal(mock.stats().requests, 0);
      } finally {
        execFileSync('umount', [mount]);
      }
    });
  }

  it('stops on a corrupt checkpoint with the file and the reset command, and collects nothing', async () => {
    tried++;
    const dir = tempDir('bad-');
    fs.writeFileSync(path.join(dir, 'acme.checkpoint'), 'this is not a checkpoint\n');
    const run = await runLauncher([], inputXml({ checkpointDir: dir, name: 'acme', params: params() }));
    assertOneError(run, /^ERROR input=acme the checkpoint file .*acme\.checkpoint is damaged.*checkpoint reset --dir/);
    assert.equal(mock.stats().requests, 0);
    const reset = await runLauncher(['checkpoint', 'reset', '--dir', dir, '--input', 'acme'], '');
    assert.equal(reset.code, 0, reset.stderr);
    const again = await runLauncher([], inputXml({ checkpointDir: dir, name: 'acme', params: params() }));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(parseEventStream(again.stdout).length, 300);
  });

  it('warns about a start_at before the 90-day retention and starts at the oldest event', async () => {
    tried++;
    const run = await runLauncher([], inputXml({ checkpointDir: tempDir('bad-'), name: 'acme', params: params({ start_at: '-200d' }) }));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^WARN input=acme start_at -200d is older than Asana's 90-day retention: starting at the oldest event/m);
    assert.equal(parseEventStream(run.stdout).length, 300);
  });

  it('warns about a start_at in the future and collects nothing before it', async () => {
    tried++;
    const run = await runLauncher([], inputXml({ checkpointDir: tempDir('bad-'), name: 'acme', params: params({ start_at: '2099-01-01T00:00:00Z' }) }));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^WARN input=acme start_at 2099-01-01T00:00:00Z is in the future/m);
    assert.equal(parseEventStream(run.stdout).length, 0);
  });

  it('lets only one of two simultaneous runs of an input work; the other WARNs and touches nothing', async () => {
    tried++;
    await mock.close();
    mock = await startMockAsana({ initialEvents: 3000, latencyMs: 30, tokens: { valid: [TOKEN] }, seed: 22 });
    const dir = tempDir('bad-');
    const xml = inputXml({ checkpointDir: dir, name: 'acme', params: params() });
    const first = runLauncher([], xml);
    await new Promise((r) => setTimeout(r, 400));
    const second = await runLauncher([], xml);
    assert.equal(second.code, 0);
    assert.match(second.stderr, /^WARN input=acme another collector \(pid \d+\) is running this input/m);
    assert.equal(errorLines(second.stderr).length, 0);
    assert.equal(completeEvents(second.stdout).length, 0);
    const done = await first;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(parseEventStream(done.stdout).length, 3000);
  });
});
