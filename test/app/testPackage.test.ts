import { strict as assert } from 'node:assert';
import { APP_ID, BUNDLE } from '../../tools/package.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_LICENSE_FILE } from '../../tools/nodeRuntime.js';
import { defaultPackagePath, licenceProblems, nodeFreeEnv, packageProblem, pathWithoutNode } from '../../tools/testPackage.js';
import { NOTICES_FILE, packagesOfLastBundle } from '../../tools/thirdPartyNotices.js';
import { readRepoFile, repoRoot } from './appFiles.js';

describe('test:package: which package the e2e suite runs against', () => {
  it('takes the linux-x64 package npm run package writes for the current version', () => {
    const version = (JSON.parse(readRepoFile('package.json')) as { version: string }).version;
    assert.ok(defaultPackagePath(repoRoot).endsWith(`/dist/${APP_ID}-${version}-linux-x64.tgz`));
  });

  it('refuses a missing package and one older than the bundle, so a stale app is never tested', () => {
    assert.match(packageProblem({ exists: false, mtimeMs: 0 }, 1000) ?? '', /not found: run `npm run package`/);
    assert.match(packageProblem({ exists: true, mtimeMs: 999 }, 1000) ?? '', /older than bin\/ta_asana_audit_log\.cjs/);
    assert.equal(packageProblem({ exists: true, mtimeMs: 1000 }, 1000), undefined);
  });
});

describe('test:package: the licences in the unpacked app (needs `npm run build` first)', () => {
  let app: string;
  beforeEach(() => {
    app = mkdtempSync(join(tmpdir(), 'unpacked-licences-'));
  });
  afterEach(() => rmSync(app, { recursive: true, force: true }));

  it("accepts an app with Node's licence and the build's notices", () => {
    copyFileSync(join(repoRoot, NOTICES_FILE), join(app, NOTICES_FILE));
    writeFileSync(join(app, NODE_LICENSE_FILE), 'Node.js is licensed for use as follows:');
    assert.deepEqual(licenceProblems(app, repoRoot), []);
  });

  it("names what is missing: Node's licence, and each bundled package the notices leave out", () => {
    const notices = readFileSync(join(repoRoot, NOTICES_FILE), 'utf8');
    writeFileSync(join(app, NOTICES_FILE), notices.replace(/^Package: zod@/m, 'Package: not-zod@'));
    const zod = packagesOfLastBundle(repoRoot, BUNDLE).find((p) => p.name === 'zod');
    assert.ok(zod, 'the bundle holds zod');
    assert.deepEqual(licenceProblems(app, repoRoot), [
      `the package has no ${NODE_LICENSE_FILE} for its runtime`,
      `the package's ${NOTICES_FILE} does not name zod@${zod.version}, which the bundle holds: run \`npm run build\``,
      `the package's ${NOTICES_FILE} names not-zod@${zod.version}, which the bundle does not hold: run \`npm run build\``,
    ]);
    rmSync(join(app, NOTICES_FILE));
    assert.deepEqual(licenceProblems(app, repoRoot).slice(1), [`the package's ${NOTICES_FILE} is missing: run \`npm run build\``]);
  });
});

describe('test:package: a host with no node', () => {
  it('builds a PATH on which the suite finds its tools but no node, though this host has one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nonode-'));
    try {
      assert.equal(spawnSync('/bin/sh', ['-c', 'command -v node']).status, 0, 'this host has a node on PATH');
      const path = pathWithoutNode(dir);
      assert.notEqual(spawnSync('/bin/sh', ['-c', 'command -v node'], { env: { PATH: path } }).status, 0);
      assert.equal(spawnSync('/bin/sh', ['-c', 'command -v openssl && command -v readlink'], { env: { PATH: path } }).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the suite without ASANA_AUDIT_LOG_NODE, $SPLUNK_HOME or a compile cache from outside, expecting the app runtime', () => {
    const env = nodeFreeEnv(
      { PATH: '/usr/bin', ASANA_AUDIT_LOG_NODE: '/usr/bin/node', SPLUNK_HOME: '/opt/splunk', NODE_COMPILE_CACHE: '/x', HOME: '/root' },
      '/p',
      '/app/bin/runtime/node',
      '/app/bin/asana_audit_log.sh',
    );
    assert.deepEqual(env, {
      PATH: '/p',
      HOME: '/root',
      ASANA_AUDIT_LOG_LAUNCHER: '/app/bin/asana_audit_log.sh',
      ASANA_AUDIT_LOG_EXPECTED_NODE: '/app/bin/runtime/node',
    });
  });
});
