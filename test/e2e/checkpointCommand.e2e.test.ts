import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/splunkdHarness.js';

const TOKEN = 'checkpoint-e2e-token-41c7';

describe('checkpoint show|reset touch only checkpoint files (e2e, through the launcher)', function () {
  this.timeout(60_000);
  let asana: MockAsana;
  let dir: string;
  let checkpoint: string;
  let ndjson: string;

  before(async () => {
    asana = await startMockAsana({ initialEvents: 250, tokens: { valid: [TOKEN] } });
  });
  after(async () => {
    await asana.close();
  });
  beforeEach(async () => {
    dir = tempDir('checkpoint-cmd-');
    checkpoint = path.join(dir, 'acme.checkpoint');
    ndjson = path.join(dir, 'events.ndjson');
    const run = await runCli(['poll', '--workspace', asana.workspaceGid, '--base-url', asana.url, '--checkpoint', checkpoint], {
      env: { ASANA_TOKEN: TOKEN },
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    fs.writeFileSync(ndjson, run.stdout);
  });

  const notes = () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'remember the milk\nand the bread\n');
    return file;
  };

  for (const [what, make, says] of [
    ['an NDJSON output', () => ndjson, /is not a checkpoint file \(it looks like NDJSON\)/],
    ['a text file', notes, /is not a checkpoint file \(it looks like text\)/],
    ['a directory', () => dir, /is a directory, not a checkpoint file/],
  ] as const) {
    it(`reset refuses ${what}: exit 1, a message that says what it is, nothing deleted`, async () => {
      const file = make();
      const before = fs.readdirSync(dir).sort();
      const run = await runCli(['checkpoint', 'reset', '--file', file]);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0] ?? '', /^ERROR /);
      assert.match(lines[0] ?? '', says);
      assert.match(lines[0] ?? '', /nothing was deleted/);
      assert.doesNotMatch(run.stderr, /EISDIR/);
      assert.deepEqual(fs.readdirSync(dir).sort(), before, 'every file still there');
      assert.ok(fs.existsSync(file));
    });

    it(`show says ${what} is not a checkpoint file, without "damaged" or reset advice`, async () => {
      const run = await runCli(['checkpoint', 'show', '--file', make()]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, says);
      assert.doesNotMatch(run.stderr, /damaged|checkpoint reset|EISDIR/);
    });
  }

  it('reset deletes the checkpoint together with its temp file, its emitted-gid log and a lock left by a dead process', async () => {
    fs.copyFileSync(checkpoint, `${checkpoint}.tmp`);
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('close', r));
    fs.writeFileSync(`${checkpoint}.lock`, String(dead.pid));
    const run = await runCli(['checkpoint', 'reset', '--file', checkpoint]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^deleted .*acme\.checkpoint, .*acme\.checkpoint\.tmp and .*acme\.checkpoint\.emitted: the next run starts at --start-at \(start_at for a Splunk input\)$/m,
    );
    assert.deepEqual(fs.readdirSync(dir).sort(), ['events.ndjson']);
    const show = await runCli(['checkpoint', 'show', '--file', checkpoint]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^no checkpoint at .*acme\.checkpoint: the next run starts at --start-at \(start_at for a Splunk input\)$/m);
  });

  it('reset refuses while a live collector holds the lock, and deletes nothing', async () => {
    fs.writeFileSync(`${checkpoint}.lock`, String(process.pid));
    const run = await runCli(['checkpoint', 'reset', '--file', checkpoint]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`another collector \\(pid ${process.pid}\\)`));
    assert.ok(fs.existsSync(checkpoint));
  });

  it('show still calls a cut checkpoint damaged and gives the reset command, which then deletes it', async () => {
    const text = fs.readFileSync(checkpoint, 'utf8');
    fs.writeFileSync(checkpoint, text.slice(0, 40));
    const show = await runCli(['checkpoint', 'show', '--file', checkpoint]);
    assert.equal(show.code, 1);
    assert.match(show.stderr, /is damaged: .*no complete generation is left.*checkpoint reset --file/);
    const reset = await runCli(['checkpoint', 'reset', '--file', checkpoint]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.ok(!fs.existsSync(checkpoint));
  });

  it('poll refuses a --checkpoint that names an NDJSON file, leaving it as it is', async () => {
    const before = fs.readFileSync(ndjson);
    const run = await runCli(['poll', '--workspace', asana.workspaceGid, '--base-url', asana.url, '--checkpoint', ndjson], { env: { ASANA_TOKEN: TOKEN } });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^ERROR .*events\.ndjson is not a checkpoint file \(it looks like NDJSON\): it was left as it is and nothing was collected/m);
    assert.equal(run.stdout, '');
    assert.deepEqual(fs.readFileSync(ndjson), before);
  });
});
