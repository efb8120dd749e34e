import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE, candidateFiles, planPackage } from '../../tools/package.js';
import { NOTICES_FILE } from '../../tools/thirdPartyNotices.js';
import { repoRoot } from '../app/appFiles.js';
import { linksOutside } from '../docs/docLinks.js';

interface PackListing {
  files: { path: string; mode: number }[];
}

/**
 * What `npm pack` of the repository carries, which is what `npm install -g` of it installs: the
 * command's launcher and the bundle it runs (gitignored build output, so only package.json's
 * `files` brings them in), the licence and notices, the README and the documentation it links to.
 */
describe('npm pack of the repository (needs `npm run build` first)', function () {
  this.timeout(60_000);
  let listing: PackListing;
  let paths: string[];

  before(function () {
    for (const built of [BUNDLE, NOTICES_FILE])
      if (!existsSync(join(repoRoot, built))) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    listing = (JSON.parse(json) as PackListing[])[0] as PackListing;
    paths = listing.files.map((f) => f.path).sort();
  });

  it('carries the launcher npm links, executable, and the bundle it runs', () => {
    const launcher = listing.files.find((f) => f.path === 'bin/asana_audit_log.sh');
    assert.ok(launcher, 'bin/asana_audit_log.sh');
    assert.equal(launcher.mode & 0o111, 0o111, 'the launcher is executable');
    assert.ok(paths.includes(BUNDLE), BUNDLE);
  });

  it('carries no sources, tests, tools, build output or Splunk configuration', () => {
    const unwanted = paths.filter((p) => /^(src|test|tools|build|node_modules|default|metadata|static|deploy|runtime|\.ci)\//.test(p) || p.startsWith('.'));
    assert.deepEqual(unwanted, []);
  });

  it('carries exactly the launcher, the bundle, the licences, the README, the changelog and the shipped docs', () => {
    const docs = planPackage(candidateFiles(repoRoot))
      .files.map((f) => f.path)
      .filter((p) => p.startsWith('docs/'));
    assert.ok(docs.includes('docs/reference/cli.md'), "the command line's reference");
    const expected = [
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'README/inputs.conf.spec',
      NOTICES_FILE,
      'bin/asana_audit_log.sh',
      BUNDLE,
      'package.json',
      ...docs,
    ];
    assert.deepEqual(paths, expected.sort());
  });

  it('has pages whose relative links all lead to files it carries', () => {
    assert.deepEqual(linksOutside(repoRoot, new Set(paths), 'the npm package'), []);
  });

  it('unpacks to a command that runs without node_modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npm-pack-'));
    try {
      execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
      const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
      assert.ok(tgz, 'npm pack wrote a tarball');
      execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir]);
      assert.ok(!existsSync(join(dir, 'package', 'node_modules')));
      // The launcher keeps its compile cache under SPLUNK_HOME or HOME unless NODE_COMPILE_CACHE names
      // a folder: name one in the temp folder, so the run writes nothing outside it.
      const { SPLUNK_HOME: _splunkHome, ...env } = process.env;
      const run = spawnSync(join(dir, 'package', 'bin', 'asana_audit_log.sh'), ['--scheme'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...env, ASANA_AUDIT_LOG_NODE: process.execPath, NODE_COMPILE_CACHE: join(dir, 'compile-cache') },
      });
      assert.equal(run.stderr, '');
      assert.equal(run.status, 0);
      assert.match(run.stdout, /<scheme>[\s\S]*<streaming_mode>xml<\/streaming_mode>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
