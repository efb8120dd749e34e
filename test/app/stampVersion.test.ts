import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAppVersions, stampVersion, versionDisagreements } from '../../tools/stampVersion.js';

describe('stampVersion: package.json is the one place a release sets the version', () => {
  let dir: string;
  const appConf = '# keep me\n[install]\nbuild = 7\n\n[launcher]\nversion = 0.0.1\nauthor = x\n\n[id]\nname = TA-x\nversion = 0.0.1\n';
  const manifest = { schemaVersion: '2.0.0', info: { title: 'T', id: { group: null, name: 'TA-x', version: '0.0.1' } }, targetWorkloads: ['_search_heads'] };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stamp-'));
    mkdirSync(join(dir, 'default'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', version: '2.3.4-rc.1' }));
    writeFileSync(join(dir, 'default', 'app.conf'), appConf);
    writeFileSync(join(dir, 'app.manifest'), `${JSON.stringify(manifest, null, 2)}\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports every place that disagrees with package.json', () => {
    assert.deepEqual(versionDisagreements(readAppVersions(dir)), [
      'default/app.conf [launcher] version is 0.0.1',
      'default/app.conf [id] version is 0.0.1',
      'app.manifest info.id.version is 0.0.1',
    ]);
  });

  it('writes the version into app.conf [launcher] and [id] and app.manifest, and nothing else', () => {
    stampVersion(dir);
    assert.deepEqual(versionDisagreements(readAppVersions(dir)), []);
    const conf = readFileSync(join(dir, 'default', 'app.conf'), 'utf8');
    assert.equal(conf, appConf.replaceAll('version = 0.0.1', 'version = 2.3.4-rc.1'), 'comments and [install] build untouched');
    const after = JSON.parse(readFileSync(join(dir, 'app.manifest'), 'utf8'));
    assert.deepEqual(after, { ...manifest, info: { ...manifest.info, id: { ...manifest.info.id, version: '2.3.4-rc.1' } } });
  });

  it('leaves files untouched when the versions already agree', () => {
    stampVersion(dir);
    const longAgo = new Date('2020-01-01T00:00:00Z');
    for (const p of ['default/app.conf', 'app.manifest']) utimesSync(join(dir, p), longAgo, longAgo);
    stampVersion(dir);
    for (const p of ['default/app.conf', 'app.manifest']) {
      assert.equal(statSync(join(dir, p)).mtimeMs, longAgo.getTime(), `${p} was rewritten`);
    }
  });

  it('refuses a package.json version that is not semver', () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.0' }));
    assert.throws(() => stampVersion(dir), /not semver/);
  });
});
