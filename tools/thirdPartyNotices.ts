/**
 * THIRD-PARTY-NOTICES.txt: the name, version, licence and licence text of every npm package esbuild
 * bundled into bin/ta_asana_audit_log.cjs, which ships without the packages' own files. The list
 * comes from esbuild's metafile (the inputs under node_modules), never from package.json, so it is
 * what was bundled: transitive packages included, packages the bundle replaced by stand-ins left out.
 * The build fails when a bundled package has no licence text or a licence off the permissive list,
 * so a copyleft or unlicensed dependency cannot slip into the app unnoticed.
 * Node's own licence, for the runtime the platform packages carry, is a separate file
 * (LICENSE-nodejs.txt, tools/nodeRuntime.ts) taken whole from Node's tarball.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the notices go: at the app root, beside LICENSE, in every package and in `npm pack`. */
export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';
/** esbuild's metafile of the last bundle, kept for the packager's checks. */
export const BUNDLE_METAFILE = join('build', 'bundle-metafile.json');
/**
 * Licence texts for bundled packages that ship none, reviewed by hand: `<name>.txt`, with "/" of a
 * scoped name as "+", each saying where its text comes from.
 */
export const SUPPLIED_LICENCES_DIR = join('tools', 'licences');
/** SPDX ids a bundled package may carry without review. Adding one is a decision, not a fix. */
export const PERMISSIVE_LICENCES: readonly string[] = ['0BSD', 'Apache-2.0', 'BlueOak-1.0.0', 'BSD-2-Clause', 'BSD-3-Clause', 'ISC', 'MIT'];

/** A package's own licence files: LICENSE, LICENCE, COPYING, in any case, with or without a suffix. */
const LICENCE_FILE = /^(licen[cs]e|copying)([.-].*)?$/i;
/** The folder of the package a bundled file belongs to: the last node_modules/<name> or node_modules/@scope/<name>. */
const PACKAGE_FOLDER = /^((?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+)\//;

/** What esbuild's metafile says about the bundle's inputs (the part this module reads). */
export interface Metafile {
  inputs: Record<string, unknown>;
}

export interface LicenceText {
  /** Where the text was read: a path relative to the repository root. */
  source: string;
  text: string;
}

export interface BundledPackage {
  name: string;
  version: string;
  /** The SPDX expression from package.json. */
  licence: string;
  /** Folders it was bundled from (one, unless npm installed the same version twice). */
  folders: string[];
  texts: LicenceText[];
}

/** The package folders the bundled files come from, sorted. Pure: metafile paths use "/". */
export function packageFoldersOf(inputs: Iterable<string>): string[] {
  const folders = new Set<string>();
  for (const input of inputs) {
    // An input in a plugin's namespace (a stand-in, a loader that defers a package) is no file of a
    // package: the deferred package's own files are inputs of their own.
    if (/^[\w-]+:/.test(input)) continue;
    const m = PACKAGE_FOLDER.exec(input);
    if (m?.[1]) folders.add(m[1]);
  }
  return [...folders].sort();
}

/** The licence expression of a package.json: `license`, or the older `license: {type}` and `licenses: [{type}]`. */
export function licenceOf(pkg: { license?: unknown; licenses?: unknown }): string | undefined {
  const typeOf = (l: unknown): string | undefined =>
    typeof l === 'string' ? l : l && typeof l === 'object' && typeof (l as { type?: unknown }).type === 'string' ? (l as { type: string }).type : undefined;
  const single = typeOf(pkg.license);
  if (single) return single.trim();
  if (Array.isArray(pkg.licenses)) {
    const types = pkg.licenses.map(typeOf).filter((t): t is string => t !== undefined);
    if (types.length > 0) return types.length === 1 ? types[0] : `(${types.join(' OR ')})`;
  }
  return undefined;
}

/**
 * Whether an SPDX expression lets us ship the package: an id on the list, a choice (OR) with one on
 * it, or a conjunction (AND) of ids all on it. Anything else (WITH, mixed AND/OR, unknown ids,
 * SEE LICENSE IN, UNLICENSED) needs review.
 */
export function licenceAllowed(expression: string, allowed: readonly string[] = PERMISSIVE_LICENCES): boolean {
  const bare = expression
    .trim()
    .replace(/^\((.*)\)$/, '$1')
    .trim();
  const hasOr = / OR /.test(bare);
  const hasAnd = / AND /.test(bare);
  if (hasOr && hasAnd) return false;
  const ids = bare.split(hasOr ? ' OR ' : ' AND ').map((id) => id.trim().replace(/^\(|\)$/g, ''));
  return hasOr ? ids.some((id) => allowed.includes(id)) : ids.every((id) => allowed.includes(id));
}

/** A supplied licence text's file name for a package name. */
export function suppliedLicenceFile(name: string): string {
  return join(SUPPLIED_LICENCES_DIR, `${name.replace('/', '+')}.txt`);
}

function normalized(text: string): string {
  return `${text.replace(/\r\n?/g, '\n').replace(/\s+$/, '')}\n`;
}

/** The licence texts of a package folder: its own files, or else the supplied one; empty when neither exists. */
function licenceTexts(root: string, folder: string, name: string): LicenceText[] {
  const own = readdirSync(join(root, folder))
    .filter((f) => LICENCE_FILE.test(f) && statSync(join(root, folder, f)).isFile())
    .sort()
    .map((f) => ({ source: `${folder}/${f}`, text: normalized(readFileSync(join(root, folder, f), 'utf8')) }));
  if (own.length > 0) return own;
  const supplied = suppliedLicenceFile(name);
  return existsSync(join(root, supplied)) ? [{ source: supplied.split('\\').join('/'), text: normalized(readFileSync(join(root, supplied), 'utf8')) }] : [];
}

/**
 * The packages behind the bundle's inputs, one entry per name and version, sorted, and every reason
 * they cannot ship, each naming the package, the cause and the fix.
 */
export function bundledPackages(root: string, metafile: Metafile, bundle: string): { packages: BundledPackage[]; problems: string[] } {
  const byId = new Map<string, BundledPackage>();
  const problems: string[] = [];
  for (const folder of packageFoldersOf(Object.keys(metafile.inputs))) {
    const pkg = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as {
      name?: unknown;
      version?: unknown;
      license?: unknown;
      licenses?: unknown;
    };
    const name = typeof pkg.name === 'string' ? pkg.name : folder.slice(folder.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
    const id = `${name}@${version}`;
    const known = byId.get(id);
    if (known) {
      known.folders.push(folder);
      continue;
    }
    const licence = licenceOf(pkg) ?? '';
    const texts = licenceTexts(root, folder, name);
    byId.set(id, { name, version, licence, folders: [folder], texts });
    if (licence === '') {
      problems.push(
        `${bundle} bundles ${id} (${folder}), whose package.json names no licence: find its licence, and drop the dependency unless it is one of ${PERMISSIVE_LICENCES.join(', ')}`,
      );
    } else if (!licenceAllowed(licence)) {
      problems.push(
        `${bundle} bundles ${id} (${folder}), licensed ${licence}, which is not one of the permissive licences ${PERMISSIVE_LICENCES.join(', ')}: replace the dependency, or have the licence reviewed and add it to PERMISSIVE_LICENCES in tools/thirdPartyNotices.ts`,
      );
    }
    if (texts.length === 0) {
      problems.push(
        `${bundle} bundles ${id} (${folder}), which has no LICENSE, LICENCE or COPYING file, so its licence text cannot ship: find the text (its README or its repository) and save it, with where it came from, as ${suppliedLicenceFile(name)}`,
      );
    }
  }
  const packages = [...byId.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : 1));
  return { packages, problems };
}

const RULE = '='.repeat(78);

/** The notices file's text. Deterministic: the same packages give the same bytes. */
export function noticesText(packages: readonly BundledPackage[], bundle: string): string {
  const lines = [
    'Third-party software notices for TA-asana-audit-log',
    '',
    `${bundle}, the add-on's program, is one file into which the build bundles these`,
    `${packages.length} npm packages. Each is under its own licence, reproduced in full below. The add-on`,
    'itself is under the Apache License 2.0 (LICENSE). The Node.js runtime that the platform packages',
    'carry in bin/runtime/ has its own licence and notices: LICENSE-nodejs.txt, in those packages.',
    'Generated by `npm run build` (tools/bundle.ts) from what esbuild bundled.',
    '',
    ...packages.map((p) => `  ${p.name} ${p.version} (${p.licence})`),
  ];
  for (const p of packages) {
    lines.push('', RULE, `Package: ${p.name}@${p.version}`, `Licence: ${p.licence}`, `Licence text: ${p.texts.map((t) => t.source).join(', ')}`, RULE);
    for (const t of p.texts) lines.push('', t.text.replace(/\n$/, ''));
  }
  return `${lines.join('\n')}\n`;
}

/** The "name@version" of every package a notices file has a section for, in its order. */
export function packagesInNotices(text: string): string[] {
  return [...text.matchAll(new RegExp(`^${RULE}\\nPackage: (\\S+)$`, 'gm'))].map((m) => m[1] as string);
}

/**
 * Where a notices file disagrees with the packages bundled: one line per package it does not name,
 * and per package it names that the bundle does not hold (a stale file).
 */
export function noticesProblems(text: string | undefined, packages: readonly { name: string; version: string }[], where: string): string[] {
  if (text === undefined) return [`${where} is missing: run \`npm run build\``];
  const listed = packagesInNotices(text);
  const bundled = packages.map((p) => `${p.name}@${p.version}`);
  return [
    ...bundled.filter((id) => !listed.includes(id)).map((id) => `${where} does not name ${id}, which the bundle holds: run \`npm run build\``),
    ...listed.filter((id) => !bundled.includes(id)).map((id) => `${where} names ${id}, which the bundle does not hold: run \`npm run build\``),
  ];
}

/** The packages the last bundle holds, from the metafile the build kept; throws when there is none. */
export function packagesOfLastBundle(root: string, bundle: string): BundledPackage[] {
  const path = join(root, BUNDLE_METAFILE);
  if (!existsSync(path)) throw new Error(`${BUNDLE_METAFILE} is missing: run \`npm run build\``);
  return bundledPackages(root, JSON.parse(readFileSync(path, 'utf8')) as Metafile, bundle).packages;
}
