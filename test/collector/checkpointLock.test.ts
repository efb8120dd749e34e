import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointLock, decodeHolder, encodeHolder, type HostFacts, judgeLock, LOCK_LEASE_MS, processStart } from '../../src/collector/checkpointLock.js';
import { CheckpointLockedError, CheckpointStore } from '../../src/collector/checkpointStore.js';
import { silentLogger } from '../../src/logging/logger.js';

const T = Date.parse('2026-03-01T00:00:00Z');
const facts = (over: Partial<HostFacts> = {}): HostFacts => ({ host: 'h1', boot: 'b1', startOf: () => undefined, now: () => T, ...over });
const holder = (over: Partial<Parameters<typeof encodeHolder>[0]> = {}) =>
  decodeHolder(encodeHolder({ pid: 4242, start: '777', boot: 'b1', host: 'h1', nonce: 'n', ...over }));

describe("the checkpoint lock's takeover rules", () => {
  it('holds while that exact process (pid and start time) runs on this host and boot', () => {
    assert.equal(judgeLock(holder(), T, facts({ startOf: (pid) => (pid === 4242 ? '777' : undefined) })).held, true);
  });

  it('is taken over at once when the pid runs but is another process (pid reuse), however fresh the heartbeat', () => {
    const v = judgeLock(holder(), T, facts({ startOf: () => '9999' }));
    assert.deepEqual(v, { held: false, why: 'pid 4242 is now another process' });
  });

  it('is taken over at once when the pid no longer runs, or the host rebooted since', () => {
    assert.equal(judgeLock(holder(), T, facts()).held, false);
    assert.equal(judgeLock(holder({ boot: 'b0' }), T, facts({ startOf: () => '777' })).held, false);
  });

  it('from another host, is held until the heartbeat is older than the lease, whatever runs here', () => {
    const other = holder({ host: 'h2' });
    assert.equal(judgeLock(other, T - LOCK_LEASE_MS + 1000, facts()).held, true);
    assert.equal(judgeLock(other, T - LOCK_LEASE_MS - 1000, facts({ startOf: () => '777' })).held, false);
  });

  it("reads an older version's pid-only lock: a dead pid is stale, a live one holds until the lease runs out", () => {
    assert.equal(judgeLock(decodeHolder('4242'), T, facts()).held, false);
    assert.equal(judgeLock(decodeHolder('4242'), T, facts({ startOf: () => '' })).held, true);
    assert.equal(judgeLock(decodeHolder('4242'), T - LOCK_LEASE_MS - 1, facts({ startOf: () => '' })).held, false);
  });

  it('writes the pid first, so an older version reading the lock still finds it', () => {
    assert.equal(Number.parseInt(encodeHolder({ pid: 31, start: '5', boot: 'b', host: 'h h', nonce: 'x' }), 10), 31);
    assert.equal(decodeHolder(encodeHolder({ pid: 31, start: '5', boot: 'b', host: 'h h/1', nonce: 'x' })).host, 'h h/1');
  });

  it("reads a process's start time from /proc, and nothing for a pid that does not run", function () {
    if (!fs.existsSync('/proc/self/stat')) this.skip();
    const mine = processStart(process.pid);
    assert.match(mine ?? '', /^\d+$/);
    assert.equal(processStart(process.ppid) !== undefined, true);
    assert.equal(processStart(2 ** 22 + 7), undefined);
  });

  it('a takeover claim left by a collector killed mid-takeover does not turn the next one away', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-claim-'));
    const file = path.join(dir, 'a.lock');
    // A stale lock (its pid no longer runs) and the claim a collector made on it just before it was killed.
    const stale = encodeHolder({ pid: 4242, start: '777', boot: 'b1', host: 'h1', nonce: 'n' });
    fs.writeFileSync(file, stale);
    const claim = `${file}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
    fs.writeFileSync(claim, encodeHolder({ pid: 5151, start: '888', boot: 'b1', host: 'h1', nonce: 'c' }));
    const taken: string[] = [];
    const lock = new CheckpointLock(file, facts({ startOf: (pid) => (pid === process.pid ? '1' : undefined) }), (why) => taken.push(why));
    lock.acquire();
    assert.equal(decodeHolder(fs.readFileSync(file, 'utf8')).pid, process.pid);
    assert.deepEqual(taken, ['pid 4242 no longer runs']);
    lock.release();
    assert.deepEqual(fs.readdirSync(dir), [], 'neither the claim nor anything else is left');
  });

  it('a claim left behind after its stale lock was already moved aside is cleared by the next holder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-claim-orphan-'));
    const file = path.join(dir, 'a.lock');
    const orphan = `${file}.takeover-0123456789abcdef`;
    fs.writeFileSync(orphan, encodeHolder({ pid: 5151, start: '888', boot: 'b1', host: 'h1', nonce: 'c' }));
    const live = `${file}.takeover-fedcba9876543210`;
    fs.writeFileSync(live, encodeHolder({ pid: 6161, start: '999', boot: 'b1', host: 'h1', nonce: 'd' }));
    const lock = new CheckpointLock(file, facts({ startOf: (pid) => (pid === process.pid ? '1' : pid === 6161 ? '999' : undefined) }));
    lock.acquire();
    lock.release();
    assert.deepEqual(fs.readdirSync(dir), [path.basename(live)], 'only the claim of a collector that still runs is kept');
  });

  it('a claim whose collector still runs is respected, and one from an older version is judged by its pid', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-claim-live-'));
    const file = path.join(dir, 'a.lock');
    const stale = encodeHolder({ pid: 4242, start: '777', boot: 'b1', host: 'h1', nonce: 'n' });
    fs.writeFileSync(file, stale);
    const claim = `${file}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
    fs.writeFileSync(claim, encodeHolder({ pid: 5151, start: '888', boot: 'b1', host: 'h1', nonce: 'c' }));
    const alive = facts({ startOf: (pid) => (pid === 5151 ? '888' : pid === process.pid ? '1' : undefined) });
    assert.throws(() => new CheckpointLock(file, alive).acquire(), /taking over a stale lock at this moment/);
    fs.writeFileSync(claim, '5151');
    const lock = new CheckpointLock(file, facts({ startOf: (pid) => (pid === process.pid ? '1' : undefined) }));
    lock.acquire();
    lock.release();
  });

  it('refreshes its heartbeat only on its own lock, and removes only its own lock', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-beat-'));
    const file = path.join(dir, 'a.lock');
    let now = T;
    const lock = new CheckpointLock(file, { host: 'h1', boot: 'b1', startOf: () => '1', now: () => now });
    lock.acquire();
    const old = new Date(T - 3_600_000);
    fs.utimesSync(file, old, old);
    now = T + 5_000;
    lock.beat();
    assert.equal(fs.statSync(file).mtimeMs, T + 5_000);
    fs.writeFileSync(file, 'someone else');
    lock.release();
    assert.equal(fs.readFileSync(file, 'utf8'), 'someone else');
  });
});

describe('the checkpoint lock under real processes', function () {
  this.timeout(120_000);

  it('a lock naming a live but unrelated process (pid 1) with another start time is taken over', function () {
    if (!fs.existsSync('/proc/self/stat')) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-pid1-'));
    const store = new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger });
    // This host's and boot's fields, as a lock written here carries them.
    store.lock();
    const [, , boot, host] = fs.readFileSync(store.lockFile, 'utf8').split(' ');
    store.unlock();
    // pid 1 runs, but the lock says it started at another time: the pid was reused after a reboot or a kill.
    fs.writeFileSync(store.lockFile, `1 ${Number(processStart(1)) + 12345} ${boot} ${host} n\n`);
    store.lock();
    assert.equal(fs.readFileSync(store.lockFile, 'utf8').split(' ')[0], String(process.pid));
    store.unlock();
  });

  it('a lock held by a live collector on this host turns the second away', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-live-'));
    const a = new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger });
    const b = new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger });
    a.lock();
    assert.throws(
      () => b.lock(),
      (e: unknown) => e instanceof CheckpointLockedError && /another collector \(pid \d+\)/.test(e.message),
    );
    a.unlock();
    b.lock();
    b.unlock();
  });
});
