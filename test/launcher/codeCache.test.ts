import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startMockAsana } from '../../src/mock/server.js';
import { codeCacheFile, decodeCodeCache, encodeCodeCache, runKind } from '../../src/runner/codeCache.js';
import { tempDir } from '../support/splunkdHarness.js';
import { runCli } from '../support/cli.js';

/** The program's own cache files in a compile-cache folder (Node keeps its own beside them). */
function cacheFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.v8cache'))
    .sort();
}

describe('the code cache of the bundle (src/runner/codeCache.ts), run through the launcher', () => {
  it('writes one cache per kind of run, which the next run of that kind reads instead of writing again', async () => {
    const dir = tempDir('code-cache-');
    const env = { NODE_COMPILE_CACHE: dir };
    const first = await runCli(['--scheme'], { env });
    assert.equal(first.code, 0);
    const [scheme] = cacheFiles(dir);
    assert.match(scheme ?? '', /^ta-asana-audit-log\.scheme\.v\d+\.\d+\.\d+-[a-z0-9]+-[0-9a-f]{16}-[0-9a-f]{8}\.v8cache$/);
    const written = fs.statSync(path.join(dir, scheme as string));

    const second = await runCli(['--scheme'], { env });
    assert.equal(second.stdout, first.stdout, 'the same output from the cached code');
    const again = fs.statSync(path.join(dir, scheme as string));
    assert.equal(again.mtimeMs, written.mtimeMs, 'an accepted cache is not written again');
    assert.equal(again.ino, written.ino);

    const help = await runCli(['poll', '--help'], { env });
    assert.equal(help.code, 0);
    const failed = await runCli(['poll', '--workspace', '42'], { env });
    assert.equal(failed.code, 2, failed.stderr);
    assert.deepEqual(cacheFiles(dir), [scheme], 'help and a failed run keep no cache: they call little of what a poll calls');

    const asana = await startMockAsana({ tokens: { valid: ['code-cache-token-5d1e'] } });
    try {
      asana.generateEvents(3);
      const poll = await runCli(['poll', '--workspace', asana.workspaceGid, '--base-url', asana.url, '--checkpoint', path.join(dir, 'poll.ck')], {
        env: { ...env, ASANA_TOKEN: 'code-cache-token-5d1e' },
      });
      assert.equal(poll.code, 0, poll.stderr);
    } finally {
      await asana.close();
    }
    assert.deepEqual(
      cacheFiles(dir).map((f) => f.split('.')[1]),
      ['poll', 'scheme'],
      'a poll run keeps a cache of its own, which a --scheme run does not replace',
    );
  });

  it('refuses a cache whose data was changed anywhere, which V8 itself would run and crash on, and replaces it', async () => {
    const dir = tempDir('code-cache-');
    const env = { NODE_COMPILE_CACHE: dir };
    const clean = await runCli(['--scheme'], { env });
    const [scheme] = cacheFiles(dir);
    const file = path.join(dir, scheme as string);
    const good = fs.readFileSync(file);
    // Before the CRC, V8 (Node 20) crashed on the data changed at 50,000, 300,000 and 400,000 (exit 139, 139, 133).
    for (const at of [200, 50_000, 150_000, 300_000, 400_000].map((offset) => Math.min(offset, good.length - 2))) {
      const bad = Buffer.from(good);
      bad.writeUInt16BE(bad.readUInt16BE(at) ^ 0x5a5a, at);
      fs.writeFileSync(file, bad);
      const run = await runCli(['--scheme'], { env });
      assert.equal(run.code, 0, `bytes changed at ${at}: exit ${run.code}, ${run.stderr}`);
      assert.equal(run.stderr, '');
      assert.equal(run.stdout, clean.stdout);
      assert.ok(decodeCodeCache(fs.readFileSync(file)) !== undefined, 'a whole cache was written in its place');
    }
  });

  it('replaces a damaged cache and runs as without one; the caches of an earlier build or Node.js go, one for other flags stays', async () => {
    const dir = tempDir('code-cache-');
    const env = { NODE_COMPILE_CACHE: dir };
    const clean = await runCli(['--scheme'], { env });
    const [scheme] = cacheFiles(dir);
    const file = path.join(dir, scheme as string);
    const size = fs.statSync(file).size;
    fs.writeFileSync(file, Buffer.alloc(size, 0x5a));
    const earlierBuild = (scheme as string).replace(/-[0-9a-f]{16}-/, `-${'0'.repeat(16)}-`);
    const otherFlags = (scheme as string).replace(/-[0-9a-f]{8}\.v8cache$/, '-ffffffff.v8cache');
    const earlierNode = (scheme as string).replace(/\.v\d+\.\d+\.\d+-/, '.v20.19.0-');
    const earlierNodeOtherFlags = otherFlags.replace(/\.v\d+\.\d+\.\d+-/, '.v20.19.0-');
    for (const name of [earlierBuild, otherFlags, earlierNode, earlierNodeOtherFlags]) fs.writeFileSync(path.join(dir, name), 'older');

    const run = await runCli(['--scheme'], { env });
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, clean.stdout);
    assert.ok(!fs.readFileSync(file).equals(Buffer.alloc(size, 0x5a)), 'the damaged file was replaced');
    assert.deepEqual(cacheFiles(dir), [scheme, otherFlags].sort(), "an earlier build's and an earlier Node.js's caches go; no temporary file is left behind");
  });

  it('runs without a cache, and without waiting, when a FIFO or a symbolic link sits where the cache goes', async () => {
    const dir = tempDir('code-cache-');
    const env = { NODE_COMPILE_CACHE: dir };
    const clean = await runCli(['--scheme'], { env });
    const [scheme] = cacheFiles(dir);
    const file = path.join(dir, scheme as string);
    fs.rmSync(file);
    execFileSync('mkfifo', [file]);
    const pastFifo = await runCli(['--scheme'], { env });
    assert.equal(pastFifo.code, 0);
    assert.equal(pastFifo.stdout, clean.stdout);
    assert.ok(fs.statSync(file).isFile(), 'the FIFO was replaced by a cache');

    const elsewhere = path.join(tempDir('code-cache-target-'), 'target');
    fs.writeFileSync(elsewhere, 'not a cache');
    fs.rmSync(file);
    fs.symlinkSync(elsewhere, file);
    const pastLink = await runCli(['--scheme'], { env });
    assert.equal(pastLink.stdout, clean.stdout);
    assert.equal(fs.readFileSync(elsewhere, 'utf8'), 'not a cache', 'the link target is left alone');
    assert.ok(!fs.lstatSync(file).isSymbolicLink(), 'the link was replaced by a cache');
  });

  it('keeps no cache when NODE_DISABLE_COMPILE_CACHE is set', async () => {
    const dir = tempDir('code-cache-');
    const run = await runCli(['--scheme'], { env: { NODE_COMPILE_CACHE: dir, NODE_DISABLE_COMPILE_CACHE: '1' } });
    assert.equal(run.code, 0);
    assert.deepEqual(cacheFiles(dir), []);
  });

  it('hands V8 only data whose CRC-32 matches: a cut, a changed byte or a foreign file is no cache', () => {
    const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256));
    const file = encodeCodeCache(data);
    assert.deepEqual(decodeCodeCache(file), data);
    assert.equal(decodeCodeCache(file.subarray(0, file.length - 1)), undefined);
    const changed = Buffer.from(file);
    changed[2048] = (changed[2048] as number) ^ 1;
    assert.equal(decodeCodeCache(changed), undefined);
    assert.equal(decodeCodeCache(data), undefined, 'V8 data without our header');
    assert.equal(decodeCodeCache(Buffer.alloc(0)), undefined);
  });

  it('names a run by its kind only, never by the values on its command line', () => {
    assert.equal(runKind(['node', 'bundle']), 'modinput');
    assert.equal(runKind(['node', 'bundle', '--scheme']), 'scheme');
    assert.equal(runKind(['node', 'bundle', '--validate-arguments']), 'validate');
    assert.equal(runKind(['node', 'bundle', 'poll', '--workspace', '42']), 'poll');
    assert.equal(runKind(['node', 'bundle', 'checkpoint', 'show']), 'checkpoint');
    assert.equal(runKind(['node', 'bundle', '--token-file', '/secret/place']), 'cli');
    assert.equal(runKind(['node', 'bundle', '../../etc/x']), 'cli');
  });

  it('keys a cache by the program, the Node.js version, the architecture and the node flags', () => {
    const program = { text: '(function () {})', sha256: 'a'.repeat(64) };
    const context = { argv: ['node', 'b', 'poll'], env: { NODE_COMPILE_CACHE: '/c' }, execArgv: ['--max-semi-space-size=2'], version: 'v24.21.0', arch: 'x64' };
    const base = codeCacheFile(program, context);
    assert.equal(path.dirname(base as string), '/c');
    const others = [
      codeCacheFile({ ...program, sha256: 'b'.repeat(64) }, context),
      codeCacheFile(program, { ...context, version: 'v24.22.0' }),
      codeCacheFile(program, { ...context, arch: 'arm64' }),
      codeCacheFile(program, { ...context, execArgv: [] }),
      codeCacheFile(program, { ...context, argv: ['node', 'b', '--scheme'] }),
    ];
    assert.equal(new Set([base, ...others]).size, 6);
    assert.equal(codeCacheFile(program, { ...context, env: {} }), undefined);
    assert.equal(codeCacheFile(program, { ...context, env: { NODE_COMPILE_CACHE: '/c', NODE_DISABLE_COMPILE_CACHE: '1' } }), undefined);
  });
});
