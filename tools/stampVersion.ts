/**
 * Copies package.json's version into the places Splunk reads it from: app.conf `[launcher]` and
 * `[id]`, and app.manifest `info.id.version`. package.json is the only place a release bumps it.
 * Run: node build/tools/stampVersion.js
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { confValue, parseConf, setConfValue } from './confFile.js';

/** semver.org 2.0.0, which AppInspect's check_version_is_valid_semver applies. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const packageJsonSchema = z.looseObject({ version: z.string().regex(SEMVER, 'package.json version is not semver') });
const manifestSchema = z.looseObject({
  info: z.looseObject({ id: z.looseObject({ name: z.string(), version: z.string() }) }),
});

export const APP_CONF = join('default', 'app.conf');
export const APP_MANIFEST = 'app.manifest';

/** Every place the app's version is written, as found on disk. */
export interface AppVersions {
  packageJson: string;
  launcher: string | undefined;
  id: string | undefined;
  manifest: string;
}

export function readAppVersions(repoRoot: string): AppVersions {
  const pkg = packageJsonSchema.parse(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')));
  const appConf = parseConf(readFileSync(join(repoRoot, APP_CONF), 'utf8'));
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(repoRoot, APP_MANIFEST), 'utf8')));
  return {
    packageJson: pkg.version,
    launcher: confValue(appConf, 'launcher', 'version'),
    id: confValue(appConf, 'id', 'version'),
    manifest: manifest.info.id.version,
  };
}

/** Names of the places whose version differs from package.json's; empty when all agree. */
export function versionDisagreements(v: AppVersions): string[] {
  const places: [string, string | undefined][] = [
    ['default/app.conf [launcher] version', v.launcher],
    ['default/app.conf [id] version', v.id],
    ['app.manifest info.id.version', v.manifest],
  ];
  return places.filter(([, value]) => value !== v.packageJson).map(([name, value]) => `${name} is ${value ?? 'missing'}`);
}

/** Rewrites only the version values, and only when they differ, so a no-op leaves files untouched. */
export function stampVersion(repoRoot: string): void {
  const { packageJson: version } = readAppVersions(repoRoot);

  const appConfPath = join(repoRoot, APP_CONF);
  const before = readFileSync(appConfPath, 'utf8');
  const after = setConfValue(setConfValue(before, 'launcher', 'version', version), 'id', 'version', version);
  if (after !== before) writeFileSync(appConfPath, after);

  const manifestPath = join(repoRoot, APP_MANIFEST);
  const manifestText = readFileSync(manifestPath, 'utf8');
  const manifest = manifestSchema.parse(JSON.parse(manifestText));
  if (manifest.info.id.version !== version) {
    manifest.info.id.version = version;
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  stampVersion(process.cwd());
  const v = readAppVersions(process.cwd());
  process.stdout.write(`version ${v.packageJson} stamped into ${APP_CONF} and ${APP_MANIFEST}\n`);
}
