import assert from 'node:assert/strict';
import { runChild } from '../support/cli.js';

/** `npm start`'s program, run as npm runs it (from the repository, after the build). */
function demo(args: string[]) {
  return runChild(process.execPath, ['build/tools/demo.js', ...args], { env: { ...process.env, DEMO_EVENTS: '300', DEMO_PAUSE_MS: '300' } });
}

describe('npm start (the demo)', function () {
  this.timeout(60_000);

  it('shows the two runs, a few events of each and the counts, not the whole event stream', async () => {
    const run = await demo([]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '', 'no XML stream on the terminal');
    const lines = run.stderr.trim().split('\n');
    assert.ok(lines.length < 30, `${lines.length} lines`);
    assert.match(run.stderr, /npm start -- --full/);
    const summaries = [...run.stderr.matchAll(/^INFO action=events_ingested input=demo n_events=(\d+) .*status=caught_up( |$)/gm)].map((m) => Number(m[1]));
    const shown = [...run.stderr.matchAll(/^--- stdout: (\d+) events as Splunk's XML stream/gm)].map((m) => Number(m[1]));
    assert.equal(summaries.length, 2, run.stderr);
    assert.deepEqual(shown, summaries, 'the counts shown are the events written');
    assert.ok((summaries[0] ?? 0) >= 300);
    assert.equal(lines.filter((l) => /^ {4}\d{4}-\d\d-\d\dT\S+Z {2}\w+/.test(l)).length, 3 + Math.min(3, summaries[1] ?? 0));
  });

  it('prints the whole event stream with --full', async () => {
    const run = await demo(['--full']);
    assert.equal(run.code, 0, run.stderr);
    const written = [...run.stderr.matchAll(/^INFO action=events_ingested input=demo n_events=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal((run.stdout.match(/<event /g) ?? []).length, written);
    assert.doesNotMatch(run.stderr, /^--- stdout/m);
  });
});
