import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeCheckpointFile, encodeCheckpointFile } from '../../src/collector/checkpoint.js';
import { errorLines, acmeInputPerTest, parseEventStream } from '../support/splunkdHarness.js';

const TOKEN = 'hostile-emitted-token-5e7a9c1b3d';

describe('hostile input: the emitted-gid log beside the checkpoint (e2e, through the launcher)', function () {
  this.timeout(60_000);
  const input = acmeInputPerTest(TOKEN, 4, 'hostile-emitted-');
  let log: string;
  beforeEach(() => {
    log = path.join(input.dir, 'acme.checkpoint.emitted');
  });

  /** The one ERROR of a run refused because of the file at the log's path; nothing fetched, the file and the checkpoint untouched. */
  async function assertRefused(what: RegExp): Promise<void> {
    const content = fs.readFileSync(log);
    const checkpoint = fs.existsSync(path.join(input.dir, 'acme.checkpoint')) ? fs.readFileSync(path.join(input.dir, 'acme.checkpoint'), 'utf8') : undefined;
    const before = input.asana.stats().requests;
    const r = await input.run();
    assert.equal(r.code, 1, r.stderr);
    const errors = errorLines(r.stderr);
    assert.equal(errors.length, 1, r.stderr);
    assert.match(
      errors[0] as string,
      new RegExp(`^ERROR input=acme ${escapeRegExp(log)} is not this add-on's emitted-gid log \\(it looks like ${what.source}\\)`),
    );
    assert.match(errors[0] as string, /move it elsewhere.* code=not_an_emitted_log$/);
    assert.doesNotMatch(r.stderr, /^WARN/m);
    assert.equal(parseEventStream(r.stdout).length, 0);
    assert.equal(input.asana.stats().requests, before, 'nothing fetched');
    assert.deepEqual(fs.readFileSync(log), content, 'the file is neither overwritten nor truncated');
    const after = fs.existsSync(path.join(input.dir, 'acme.checkpoint')) ? fs.readFileSync(path.join(input.dir, 'acme.checkpoint'), 'utf8') : undefined;
    assert.equal(after, checkpoint, 'the checkpoint did not move');
  }

  it('an NDJSON output at the log path of a new input: one ERROR naming it, nothing fetched, the file left as it was', async () => {
    fs.writeFileSync(log, '{"gid":"1","created_at":"2026-11-20T12:00:00.000Z"}\n{"gid":"2","created_at":"2026-11-20T12:00:01.000Z"}\n');
    await assertRefused(/NDJSON/);
  });

  it('a note without a final newline, or a copy of the checkpoint, put in place of the log of a running input: one ERROR each, the file left as it was', async () => {
    const first = await input.run();
    assert.equal(first.code, 0, first.stderr);
    assert.ok(fs.existsSync(log), 'the first run wrote its log');
    fs.writeFileSync(log, 'remember the milk');
    await assertRefused(/text/);
    fs.copyFileSync(path.join(input.dir, 'acme.checkpoint'), log);
    await assertRefused(/a checkpoint file/);
  });

  it('a log deleted between runs: one WARN names the file, the cause, the effect and the fix, the run goes on, and the next one says nothing', async () => {
    const first = await input.run();
    assert.equal(first.code, 0, first.stderr);
    fs.rmSync(log);
    input.asana.generateEvents(2);
    const second = await input.run();
    assert.equal(second.code, 0, second.stderr);
    const warns = second.stderr.split('\n').filter((l) => l.startsWith('WARN'));
    assert.equal(warns.length, 1, second.stderr);
    assert.match(
      warns[0] as string,
      new RegExp(
        `^WARN input=acme the emitted-gid log ${escapeRegExp(log)} that the checkpoint pairs with was deleted\\. The re-read of late events \\(late_event_minutes\\) goes on without the gids it held, so events created since \\S+ that it reads again may be sent to Splunk a second time; none is lost\\. A new log was started: nothing to do now\\. .*checkpoint reset`,
      ),
    );
    assert.equal(parseEventStream(second.stdout).length, 2, 'the new events are collected');
    assert.ok(fs.existsSync(log), 'a new log was started');
    const third = await input.run();
    assert.equal(third.code, 0, third.stderr);
    assert.doesNotMatch(third.stderr, /^WARN/m);
  });

  it('a checkpoint and a log written before logs had names (the previous release) load without a WARN, and name each other from then on', async () => {
    const first = await input.run();
    assert.equal(first.code, 0, first.stderr);
    // What the previous release wrote: generations whose trail names no log, and a log without its naming first line.
    const checkpointFile = path.join(input.dir, 'acme.checkpoint');
    const { generations } = decodeCheckpointFile(fs.readFileSync(checkpointFile, 'utf8'));
    assert.ok(
      generations.some((g) => g.trail?.logId !== undefined),
      'this release names the log',
    );
    for (const g of generations) if (g.trail) delete g.trail.logId;
    fs.writeFileSync(checkpointFile, encodeCheckpointFile(generations));
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    assert.match(lines[0] as string, /^\{"sum":"[0-9a-f]{16}","log":"[0-9a-f]+"\}$/);
    fs.writeFileSync(log, lines.slice(1).join('\n'));
    input.asana.generateEvents(2);
    const second = await input.run();
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /^WARN/m);
    assert.equal(parseEventStream(second.stdout).length, 2);
    const named = decodeCheckpointFile(fs.readFileSync(checkpointFile, 'utf8')).generations.at(-1)?.trail?.logId;
    assert.ok(named !== undefined, 'the checkpoint names its log again');
    assert.match(fs.readFileSync(log, 'utf8'), new RegExp(`^\\{"sum":"[0-9a-f]{16}","log":"${named}"\\}\\n`));
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
