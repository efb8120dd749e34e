import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE } from '../../tools/package.js';
import { repoRoot } from '../app/appFiles.js';

/**
 * `npm install -g` puts a symlink to bin/asana_audit_log.sh on PATH. These install a package made
 * of the repository's package.json (its name and `bin`, without dependencies: the bundle needs
 * none) plus the launcher and the bundle, with a real npm into a temporary prefix, then run the
 * command npm installed.
 */
describe('the command npm installs (npm install -g --prefix)', function () {
  this.timeout(60_000);
  let dir: string;
  let source: string;
  let command: string;

  before(function () {
    if (!existsSync(join(repoRoot, BUNDLE))) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (npm test does)`);
    dir = mkdtempSync(join(tmpdir(), 'npm-global-'));
    source = join(dir, 'source');
    mkdirSync(join(source, 'bin'), { recursive: true });
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };
    writeFileSync(join(source, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, bin: pkg.bin }));
    for (const f of ['bin/asana_audit_log.sh', BUNDLE]) copyFileSync(join(repoRoot, f), join(source, f));
    command = Object.keys(pkg.bin)[0] as string;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function install(prefix: string, what: string): string {
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', what], { stdio: ['ignore', 'ignore', 'pipe'] });
    const installed = join(prefix, 'bin', command);
    assert.ok(lstatSync(installed).isSymbolicLink(), `${installed} is npm's symlink`);
    return installed;
  }

  function scheme(installed: string): void {
    // The node running these tests, named explicitly: the launcher's own search is tested elsewhere.
    const run = spawnSync(installed, ['--scheme'], { encoding: 'utf8', cwd: dir, env: { ...process.env, ASANA_AUDIT_LOG_NODE: process.execPath } });
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.match(run.stdout, /<scheme>[\s\S]*<streaming_mode>xml<\/streaming_mode>/);
  }

  it('runs from a packed tarball install', () => {
    execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: source, stdio: ['ignore', 'ignore', 'pipe'] });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack wrote a tarball');
    scheme(install(join(dir, 'prefix-packed'), join(dir, tgz)));
  });

  it('runs from a folder install, which npm links rather than copies', () => {
    scheme(install(join(dir, 'prefix-folder'), source));
  });
});
