/**
 * Unpacks an app package into a folder, as Splunk does on install, so tests can run the app from
 * outside the repository (no node_modules, no sources beside it).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { gunzipTar } from './tarball.js';

/** Writes every entry under `destDir` with its archive mode and returns `destDir`. */
export function unpackPackage(tgzPath: string, destDir: string): string {
  const root = resolve(destDir);
  for (const entry of gunzipTar(readFileSync(tgzPath))) {
    const target = resolve(root, entry.path);
    if (target !== root && !target.startsWith(root + sep)) throw new Error(`entry escapes the target folder: ${entry.path}`);
    if (entry.type === '5') {
      mkdirSync(target, { recursive: true });
    } else if (entry.type === '0') {
      mkdirSync(resolve(target, '..'), { recursive: true });
      writeFileSync(target, entry.data ?? Buffer.alloc(0));
    } else {
      throw new Error(`unexpected entry type ${entry.type}: ${entry.path}`);
    }
    chmodSync(target, entry.mode);
  }
  return join(root);
}
