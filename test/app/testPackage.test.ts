import { strict as assert } from 'node:assert';
import { APP_ID } from '../../src/tools/package.js';
import { defaultPackagePath, packageProblem } from '../../src/tools/testPackage.js';
import { readRepoFile, repoRoot } from './appFiles.js';

describe('test:package: which package the e2e suite runs against', () => {
  it('takes the package npm run package writes for the current version', () => {
    const version = (JSON.parse(readRepoFile('package.json')) as { version: string }).version;
    assert.ok(defaultPackagePath(repoRoot).endsWith(`/dist/${APP_ID}-${version}.tgz`));
  });

  it('refuses a missing package and one older than the bundle, so a stale app is never tested', () => {
    assert.match(packageProblem({ exists: false, mtimeMs: 0 }, 1000) ?? '', /not found: run `npm run package`/);
    assert.match(packageProblem({ exists: true, mtimeMs: 999 }, 1000) ?? '', /older than bin\/ta_asana_audit_log\.cjs/);
    assert.equal(packageProblem({ exists: true, mtimeMs: 1000 }, 1000), undefined);
  });
});
