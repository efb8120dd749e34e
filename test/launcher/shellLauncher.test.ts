import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeApp, fakeNode, runFakeLauncher, toolsDir, type FakeApp } from './fakeApp.js';

/** The one line a refusal must be: a level word, what was found, and what to do. */
function assertOneErrorLine(stderr: string, found: RegExp): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line, got: ${stderr}`);
  const line = lines[0] as string;
  assert.match(line, /^ERROR /);
  assert.match(line, found);
  return line;
}

describe('launcher (bin/asana_audit_log.sh): which node it runs', () => {
  let app: FakeApp;
  let tools: string;
  let emptyDir: string;
  beforeEach(() => {
    app = fakeApp();
    tools = toolsDir(app.root);
    emptyDir = join(app.root, 'empty');
    mkdirSync(emptyDir);
  });
  afterEach(() => rmSync(app.root, { recursive: true, force: true }));

  /** PATH with the launcher's tools and, when given, a folder holding a fake `node`. */
  const pathWith = (nodeDir?: string) => (nodeDir ? `${nodeDir}:${tools}` : tools);

  it('refuses Node 20.0 on PATH with one ERROR line naming it and its version', () => {
    const node = fakeNode(join(app.root, 'path', 'node'), 'v20.0.0', 'path');
    const run = runFakeLauncher(app.launcher, { PATH: pathWith(join(app.root, 'path')) });
    assert.equal(run.status, 1);
    assertOneErrorLine(run.stderr, new RegExp(`found: ${node} \\(is v20\\.0\\.0, older than 20\\.19\\.0\\)\\. Install`));
    assert.equal(run.stdout, '');
  });

  it('refuses Node 20.18.1, one minor short of the minimum', () => {
    fakeNode(join(app.root, 'path', 'node'), 'v20.18.1', 'path');
    const run = runFakeLauncher(app.launcher, { PATH: pathWith(join(app.root, 'path')) });
    assert.equal(run.status, 1);
    assertOneErrorLine(run.stderr, /\(is v20\.18\.1, older than 20\.19\.0\)/);
  });

  it("refuses Node 18 at $SPLUNK_HOME/bin/node and names both it and PATH's Node 20.0", () => {
    const home = join(app.root, 'splunk');
    const splunkNode = fakeNode(join(home, 'bin', 'node'), 'v18.19.0', 'splunk');
    const pathNode = fakeNode(join(app.root, 'path', 'node'), 'v20.0.0', 'path');
    const run = runFakeLauncher(app.launcher, { PATH: pathWith(join(app.root, 'path')), SPLUNK_HOME: home });
    assert.equal(run.status, 1);
    assertOneErrorLine(run.stderr, new RegExp(`found: ${splunkNode} \\(is v18\\.19\\.0, older than 20\\.19\\.0\\); ${pathNode} \\(is v20\\.0\\.0`));
  });

  it('refuses when there is no node at all, saying so and how to get one', () => {
    const run = runFakeLauncher(app.launcher, { PATH: pathWith(emptyDir) });
    assert.equal(run.status, 1);
    const line = assertOneErrorLine(run.stderr, /found: no node at all \(no bin\/runtime\/node, no \$SPLUNK_HOME\/bin\/node, none on PATH\)/);
    assert.match(
      line,
      /Install this app's package for this platform \(it carries its own Node\.js\), or Node\.js 20\.19\.0\+ on this host, or point ASANA_AUDIT_LOG_NODE at one$/,
    );
  });

  it('refuses an ASANA_AUDIT_LOG_NODE that is too old instead of quietly running another node', () => {
    const chosen = fakeNode(join(app.root, 'chosen', 'node'), 'v20.0.0', 'chosen');
    fakeNode(join(app.bin, 'runtime', 'node'), 'v24.21.0', 'runtime');
    const run = runFakeLauncher(app.launcher, { PATH: tools, ASANA_AUDIT_LOG_NODE: chosen });
    assert.equal(run.status, 1);
    assertOneErrorLine(run.stderr, new RegExp(`^ERROR ASANA_AUDIT_LOG_NODE=${chosen} is v20\\.0\\.0, older than 20\\.19\\.0: point ASANA_AUDIT_LOG_NODE at`));
  });

  it('refuses an ASANA_AUDIT_LOG_NODE that does not exist', () => {
    const run = runFakeLauncher(app.launcher, { PATH: tools, ASANA_AUDIT_LOG_NODE: join(app.root, 'nowhere', 'node') });
    assert.equal(run.status, 1);
    assertOneErrorLine(run.stderr, /ASANA_AUDIT_LOG_NODE=\S+\/nowhere\/node is not an executable file/);
  });

  it('accepts Node 20.19.0 exactly, and runs it with the flags and the program beside the launcher', () => {
    fakeNode(join(app.root, 'path', 'node'), 'v20.19.0', 'path');
    const run = runFakeLauncher(app.launcher, { PATH: pathWith(join(app.root, 'path')) });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^ran path cache=\\S+ args=--max-semi-space-size=2 --no-warnings ${app.bin}/ta_asana_audit_log\\.cjs --scheme$`, 'm'));
    assert.equal(run.stderr, '');
  });

  it('takes ASANA_AUDIT_LOG_NODE, then the app runtime, then $SPLUNK_HOME/bin/node, then PATH', () => {
    const home = join(app.root, 'splunk');
    const chosen = fakeNode(join(app.root, 'chosen', 'node'), 'v22.0.0', 'chosen');
    fakeNode(join(app.bin, 'runtime', 'node'), 'v24.21.0', 'runtime');
    fakeNode(join(home, 'bin', 'node'), 'v22.12.0', 'splunk');
    fakeNode(join(app.root, 'path', 'node'), 'v24.0.0', 'path');
    const env = { PATH: pathWith(join(app.root, 'path')), SPLUNK_HOME: home };
    const ran = (extra: Record<string, string> = {}) => /^ran (\w+)/.exec(runFakeLauncher(app.launcher, { ...env, ...extra }).stdout)?.[1];
    assert.equal(ran({ ASANA_AUDIT_LOG_NODE: chosen }), 'chosen');
    assert.equal(ran(), 'runtime');
    rmSync(join(app.bin, 'runtime'), { recursive: true });
    assert.equal(ran(), 'splunk');
    fakeNode(join(home, 'bin', 'node'), 'v20.0.0', 'splunk');
    assert.equal(ran(), 'path');
  });

  it('passes over an app runtime that does not run on this host (another CPU) to the node on PATH', () => {
    fakeNode(join(app.bin, 'runtime', 'node'), null, 'runtime');
    fakeNode(join(app.root, 'path', 'node'), 'v22.12.0', 'path');
    const run = runFakeLauncher(app.launcher, { PATH: pathWith(join(app.root, 'path')) });
    assert.match(run.stdout, /^ran path /);
    fakeNode(join(app.root, 'path', 'node'), 'v18.0.0', 'path');
    const refused = runFakeLauncher(app.launcher, { PATH: pathWith(join(app.root, 'path')) });
    assertOneErrorLine(refused.stderr, /found: \S+\/bin\/runtime\/node \(does not run on this host\); \S+\/path\/node \(is v18\.0\.0/);
  });

  it('runs the same under dash and bash --posix', () => {
    fakeNode(join(app.root, 'path', 'node'), 'v24.0.0', 'path');
    for (const shell of [['dash'], ['bash', '--posix']]) {
      const run = runFakeLauncher(
        app.launcher,
        { PATH: pathWith(join(app.root, 'path')) },
        shell.map((s, i) => (i === 0 ? `/bin/${s}` : s)),
      );
      assert.match(run.stdout, /^ran path /, `${shell.join(' ')}: ${run.stderr}`);
    }
  });
});

describe('launcher (bin/asana_audit_log.sh): where it finds itself', () => {
  let app: FakeApp;
  let env: Record<string, string>;
  beforeEach(() => {
    app = fakeApp();
    fakeNode(join(app.bin, 'runtime', 'node'), 'v24.21.0', 'runtime');
    env = { PATH: toolsDir(app.root) };
  });
  afterEach(() => rmSync(app.root, { recursive: true, force: true }));

  it('follows a chain of absolute and relative symlinks to the app (as npm install -g links it)', () => {
    const links = join(app.root, 'links', 'deeper');
    mkdirSync(links, { recursive: true });
    symlinkSync(app.launcher, join(app.root, 'links', 'absolute'));
    symlinkSync('../absolute', join(links, 'relative'));
    const run = runFakeLauncher(join(links, 'relative'), env);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^ran runtime .* ${app.bin}/ta_asana_audit_log\\.cjs --scheme$`, 'm'));
  });

  it('follows a symlinked folder too', () => {
    symlinkSync(app.bin, join(app.root, 'linked-bin'));
    const run = runFakeLauncher(join(app.root, 'linked-bin', 'asana_audit_log.sh'), env);
    assert.match(run.stdout, /^ran runtime /, run.stderr);
  });

  it('says in one line which program is missing when the bundle is not beside it', () => {
    rmSync(join(app.bin, 'ta_asana_audit_log.cjs'));
    const run = runFakeLauncher(app.launcher, env);
    assert.equal(run.status, 1);
    assertOneErrorLine(run.stderr, /^ERROR the program \S+\/ta_asana_audit_log\.cjs is missing: reinstall the add-on/);
  });
});

describe('launcher (bin/asana_audit_log.sh): the compile cache', () => {
  let app: FakeApp;
  let tools: string;
  beforeEach(() => {
    app = fakeApp();
    fakeNode(join(app.bin, 'runtime', 'node'), 'v24.21.0', 'runtime');
    tools = toolsDir(app.root);
  });
  afterEach(() => rmSync(app.root, { recursive: true, force: true }));

  const cacheOf = (env: Record<string, string>) => /cache=(\S+)/.exec(runFakeLauncher(app.launcher, { PATH: tools, ...env }).stdout)?.[1];

  it('keeps it under $SPLUNK_HOME/var/lib/splunk, outside the app folder, creating it', () => {
    const home = join(app.root, 'splunk');
    assert.equal(cacheOf({ SPLUNK_HOME: home }), join(home, 'var/lib/splunk/modinputs/asana_audit_log/node-compile-cache'));
  });

  it('keeps it under the user cache folder outside Splunk', () => {
    assert.equal(cacheOf({ HOME: join(app.root, 'home') }), join(app.root, 'home', '.cache', 'ta-asana-audit-log', 'node-compile-cache'));
  });

  it('goes without it, silently, when the folder cannot be made', () => {
    const home = join(app.root, 'not-a-folder');
    writeFileSync(home, 'a file where $SPLUNK_HOME should be');
    const run = runFakeLauncher(app.launcher, { PATH: tools, SPLUNK_HOME: home });
    assert.match(run.stdout, /^ran runtime cache=none /);
    assert.equal(run.stderr, '');
  });

  it('leaves a NODE_COMPILE_CACHE that is already set alone', () => {
    assert.equal(cacheOf({ NODE_COMPILE_CACHE: '/elsewhere' }), '/elsewhere');
  });
});
