/**
 * `npm run bench`'s start-up figures for the app's own runtime: the linux-x64 package's Node.js
 * (from the runtime cache, as `npm run package` gets it) beside a copy of the launcher and the
 * bundle, run as splunkd runs the app, with no ASANA_AUDIT_LOG_NODE. Compared with `node -e 0` of
 * the same runtime, with the compile cache the launcher names and with it disabled.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checkpointPathFor } from '../src/collector/checkpointStore.js';
import { BUNDLE, LAUNCHER, medianWallMs, pollArgs, startMockProcess, tempDir } from './benchRunner.js';
import { readRuntimePin, runtimeFiles } from './nodeRuntime.js';

/** The platform whose runtime this machine can run, or undefined. */
function hostPlatform(): string | undefined {
  if (process.platform === 'linux' && process.arch === 'x64') return 'linux-x64';
  if (process.platform === 'linux' && process.arch === 'arm64') return 'linux-arm64';
  return undefined;
}

/** An app folder holding the launcher, the bundle and the runtime; returns the launcher and the node. */
function appWithRuntime(platform: string): { launcher: string; node: string } {
  const bin = path.join(tempDir('bench-app-'), 'TA-asana-audit-log', 'bin');
  fs.mkdirSync(path.join(bin, 'runtime'), { recursive: true });
  const launcher = path.join(bin, 'asana_audit_log.sh');
  fs.copyFileSync(LAUNCHER, launcher);
  fs.chmodSync(launcher, 0o755);
  fs.copyFileSync(BUNDLE, path.join(bin, 'ta_asana_audit_log.cjs'));
  const node = path.join(bin, 'runtime', 'node');
  fs.writeFileSync(node, runtimeFiles(process.cwd(), platform).binary, { mode: 0o755 });
  return { launcher, node };
}

/** Table rows for the start-up of the app's own runtime (one row saying why not, elsewhere). */
export async function bundledRuntimeStartupRows(runs: number, progress: (line: string) => void): Promise<string[]> {
  const platform = hostPlatform();
  if (!platform) return [`| start-up with the app's own runtime | not measured: no platform package runs on ${process.platform} ${process.arch} |`];
  const version = readRuntimePin(process.cwd()).version;
  progress(`start-up with the app's own runtime (Node.js ${version}, ${platform})`);
  const { launcher, node } = appWithRuntime(platform);
  const token = 'bench-token-runtime';
  const mock = await startMockProcess({ initialEvents: 500, tokens: { valid: [token] }, seed: 14 });
  try {
    const splunkHome = tempDir('bench-splunk-home-');
    const env: NodeJS.ProcessEnv = { ...process.env, SPLUNK_HOME: splunkHome, ASANA_TOKEN: token };
    delete env.ASANA_AUDIT_LOG_NODE;
    delete env.NODE_COMPILE_CACHE;
    const args = pollArgs({ url: mock.url, workspaceGid: mock.workspaceGid, checkpoint: checkpointPathFor(tempDir('bench-runtime-ckpt-'), 'bench') });
    const drain = spawnSync(launcher, args, { env, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (drain.status !== 0 || !/status=caught_up/.test(drain.stderr)) throw new Error(`the first run did not catch up: ${drain.stderr}`);
    const ran = /node=(\S+)$/m.exec(drain.stderr)?.[1];
    if (ran !== node) throw new Error(`the launcher ran ${ran}, not the app's runtime ${node}`);
    const uncached = { ...env, NODE_DISABLE_COMPILE_CACHE: '1' };
    const nodeMs = await medianWallMs(node, ['-e', '0'], runs, env);
    const schemeMs = await medianWallMs(launcher, ['--scheme'], runs, env);
    const idleMs = await medianWallMs(launcher, args, runs, env);
    const schemeUncachedMs = await medianWallMs(launcher, ['--scheme'], runs, uncached);
    const idleUncachedMs = await medianWallMs(launcher, args, runs, uncached);
    const cache = path.join(splunkHome, 'var/lib/splunk/modinputs/asana_audit_log/node-compile-cache');
    const cached = fs.existsSync(cache) && fs.readdirSync(cache).length > 0 ? 'compile cache filled' : 'compile cache EMPTY';
    const x = (ms: number) => `${Math.round(ms)} ms (${(ms / nodeMs).toFixed(2)}x)`;
    return [
      `| start-up with the app's own Node.js ${version}, median of ${runs} | node -e 0 ${Math.round(nodeMs)} ms; via the launcher with the compile cache (${cached}): --scheme ${x(schemeMs)}, poll run with nothing to fetch ${x(idleMs)}; without it: --scheme ${x(schemeUncachedMs)}, poll run ${x(idleUncachedMs)} |`,
    ];
  } finally {
    await mock.close();
  }
}
