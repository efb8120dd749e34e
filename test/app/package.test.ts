import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ID, BUNDLE, MAX_PACKAGE_BYTES, buildPackage, bundleNoticesProblems, planPackage } from '../../tools/package.js';
import { NODE_LICENSE_FILE } from '../../tools/nodeRuntime.js';
import { BUNDLE_METAFILE, NOTICES_FILE, packagesInNotices, packagesOfLastBundle } from '../../tools/thirdPartyNotices.js';
import { gunzipTar, gzipTar, packTar, unpackTar, type TarEntry } from '../../tools/tarball.js';
import { unpackPackage } from '../../tools/unpackPackage.js';
import { repoRoot } from './appFiles.js';

describe('package: which files ship', () => {
  it('ships the launchers, the one bundle, the app folders and the top-level docs, and nothing else', () => {
    const plan = planPackage([
      'bin/asana_audit_log.sh',
      'bin/asana_audit_log.cmd',
      BUNDLE,
      'bin/ta_asana_audit_log.cjs.map',
      'bin/helper.js',
      'default/app.conf',
      'default/data/ui/views/a.xml',
      'default/.DS_Store',
      'metadata/default.meta',
      'metadata/local.meta',
      'README/inputs.conf.spec',
      'static/appIcon.png',
      'app.manifest',
      'README.md',
      'CHANGELOG.md',
      'CONTRIBUTING.md',
      'docs/install.md',
      'LICENSE',
      'THIRD-PARTY-NOTICES.txt',
      'package.json',
      'tsconfig.json',
      '.gitignore',
      'tools/package.ts',
      'node_modules/zod/index.js',
      'test/app/package.test.ts',
      'local/inputs.conf',
      'default/local/x.conf',
    ]);
    assert.deepEqual(plan.files, [
      { path: 'CHANGELOG.md', mode: 0o644 },
      { path: 'LICENSE', mode: 0o644 },
      { path: 'README.md', mode: 0o644 },
      { path: 'README/inputs.conf.spec', mode: 0o644 },
      { path: 'THIRD-PARTY-NOTICES.txt', mode: 0o644 },
      { path: 'app.manifest', mode: 0o644 },
      { path: 'bin/asana_audit_log.cmd', mode: 0o755 },
      { path: 'bin/asana_audit_log.sh', mode: 0o755 },
      { path: 'bin/ta_asana_audit_log.cjs', mode: 0o644 },
      { path: 'default/app.conf', mode: 0o644 },
      { path: 'default/data/ui/views/a.xml', mode: 0o644 },
      { path: 'docs/install.md', mode: 0o644 },
      { path: 'metadata/default.meta', mode: 0o644 },
      { path: 'static/appIcon.png', mode: 0o644 },
    ]);
    assert.ok(plan.excluded.includes('bin/helper.js') && plan.excluded.includes('default/.DS_Store'));
  });
});

describe('package: the third-party notices check', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pkg-notices-'));
    for (const [name, version] of [
      ['kept', '1.0.0'],
      ['@new/dep', '2.0.0'],
    ] as const) {
      mkdirSync(join(root, 'node_modules', name), { recursive: true });
      writeFileSync(join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, version, license: 'MIT' }));
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("refuses notices that do not name a package the bundle's metafile holds", () => {
    mkdirSync(join(root, 'build'));
    writeFileSync(
      join(root, BUNDLE_METAFILE),
      JSON.stringify({ inputs: { 'node_modules/kept/index.js': {}, 'node_modules/@new/dep/lib/a.js': {}, 'src/x.ts': {} } }),
    );
    writeFileSync(join(root, NOTICES_FILE), `head\n\n${'='.repeat(78)}\nPackage: kept@1.0.0\n`);
    assert.deepEqual(bundleNoticesProblems(root), [`${NOTICES_FILE} does not name @new/dep@2.0.0, which the bundle holds: run \`npm run build\``]);
  });

  it('refuses to check without the metafile the build keeps', () => {
    writeFileSync(join(root, NOTICES_FILE), 'head\n');
    assert.deepEqual(bundleNoticesProblems(root), [`${BUNDLE_METAFILE} is missing: run \`npm run build\``]);
  });
});

describe('package: ustar writer', () => {
  const entries: TarEntry[] = [
    { path: 'app/', mode: 0o755, mtime: 1_700_000_000 },
    { path: 'app/bin/run.sh', mode: 0o755, mtime: 1_700_000_000, data: Buffer.from('#!/bin/sh\necho hi\n') },
    { path: `app/${'d'.repeat(90)}/${'f'.repeat(60)}.txt`, mode: 0o644, mtime: 1_700_000_000, data: Buffer.alloc(1000, 7) },
    { path: 'app/empty', mode: 0o644, mtime: 1_700_000_000, data: Buffer.alloc(0) },
  ];

  it('reads back what it wrote, long paths included', () => {
    const back = unpackTar(packTar(entries));
    assert.deepEqual(
      back.map(({ path, mode, mtime, data }) => ({ path, mode, mtime, data })),
      entries.map((e) => ({ ...e, data: e.path.endsWith('/') ? undefined : e.data })),
    );
  });

  it('writes archives the system tar lists with the same names, modes and sizes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-'));
    try {
      const file = join(dir, 'x.tgz');
      writeFileSync(file, gzipTar(entries));
      const listing = execFileSync('tar', ['-tvzf', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } })
        .trim()
        .split('\n');
      assert.equal(listing.length, entries.length);
      assert.match(listing[0] ?? '', /^drwxr-xr-x .* app\/$/);
      assert.match(listing[1] ?? '', /^-rwxr-xr-x .* 18 .* app\/bin\/run\.sh$/);
      assert.match(listing[2] ?? '', /^-rw-r--r-- .* 1000 .* app\/d{90}\/f{60}\.txt$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detects a corrupted header', () => {
    const tar = packTar(entries);
    tar[10] = (tar[10] ?? 0) ^ 0xff;
    assert.throws(() => unpackTar(tar), /checksum/);
  });
});

describe('package: the real package (needs `npm run build` first)', function () {
  let out: string;
  let tgz: string;

  before(function () {
    if (!existsSync(join(repoRoot, BUNDLE))) {
      throw new Error(`${BUNDLE} is missing: run \`npm run build\` (npm test does) before this suite`);
    }
    out = mkdtempSync(join(tmpdir(), 'pkg-'));
    tgz = buildPackage(repoRoot, out);
  });
  after(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('is named after the version and holds only the app folder, without dot-files or ./ prefixes', () => {
    const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string;
    assert.equal(tgz, join(out, `${APP_ID}-${version}.tgz`));
    for (const e of gunzipTar(readFileSync(tgz))) {
      assert.ok(e.path.startsWith(`${APP_ID}/`), e.path);
      assert.ok(!e.path.startsWith('./'), e.path);
      assert.ok(!e.path.split('/').some((s) => s.startsWith('.')), e.path);
      assert.ok(e.type === '0' || e.type === '5', `${e.path}: only files and folders`);
    }
  });

  it('contains exactly the allowed entries, with 755 launchers and folders and 644 for the rest', () => {
    const allowedTop = new Set([
      'bin',
      'default',
      'docs',
      'metadata',
      'README',
      'static',
      'app.manifest',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      NOTICES_FILE,
    ]);
    for (const e of gunzipTar(readFileSync(tgz))) {
      const rel = e.path.slice(APP_ID.length + 1).replace(/\/$/, '');
      if (rel === '') continue;
      assert.ok(allowedTop.has(rel.split('/')[0] ?? ''), `${rel} should not ship`);
      if (rel.startsWith('bin/')) assert.match(rel, /^bin\/([^/]+\.(sh|cmd)|ta_asana_audit_log\.cjs)$/, `${rel}: only launchers and the bundle`);
      const expected = e.type === '5' || /^bin\/[^/]+\.(sh|cmd)$/.test(rel) ? 0o755 : 0o644;
      assert.equal(e.mode, expected, `${rel}: mode ${e.mode.toString(8)}`);
    }
    const paths = gunzipTar(readFileSync(tgz)).map((e) => e.path);
    for (const required of [
      BUNDLE,
      'default/app.conf',
      'metadata/default.meta',
      'app.manifest',
      'README.md',
      'CHANGELOG.md',
      'docs/install.md',
      'LICENSE',
      NOTICES_FILE,
      'static/appIcon.png',
    ]) {
      assert.ok(paths.includes(`${APP_ID}/${required}`), `${required} missing`);
    }
    assert.ok(
      paths.some((p) => /\/bin\/[^/]+\.sh$/.test(p)),
      'a shell launcher',
    );
  });

  it("carries THIRD-PARTY-NOTICES.txt naming every npm package of the build's bundle", () => {
    const notices = gunzipTar(readFileSync(tgz)).find((e) => e.path === `${APP_ID}/${NOTICES_FILE}`);
    assert.ok(notices?.data, NOTICES_FILE);
    const bundled = packagesOfLastBundle(repoRoot, BUNDLE).map((p) => `${p.name}@${p.version}`);
    assert.ok(bundled.length > 20, `${bundled.length} bundled packages`);
    assert.deepEqual(packagesInNotices(notices.data.toString('utf8')), bundled);
  });

  it('is byte-for-byte reproducible', () => {
    const again = mkdtempSync(join(tmpdir(), 'pkg-'));
    try {
      assert.deepEqual(readFileSync(buildPackage(repoRoot, again)), readFileSync(tgz));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('unpacks to an app whose launcher runs on its own, away from the repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'app-'));
    try {
      const app = join(unpackPackage(tgz, dir), APP_ID);
      assert.equal(statSync(join(app, 'bin')).mode & 0o777, 0o755);
      const launcher = ['asana_audit_log.sh'].map((f) => join(app, 'bin', f)).find(existsSync);
      assert.ok(launcher, 'bin/asana_audit_log.sh');
      const scheme = execFileSync(launcher, ['--scheme'], { cwd: dir, encoding: 'utf8', timeout: 15_000 });
      assert.match(scheme, /<scheme>[\s\S]*<\/scheme>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('package: a platform package (needs `npm run build` first; a stand-in runtime)', function () {
  let out: string;
  let tgz: string;
  before(() => {
    out = mkdtempSync(join(tmpdir(), 'pkg-platform-'));
    const files = { binary: Buffer.from('stand-in for node'), license: Buffer.from('Node.js is licensed for use as follows:') };
    tgz = buildPackage(repoRoot, out, { platform: 'linux-x64', binaryPath: 'bin/runtime/node', files });
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it("is named after its platform and adds only the runtime, executable, under bin/, and Node's licence at the app root", () => {
    const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string;
    assert.equal(tgz, join(out, `${APP_ID}-${version}-linux-x64.tgz`));
    const entries = gunzipTar(readFileSync(tgz));
    const plain = mkdtempSync(join(tmpdir(), 'pkg-plain-'));
    try {
      const plainPaths = new Set(gunzipTar(readFileSync(buildPackage(repoRoot, plain))).map((e) => e.path));
      const added = entries.filter((e) => !plainPaths.has(e.path)).map((e) => `${e.path} ${e.mode.toString(8)}`);
      assert.deepEqual(added.sort(), [`${APP_ID}/${NODE_LICENSE_FILE} 644`, `${APP_ID}/bin/runtime/ 755`, `${APP_ID}/bin/runtime/node 755`]);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    assert.match(NODE_LICENSE_FILE, /nodejs/i);
    assert.ok(
      entries.some((e) => e.path === `${APP_ID}/${NOTICES_FILE}`),
      "the npm packages' notices, as in the runtime-less package",
    );
    assert.ok(
      entries.some((e) => e.path === `${APP_ID}/bin/asana_audit_log.sh`) && entries.some((e) => e.path === `${APP_ID}/bin/asana_audit_log.cmd`),
      'both launchers',
    );
  });

  it('refuses to write a package over the size limit', () => {
    const files = { binary: randomBytes(MAX_PACKAGE_BYTES + 1), license: Buffer.from('L') };
    assert.throws(
      () => buildPackage(repoRoot, out, { platform: 'huge', binaryPath: 'bin/runtime/node', files }),
      /would be 60\.\d MB, over the 60\.0 MB limit/,
    );
  });
});
