import { strict as assert } from 'node:assert';
import { APP_ID } from '../../tools/package.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPackagePath, nodeFreeEnv, packageProblem, pathWithoutNode } from '../../tools/testPackage.js';
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
