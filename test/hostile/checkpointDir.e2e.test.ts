import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CheckpointLock } from '../../src/collector/checkpointLock.js';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { inputXml, parseEventStream, runLauncherOrKill, tempDir, type ChildResult } from '../support/splunkdHarness.js';

const TOKEN = 'hostile-token-1c3e5a7b9d';
/** A run that blocks is killed after this long and reported as hung. */
const HUNG_MS = 15_000;

/** /proc/<pid>/stat field 22 of a running process. */
function startTicks(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

describe('hostile input: a hostile checkpoint directory (e2e, through the launcher)', function () {
  this.timeout(60_000);
  let mock: MockAsana;
  let dir: string;

  beforeEach(async () => {
    mock = await startMockAsana({ tokens: { valid: [TOKEN] } });
    mock.generateEvents(5);
    dir = tempDir('hostile-ckpt-');
  });
  afterEach(async () => {
    await mock.close();
  });

  const run = (): Promise<ChildResult & { hung: boolean }> => {
    const xml = inputXml({ checkpointDir: dir, name: 'acme', params: { workspace_gid: mock.workspaceGid, token: TOKEN, api_base_url: mock.url } });
    return runLauncherOrKill([], xml, HUNG_MS);
  };

  it('a lock naming pid 1 (alive, but not the process that wrote it) does not block the input: it is taken over', async function () {
    if (!fs.existsSync('/proc/self/stat')) this.skip();
    // What a collector on this host writes, with pid 1 and a start time pid 1 never had: a pid reused after SIGKILL or reboot.
    const first = await run();
    assert.equal(first.code, 0, first.stderr);
    mock.generateEvents(3);
    // This host's and boot's fields, read from a lock this version writes here.
    const probe = new CheckpointLock(path.join(dir, 'probe.lock'));
    probe.acquire();
    const [, , boot, hostField] = fs.readFileSync(path.join(dir, 'probe.lock'), 'utf8').split(' ');
    probe.release();
    fs.writeFileSync(path.join(dir, 'acme.checkpoint.lock'), `1 ${Number(startTicks(1)) + 777} ${boot} ${hostField} 0badc0de\n`);
    const second = await run();
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /another collector/);
    assert.match(second.stderr, /^INFO input=acme took over the lock .*pid 1 is now another process/m);
    assert.equal(parseEventStream(second.stdout).length, 3);
    assert.equal(fs.existsSync(path.join(dir, 'acme.checkpoint.lock')), false, 'the lock is released at the end');
  });

  it('a symlink planted at <name>.checkpoint.tmp is not written through', async () => {
    const victim = path.join(tempDir('hostile-victim-'), 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    fs.symlinkSync(victim, path.join(dir, 'acme.checkpoint.tmp'));
    const r = await run();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseEventStream(r.stdout).length, 5);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
  });

  for (const name of ['acme.checkpoint', 'acme.checkpoint.lock', 'acme.checkpoint.tmp']) {
    it(`a FIFO at ${name} does not block the run${name.endsWith('.tmp') ? '' : ': one ERROR names it and nothing is fetched'}`, async () => {
      execFileSync('mkfifo', [path.join(dir, name)]);
      const r = await run();
      assert.equal(r.hung, false, `the run blocked for ${HUNG_MS / 1000} s on the FIFO`);
      if (name.endsWith('.tmp')) {
        // A temp file is never opened by a fixed name: the FIFO is simply not used.
        assert.equal(r.code, 0, r.stderr);
        assert.equal(parseEventStream(r.stdout).length, 5);
        return;
      }
      assert.match(r.stderr, new RegExp(`^ERROR input=acme .*${name.replace(/\./g, '\\.')} is a FIFO \\(named pipe\\), not a regular file: remove it`, 'm'));
      assert.equal(mock.stats().requests, 0, 'nothing fetched');
      assert.equal(parseEventStream(r.stdout).length, 0);
    });
  }
});
