import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../support/freePort.js';
import { LAUNCHER, tempDir } from '../support/splunkdHarness.js';

/**
 * The command-line examples in the docs, run as written through the launcher, so the docs
 * cannot drift from the program. Each ```sh block that runs the tool carries a marker comment
 * on the line before it that says how it runs:
 *   <!-- example: mock server -->           starts the mock; kept running for the others
 *   <!-- example: mock -->                  runs against the mock to the end, exit 0, no ERROR
 *   <!-- example: mock, until stopped -->   runs against the mock until SIGTERM after its first run
 *   <!-- example: splunk host -->           runs in a fake $SPLUNK_HOME holding the add-on
 *   <!-- example: needs a real ... -->      not run; the text before it must say so
 * The one liberty taken: the mock's port 8910 becomes a free port, so tests can run side by side.
 */

const DOCS = ['README.md', 'CONTRIBUTING.md', ...fs.readdirSync('docs', { recursive: true, encoding: 'utf8' }).map((f) => path.join('docs', f))].filter((f) =>
  f.endsWith('.md'),
);
const RUNS_THE_TOOL = /(^|\s|\/)(asana-audit-log|asana_audit_log\.sh)\s/m;

interface Example {
  file: string;
  marker: string | undefined;
  code: string;
  before: string;
}

function examples(): Example[] {
  const found: Example[] = [];
  for (const file of DOCS) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
      const before = text.slice(0, m.index);
      const marker = /<!-- example: ([^>]*?) -->\n$/.exec(before)?.[1];
      found.push({ file, marker, code: m[1] as string, before: before.slice(-700) });
    }
  }
  return found;
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<number | null>;
}

describe('the documented command-line examples run as written (through the launcher, against the mock)', function () {
  this.timeout(120_000);
  const all = examples();
  let port: number;
  let env: NodeJS.ProcessEnv;
  let splunkHome: string;
  let mockServer: Run | undefined;
  let pasteable: string | undefined;

  /** Runs a block (or a line) in sh -e, in its own process group and working directory. */
  const sh = (code: string, cwd = tempDir('doc-example-')): Run => {
    const child = spawn('sh', ['-ec', code.replaceAll('8910', String(port))], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const done = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    return { child, stdout: () => stdout, stderr: () => stderr, done };
  };

  const waitFor = async (what: string, test: () => boolean, run: Run) => {
    const until = Date.now() + 30_000;
    while (!test()) {
      if (Date.now() > until || run.child.exitCode !== null) throw new Error(`no ${what}:\n${run.stdout()}\n${run.stderr()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const noErrors = (run: Run) => {
    for (const line of run.stderr().split('\n')) assert.doesNotMatch(line, /^ERROR /, run.stderr());
  };

  before(async () => {
    port = await freePort();
    const binDir = tempDir('doc-example-bin-');
    fs.writeFileSync(path.join(binDir, 'asana-audit-log'), `#!/bin/sh\nexec '${LAUNCHER}' "$@"\n`, { mode: 0o755 });
    splunkHome = tempDir('doc-example-splunk-');
    fs.mkdirSync(path.join(splunkHome, 'etc', 'apps'), { recursive: true });
    fs.symlinkSync(path.dirname(path.dirname(LAUNCHER)), path.join(splunkHome, 'etc', 'apps', 'TA-asana-audit-log'));
    const nodeChoice = process.env.ASANA_AUDIT_LOG_NODE ? { ASANA_AUDIT_LOG_NODE: process.env.ASANA_AUDIT_LOG_NODE } : {};
    env = { PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: tempDir('doc-example-home-'), SPLUNK_HOME: splunkHome, ...nodeChoice };
    const starts = all.filter((e) => e.marker === 'mock server');
    assert.equal(starts.length, 1, 'one documented way to start the mock');
    mockServer = sh((starts[0] as Example).code);
    await waitFor('poll command from mock-server', () => / poll .*\n/.test(mockServer!.stdout()), mockServer);
    pasteable = mockServer
      .stdout()
      .split('\n')
      .find((l) => l.includes(' poll '))
      ?.trim();
  });

  after(async () => {
    if (mockServer?.child.pid && mockServer.child.exitCode === null) {
      process.kill(-mockServer.child.pid, 'SIGTERM');
      await mockServer.done;
    }
  });

  it('marks every example that runs the tool with how it runs', () => {
    const unmarked = all.filter((e) => RUNS_THE_TOOL.test(e.code) && e.marker === undefined);
    assert.deepEqual(
      unmarked.map((e) => `${e.file}: ${e.code.split('\n')[0]}`),
      [],
    );
    for (const e of all.filter((x) => x.marker !== undefined)) {
      assert.match(e.marker ?? '', /^(mock server|mock|mock, until stopped|splunk host|needs a real .+)$/, `${e.file}: unknown marker`);
    }
    assert.ok(all.filter((e) => e.marker === 'mock').length >= 1);
  });

  it('says in plain text what each example that is not run needs', () => {
    for (const e of all.filter((x) => x.marker?.startsWith('needs a real'))) {
      assert.match(e.before, /needs? a real Asana organization/i, `${e.file}: say what the example needs where a reader sees it`);
    }
  });

  it('the poll command mock-server prints works pasted as it is', async () => {
    assert.ok(pasteable, mockServer?.stdout());
    assert.match(pasteable, /--base-url http:\/\/127\.0\.0\.1:\d+\/api\/1\.0 /);
    const dir = tempDir('doc-example-paste-');
    const run = sh(pasteable, dir);
    assert.equal(await run.done, 0, run.stderr());
    noErrors(run);
    assert.match(run.stderr(), /^INFO action=events_ingested .*status=caught_up( |$)/m);
    assert.ok(fs.readFileSync(path.join(dir, 'mock-events.ndjson'), 'utf8').split('\n').length > 1000);
  });

  for (const e of examples().filter((x) => x.marker === 'mock')) {
    it(`${e.file}: ${e.code
      .split('\n')
      .find((l) => RUNS_THE_TOOL.test(l))
      ?.trim()} …`, async () => {
      const run = sh(e.code);
      assert.equal(await run.done, 0, `${run.stdout()}\n${run.stderr()}`);
      noErrors(run);
    });
  }

  for (const e of examples().filter((x) => x.marker === 'mock, until stopped')) {
    it(`${e.file}: ${e.code
      .split('\n')
      .find((l) => RUNS_THE_TOOL.test(l))
      ?.trim()} … (until stopped)`, async () => {
      const run = sh(e.code);
      await waitFor('health line', () => /^INFO action=health /m.test(run.stderr()), run);
      process.kill(-(run.child.pid as number), 'SIGTERM');
      await run.done;
      noErrors(run);
      assert.match(run.stderr(), /^INFO action=events_ingested .*status=caught_up( |$)/m);
    });
  }

  for (const e of examples().filter((x) => x.marker === 'splunk host')) {
    it(`${e.file}: ${e.code.split('\n')[0]?.slice(0, 60)} … (on a Splunk host)`, async () => {
      // A checkpoint for input acme where splunkd keeps it, made by a real run against the mock.
      const checkpoint = path.join(splunkHome, 'var/lib/splunk/modinputs/asana_audit_log/acme.checkpoint');
      const seed = sh(
        `ASANA_TOKEN=mock-token asana-audit-log poll --base-url http://127.0.0.1:8910/api/1.0 --workspace 1200000000000001 --checkpoint '${checkpoint}' >/dev/null`,
      );
      assert.equal(await seed.done, 0, seed.stderr());
      const run = sh(e.code);
      assert.equal(await run.done, 0, `${run.stdout()}\n${run.stderr()}`);
      noErrors(run);
      if (/checkpoint show/.test(e.code)) assert.match(run.stdout(), /"workspaceGid": "1200000000000001"/);
      if (/checkpoint reset/.test(e.code)) assert.ok(!fs.existsSync(checkpoint), 'reset deleted the checkpoint');
    });
  }
});
