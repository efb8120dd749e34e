import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUNDLE_PATH, bundleProgram } from '../../tools/bundle.js';
import {
  BUNDLE_METAFILE,
  licenceAllowed,
  licenceOf,
  NOTICES_FILE,
  noticesProblems,
  packageFoldersOf,
  packagesInNotices,
  type Metafile,
} from '../../tools/thirdPartyNotices.js';
import { repoRoot } from '../app/appFiles.js';

/** A project with npm packages laid out as npm lays them out, for bundling for real. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'notices-'));
  const all: Record<string, string> = { 'package.json': JSON.stringify({ name: 'fake-app', version: '9.9.9' }), ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function npmPackage(folder: string, name: string, version: string, license: string, source: string, licenceFile?: string): Record<string, string> {
  const files: Record<string, string> = {
    [`${folder}/package.json`]: JSON.stringify({ name, version, license, main: 'index.js' }),
    [`${folder}/index.js`]: source,
  };
  if (licenceFile) files[`${folder}/${licenceFile}`] = `${license} licence of ${name} ${version}\r\nCopyright its authors\r\n`;
  return files;
}

/** The "name@version" of the package each node_modules input of a metafile belongs to, read straight from its folder's package.json. */
function metafilePackages(root: string, metafile: Metafile): string[] {
  const ids = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    // Files only: a plugin's namespaced module (a stand-in, a deferring loader) names no package folder of its own.
    if (input.includes(':')) continue;
    const at = input.lastIndexOf('node_modules/');
    if (at === -1) continue;
    const rest = input.slice(at + 'node_modules/'.length).split('/');
    const folder = `${input.slice(0, at)}node_modules/${rest.slice(0, rest[0]?.startsWith('@') ? 2 : 1).join('/')}`;
    const pkg = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as { name: string; version: string };
    ids.add(`${pkg.name}@${pkg.version}`);
  }
  return [...ids].sort();
}

describe('third-party notices: what the bundle holds', function () {
  this.timeout(20_000);
  let root: string;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('names exactly the packages esbuild bundled, nested and scoped ones included, unused ones not, each with its whole licence text', async () => {
    root = project({
      'src/entry.js': "const alpha = require('alpha'); const beta = require('@scope/beta'); console.log(alpha(), beta());",
      ...npmPackage('node_modules/alpha', 'alpha', '1.0.0', 'MIT', 'module.exports = () => "alpha 1";', 'LICENSE'),
      ...npmPackage('node_modules/@scope/beta', '@scope/beta', '3.1.4', 'ISC', 'const a = require("alpha"); module.exports = () => a();', 'license.md'),
      ...npmPackage('node_modules/@scope/beta/node_modules/alpha', 'alpha', '2.0.0', '(MIT OR Apache-2.0)', 'module.exports = () => "alpha 2";', 'LICENCE-MIT'),
      ...npmPackage('node_modules/unused', 'unused', '1.0.0', 'GPL-3.0-only', 'module.exports = 1;'),
    });
    const packages = await bundleProgram(root, 'src/entry.js', 'bin/out.cjs');
    const metafile = JSON.parse(readFileSync(join(root, BUNDLE_METAFILE), 'utf8')) as Metafile;
    const notices = readFileSync(join(root, NOTICES_FILE), 'utf8');

    assert.deepEqual(metafilePackages(root, metafile), ['@scope/beta@3.1.4', 'alpha@1.0.0', 'alpha@2.0.0']);
    assert.deepEqual(packagesInNotices(notices), metafilePackages(root, metafile));
    assert.deepEqual(
      packages.map((p) => `${p.name}@${p.version} ${p.licence}`),
      ['@scope/beta@3.1.4 ISC', 'alpha@1.0.0 MIT', 'alpha@2.0.0 (MIT OR Apache-2.0)'],
    );
    assert.match(
      notices,
      /^Package: alpha@2\.0\.0\nLicence: \(MIT OR Apache-2\.0\)\nLicence text: node_modules\/@scope\/beta\/node_modules\/alpha\/LICENCE-MIT\n/m,
    );
    for (const text of [
      'MIT licence of alpha 1.0.0\nCopyright its authors\n',
      'ISC licence of @scope/beta 3.1.4\n',
      '(MIT OR Apache-2.0) licence of alpha 2.0.0\n',
    ]) {
      assert.ok(notices.includes(text), text);
    }
    assert.ok(!notices.includes('unused'));
    assert.ok(existsSync(join(root, 'bin/out.cjs')));
  });

  it('fails the build, naming the package and where to put its text, and removes the bundle when a bundled package has no licence text', async () => {
    root = project({
      'src/entry.js': "console.log(require('quiet')(), require('loud')());",
      ...npmPackage('node_modules/quiet', 'quiet', '0.3.0', 'MIT', 'module.exports = () => 1;'),
      ...npmPackage('node_modules/loud', 'loud', '1.0.0', 'MIT', 'module.exports = () => 2;', 'LICENSE'),
      'bin/out.cjs': 'an older bundle',
      [NOTICES_FILE]: 'older notices',
    });
    await assert.rejects(bundleProgram(root, 'src/entry.js', 'bin/out.cjs'), (err: Error) => {
      assert.equal(
        err.message,
        'cannot ship bin/out.cjs (removed):\n' +
          '  - bin/out.cjs bundles quiet@0.3.0 (node_modules/quiet), which has no LICENSE, LICENCE or COPYING file, so its licence text cannot ship: ' +
          `find the text (its README or its repository) and save it, with where it came from, as ${join('tools', 'licences', 'quiet.txt')}`,
      );
      return true;
    });
    assert.ok(!existsSync(join(root, 'bin/out.cjs')), 'no bundle without its notices');
    assert.ok(!existsSync(join(root, NOTICES_FILE)), 'no stale notices');
  });

  it('fails the bundle step of `npm run build` with that one message and exit status 1', () => {
    root = project({
      'src/cli/entry.ts': "console.log(require('quiet')());",
      ...npmPackage('node_modules/quiet', 'quiet', '0.3.0', 'MIT', 'module.exports = () => 1;'),
    });
    const run = spawnSync(process.execPath, [join(repoRoot, 'build', 'tools', 'bundle.js')], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      /^cannot ship bin\/ta_asana_audit_log\.cjs \(removed\):\n {2}- .* bundles quiet@0\.3\.0 .* has no LICENSE, LICENCE or COPYING file/,
    );
    assert.ok(!existsSync(join(root, BUNDLE_PATH)));
  });

  it('takes a reviewed text from tools/licences/ for a package that ships none', async () => {
    root = project({
      'src/entry.js': "console.log(require('@quiet/one')());",
      ...npmPackage('node_modules/@quiet/one', '@quiet/one', '0.3.0', 'MIT', 'module.exports = () => 1;'),
      'tools/licences/@quiet+one.txt': 'From its README: MIT, Copyright Quiet One\n',
    });
    await bundleProgram(root, 'src/entry.js', 'bin/out.cjs');
    const notices = readFileSync(join(root, NOTICES_FILE), 'utf8');
    assert.match(notices, /^Licence text: tools\/licences\/@quiet\+one\.txt\n={78}\n\nFrom its README: MIT, Copyright Quiet One\n/m);
  });

  it('fails the build when a bundled package is copyleft or names no licence, though it ships its text', async () => {
    root = project({
      'src/entry.js': "console.log(require('left')(), require('bare')());",
      ...npmPackage('node_modules/left', 'left', '2.0.0', 'GPL-3.0-or-later', 'module.exports = () => 1;', 'COPYING'),
      'node_modules/bare/package.json': JSON.stringify({ name: 'bare', version: '1.0.0' }),
      'node_modules/bare/index.js': 'module.exports = () => 2;',
      'node_modules/bare/LICENSE': 'all rights reserved',
    });
    await assert.rejects(bundleProgram(root, 'src/entry.js', 'bin/out.cjs'), (err: Error) => {
      assert.match(
        err.message,
        /bundles left@2\.0\.0 \(node_modules\/left\), licensed GPL-3\.0-or-later, which is not one of the permissive licences 0BSD, Apache-2\.0, .*MIT: replace the dependency/,
      );
      assert.match(err.message, /bundles bare@1\.0\.0 \(node_modules\/bare\), whose package\.json names no licence/);
      return true;
    });
  });
});

describe('third-party notices: the repository build (needs `npm run build` first)', () => {
  it("names exactly the npm packages in the last bundle's metafile: the direct dependencies and their own, not the stand-ins", () => {
    const metafile = JSON.parse(readFileSync(join(repoRoot, BUNDLE_METAFILE), 'utf8')) as Metafile;
    const bundled = metafilePackages(repoRoot, metafile);
    const listed = packagesInNotices(readFileSync(join(repoRoot, NOTICES_FILE), 'utf8'));
    assert.deepEqual([...listed].sort(), bundled);
    const names = listed.map((id) => id.slice(0, id.lastIndexOf('@')));
    for (const direct of ['axios', 'bottleneck', 'commander', 'fast-xml-parser', 'p-retry', 'winston', 'zod']) assert.ok(names.includes(direct), direct);
    assert.ok(names.length > 20, `${names.length} packages: the transitive ones too`);
    assert.ok(!names.includes('form-data'), 'form-data is replaced by a stand-in, so it is not bundled');
  });
});

describe('third-party notices: which inputs are package files', () => {
  it("counts a package deferred by a plugin once, by its own files, not by the plugin's namespaced loader", () => {
    assert.deepEqual(
      packageFoldersOf([
        'deferred-package:/home/me/app/node_modules/follow-redirects/index.js',
        'node_modules/follow-redirects/index.js',
        'stand-in:form-data',
        'node_modules/@scope/pkg/lib/a.js',
        'node_modules/outer/node_modules/inner/x.js',
        'src/cli/entry.ts',
      ]),
      ['node_modules/@scope/pkg', 'node_modules/follow-redirects', 'node_modules/outer/node_modules/inner'],
    );
  });
});

describe('third-party notices: licence rules', () => {
  it('allows permissive ids, a choice with one of them, and a conjunction of them only', () => {
    for (const ok of ['MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause', '0BSD', '(MIT OR GPL-3.0-only)', 'MIT AND ISC', '(BSD-2-Clause AND MIT)'])
      assert.ok(licenceAllowed(ok), ok);
    for (const no of [
      'GPL-3.0-only',
      'LGPL-2.1',
      'MPL-2.0',
      'MIT AND GPL-2.0',
      'GPL-2.0 WITH Classpath-exception-2.0',
      '(MIT OR ISC) AND GPL-2.0',
      'SEE LICENSE IN LICENSE',
      'UNLICENSED',
      '',
    ]) {
      assert.ok(!licenceAllowed(no), no);
    }
  });

  it("reads package.json's licence in its current and its older forms", () => {
    assert.equal(licenceOf({ license: 'MIT' }), 'MIT');
    assert.equal(licenceOf({ license: { type: 'ISC', url: 'x' } }), 'ISC');
    assert.equal(licenceOf({ licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] }), '(MIT OR Apache-2.0)');
    assert.equal(licenceOf({}), undefined);
  });

  it('reports a notices file that misses a bundled package or names one no longer bundled', () => {
    const rule = '='.repeat(78);
    const text = `head\n\n${rule}\nPackage: alpha@1.0.0\nLicence: MIT\n${rule}\n\n${rule}\nPackage: @old/gone@0.1.0\nLicence: MIT\n${rule}\n`;
    assert.deepEqual(
      noticesProblems(
        text,
        [
          { name: 'alpha', version: '1.0.0' },
          { name: 'beta', version: '2.0.0' },
        ],
        NOTICES_FILE,
      ),
      [
        `${NOTICES_FILE} does not name beta@2.0.0, which the bundle holds: run \`npm run build\``,
        `${NOTICES_FILE} names @old/gone@0.1.0, which the bundle does not hold: run \`npm run build\``,
      ],
    );
    assert.deepEqual(noticesProblems(undefined, [], NOTICES_FILE), [`${NOTICES_FILE} is missing: run \`npm run build\``]);
  });
});
