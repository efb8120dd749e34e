import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { confValue, parseConf } from '../../tools/confFile.js';
import { APP_ID, TOP_LEVEL_FILES } from '../../tools/package.js';
import { readPngInfo } from '../../tools/png.js';
import { readAppVersions, versionDisagreements } from '../../tools/stampVersion.js';
import { defaultConfNames, readDefaultConf, readRepoFile, repoRoot } from './appFiles.js';

/** The .conf files Splunk itself defines (its spec files); any other .conf in default/ is custom. */
const SPLUNK_CONFS = new Set(
  `alert_actions app audit authentication authorize bookmarks checklist collections commands datamodels
  datatypesbnf default-mode deployment deploymentclient distsearch event_renderers eventdiscoverer eventtypes
  federated fields global-banner health indexes inputs limits literals macros messages metric_alerts
  metric_rollups multikv outputs passwords procmon-filters props pubsub restmap savedsearches searchbnf
  segmenters server serverclass source-classifier sourcetypes splunk-launch tags telemetry times
  transactiontypes transforms ui-prefs ui-tour user-prefs user-seed viewstates visualizations web
  web-features wmi workflow_actions workload_policy workload_pools workload_rules`.split(/\s+/),
);

const manifestSchema = z.object({
  schemaVersion: z.literal('2.0.0'),
  info: z.looseObject({
    title: z.string().min(1),
    id: z.object({ group: z.null(), name: z.string(), version: z.string() }),
    author: z.array(z.looseObject({ name: z.string().min(1) })).min(1),
    description: z.string().min(1),
    classification: z.looseObject({ intendedAudience: z.string(), categories: z.array(z.string()).min(1), developmentStatus: z.string() }),
    license: z.looseObject({ name: z.string().min(1), text: z.string().min(1), uri: z.string().url() }),
    releaseNotes: z.looseObject({ name: z.string().min(1), text: z.string().min(1) }),
  }),
  dependencies: z.unknown(),
  tasks: z.unknown(),
  inputGroups: z.unknown(),
  incompatibleApps: z.unknown(),
  platformRequirements: z.object({ splunk: z.record(z.string(), z.string()) }),
  supportedDeployments: z.array(z.enum(['*', '_standalone', '_distributed', '_search_head_clustering'])).min(1),
  targetWorkloads: z.array(z.enum(['*', '_search_heads', '_indexers', '_forwarders'])).min(1),
});

describe('app identity', () => {
  it('has one version: package.json, app.conf [launcher] and [id], and app.manifest agree', () => {
    const versions = readAppVersions(repoRoot);
    assert.deepEqual(versionDisagreements(versions), [], 'run node build/tools/stampVersion.js');
    assert.match(versions.packageJson, /^\d+\.\d+\.\d+/);
  });

  it('app.conf names the package, is not pre-configured, and has a build number and a visible labelled UI', () => {
    const app = readDefaultConf('app');
    assert.equal(confValue(app, 'package', 'id'), APP_ID);
    assert.equal(confValue(app, 'id', 'name'), APP_ID);
    assert.match(confValue(app, 'install', 'build') ?? '', /^\d+$/);
    assert.equal(confValue(app, 'install', 'is_configured'), 'false');
    assert.equal(confValue(app, 'ui', 'is_visible'), 'true');
    const label = confValue(app, 'ui', 'label') ?? '';
    assert.ok(label.length >= 5 && label.length <= 80, `[ui] label must be 5 to 80 characters: ${label}`);
    assert.ok(confValue(app, 'launcher', 'author'));
    assert.ok(confValue(app, 'launcher', 'description'));
    assert.ok(app.stanzas.has('triggers'));
  });

  it('app.manifest follows schema 2.0.0 and names the same app and an existing license file', () => {
    const manifest = manifestSchema.parse(JSON.parse(readRepoFile('app.manifest')));
    assert.equal(manifest.info.id.name, APP_ID);
    assert.ok(existsSync(join(repoRoot, manifest.info.license.text)), `${manifest.info.license.text} is missing`);
  });

  it("app.manifest's release notes are the changelog, which ships in the package", () => {
    const manifest = manifestSchema.parse(JSON.parse(readRepoFile('app.manifest')));
    assert.equal(manifest.info.releaseNotes.text, 'CHANGELOG.md');
    assert.ok((TOP_LEVEL_FILES as readonly string[]).includes(manifest.info.releaseNotes.text));
    assert.match(readRepoFile('CHANGELOG.md'), /^# Changelog\n[\s\S]*^## Unreleased$/m);
  });

  it('every custom .conf has a reload trigger, and no Splunk .conf has one', () => {
    const triggers = readDefaultConf('app').stanzas.get('triggers') ?? new Map<string, string>();
    for (const name of defaultConfNames()) {
      if (SPLUNK_CONFS.has(name)) {
        assert.equal(triggers.has(`reload.${name}`), false, `${name}.conf is Splunk's own: AppInspect rejects reload.${name}`);
      } else {
        assert.ok(triggers.has(`reload.${name}`), `default/${name}.conf is custom and needs [triggers] reload.${name} in app.conf`);
      }
    }
  });

  it('every .conf in default/ parses cleanly (no duplicate stanzas or keys, no stray lines)', () => {
    for (const name of defaultConfNames()) {
      assert.deepEqual(readDefaultConf(name).problems, [], `default/${name}.conf`);
    }
    assert.deepEqual(parseConf(readRepoFile('metadata/default.meta')).problems, []);
  });

  it('default.meta lets everyone read, only admins write, and exports search-time knowledge to the system', () => {
    assert.deepEqual(readdirSync(join(repoRoot, 'metadata')), ['default.meta']);
    const meta = parseConf(readRepoFile('metadata/default.meta'));
    const access = (confValue(meta, '', 'access') ?? '').replace(/\s/g, '');
    const write = /write:\[([^\]]*)\]/.exec(access)?.[1]?.split(',') ?? [];
    assert.ok(write.length > 0 && !write.includes('*'), `global write access must name roles: ${access}`);
    assert.ok(write.includes('sc_admin'), 'Splunk Cloud admins have sc_admin, not admin');
    for (const kind of ['props', 'eventtypes', 'tags', 'macros']) {
      assert.equal(confValue(meta, kind, 'export'), 'system', `[${kind}] export`);
    }
  });

  it('ships the four icons at the sizes Splunk expects', () => {
    const expected = { 'appIcon.png': 36, 'appIcon_2x.png': 72, 'appIconAlt.png': 36, 'appIconAlt_2x.png': 72 };
    for (const [file, size] of Object.entries(expected)) {
      const info = readPngInfo(readFileSync(join(repoRoot, 'static', file)));
      assert.deepEqual([info.width, info.height], [size, size], file);
    }
  });
});
