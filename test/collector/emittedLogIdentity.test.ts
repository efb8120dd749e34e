import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collect, type CollectOptions } from '../../src/collector/collector.js';
import { EmittedGidStore } from '../../src/collector/emittedGidStore.js';
import type { EmittedRecord } from '../../src/collector/ports.js';
import { FLAG_NAMES } from '../../src/errors/naming.js';
import { type Logger, silentLogger } from '../../src/logging/logger.js';
import type { AuditLogEvent } from '../../src/model/auditLog.js';
import { KeysetAuditLog } from '../support/keysetAuditLog.js';
import { makeEvent } from '../support/memoryApi.js';
import { MemoryCheckpoints, MemoryEmittedLog, MemorySink } from '../support/memorySinks.js';

const T0 = Date.parse('2026-11-20T12:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** The WARN of a trail whose log is gone: what no kill may ever cause. */
const MISSING_LOG = /the emitted-gid log .* that the checkpoint pairs with/;

interface Parts {
  api: KeysetAuditLog;
  sink: MemorySink;
  checkpoints: MemoryCheckpoints;
  log: MemoryEmittedLog;
  warnings: string[];
}

function parts(): Parts {
  return { api: new KeysetAuditLog(T0), sink: new MemorySink(), checkpoints: new MemoryCheckpoints(), log: new MemoryEmittedLog(), warnings: [] };
}

function run(p: Parts, opts: Partial<CollectOptions> = {}) {
  const logger: Logger = { ...silentLogger, warn: (m: string) => p.warnings.push(m) };
  return collect(
    { source: p.api, sink: p.sink, checkpoints: p.checkpoints, logger, emittedLog: p.log },
    { workspaceGid: '42', filters: {}, pageSize: 3, startAt: iso(T0 - 10 * MIN), now: () => p.api.nowMs, lateEventMs: MIN, ...opts },
  );
}

function gidCounts(events: readonly AuditLogEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.gid, (counts.get(e.gid) ?? 0) + 1);
  return counts;
}

/** Runs once a minute for `minutes`, with five fresh events before each run. */
async function runMinutes(p: Parts, minutes: number, firstGid: number): Promise<number> {
  let gid = firstGid;
  for (let i = 0; i < minutes; i++) {
    p.api.nowMs += MIN;
    p.api.add(...Array.from({ length: 5 }, (_, k) => makeEvent(gid++, iso(p.api.nowMs - 30_000 + k * 1000))));
    await run(p);
  }
  return gid;
}

describe('the emitted-gid log and the checkpoint that pairs with it', () => {
  it('names the log in the trail the checkpoint saves, the identity the log names in its first line', async () => {
    const p = parts();
    await runMinutes(p, 3, 0);
    const trail = p.checkpoints.load()?.trail;
    assert.ok(trail?.logId, 'the trail names its log');
    assert.equal(p.log.id, trail.logId);
    assert.deepEqual(p.warnings, []);
  });

  it('a log deleted behind its back: the next run says so in one WARN (cause, effect, fix) and goes on, re-reading rather than skipping', async () => {
    const p = parts();
    let gid = await runMinutes(p, 3, 0);
    // Shown 50 s late, created before the live cursor's newest event: only the re-read can find it.
    const late = makeEvent(gid++, iso(p.api.nowMs - 20_000));
    p.api.addLate(50_000, late);
    p.log.clear();
    gid = await runMinutes(p, 1, gid);
    assert.equal(p.warnings.length, 1, p.warnings.join('\n'));
    assert.match(
      p.warnings[0] as string,
      /^the emitted-gid log memory\.checkpoint\.emitted that the checkpoint pairs with was deleted\. The re-read of late events \(late_event_minutes\) goes on without the gids it held, so events created since \S+ that it reads again may be sent to Splunk a second time; none is lost\. A new log was started: nothing to do now\. .*checkpoint reset/,
    );
    assert.equal(p.log.id, p.checkpoints.load()?.trail?.logId, 'the pair is whole again');
    await runMinutes(p, 4, gid);
    assert.equal(p.warnings.length, 1, 'said once');
    const counts = gidCounts(p.sink.written);
    for (let g = 0; g < gid; g++) assert.ok((counts.get(String(g)) ?? 0) >= 1, `event ${g} lost`);
    assert.equal(counts.get(late.gid), 1, 'the late event is collected');
  });

  it('a log replaced by another one (another input’s, an old copy): one WARN, and none of its gids hide an event', async () => {
    const p = parts();
    let gid = await runMinutes(p, 2, 0);
    // Another log, under another name, listing a gid this input has not emitted yet.
    const next = makeEvent(gid++, iso(p.api.nowMs + 30_000));
    const bucket = String(Math.floor(Date.parse(next.created_at) / MIN) * MIN);
    p.log.rewrite([{ [bucket]: [next.gid] } as EmittedRecord], 'someoneelse');
    p.api.nowMs += MIN;
    p.api.add(next);
    await run(p);
    assert.equal(p.warnings.length, 1, p.warnings.join('\n'));
    assert.match(
      p.warnings[0] as string,
      /that the checkpoint pairs with was replaced: the file there is not the log the checkpoint was saved with \(it names another one: a copy of another input's log, or of one this input kept before its cursor or its re-read started over\)\. The re-read/,
    );
    assert.equal(gidCounts(p.sink.written).get(next.gid), 1, 'the event is sent');
    gid = await runMinutes(p, 3, gid);
    assert.equal(p.warnings.length, 1);
  });

  it("a damaged first line on disk (the log's name): one WARN, from the load, and none of the log's gids hides an event", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'emitted-header-')), 'acme.checkpoint.emitted');
    const p = { ...parts(), log: new EmittedGidStore({ file, logger }) };
    const runOnDisk = () =>
      collect(
        { source: p.api, sink: p.sink, checkpoints: p.checkpoints, logger, emittedLog: p.log },
        { workspaceGid: '42', filters: {}, pageSize: 3, startAt: iso(T0 - 10 * MIN), now: () => p.api.nowMs, lateEventMs: MIN },
      );
    let gid = 0;
    for (let i = 0; i < 3; i++) {
      p.api.nowMs += MIN;
      p.api.add(...Array.from({ length: 5 }, (_, k) => makeEvent(gid++, iso(p.api.nowMs - 30_000 + k * 1000))));
      await runOnDisk();
    }
    assert.equal(warnings.length, 0, warnings.join('\n'));
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.match(lines[0] as string, /"log":/, 'line 1 names the log');
    // A checksum digit changed: still the shape of our lines, so the file is judged a damaged log, not someone else's file.
    const header = (lines[0] as string).replace(/"sum":"(.)/, (_, d: string) => `"sum":"${d === '0' ? '1' : '0'}`);
    fs.writeFileSync(file, [header, ...lines.slice(1)].join('\n'));
    p.api.nowMs += MIN;
    await runOnDisk();
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(
      warnings[0] as string,
      /has 1 damaged line \(line 1: .* If line 1 named the log, the checkpoint can no longer be matched with it: none of its gids is used\./,
    );
    p.api.nowMs += MIN;
    await runOnDisk();
    assert.equal(warnings.length, 1, 'said once');
    const counts = gidCounts(p.sink.written);
    for (let g = 0; g < gid; g++) assert.ok((counts.get(String(g)) ?? 0) >= 1, `event ${g} lost`);
  });

  it('names the setting as the command line does when run from it', async () => {
    const p = parts();
    await runMinutes(p, 2, 0);
    p.log.clear();
    p.api.nowMs += MIN;
    await run(p, { naming: FLAG_NAMES });
    assert.match(p.warnings[0] as string, /The re-read of late events \(--late-event-minutes\) goes on/);
  });

  it('loads a checkpoint written before logs had names without a WARN, with or without its log, and names the log from then on', async () => {
    for (const keepLog of [true, false]) {
      const p = parts();
      let gid = await runMinutes(p, 3, 0);
      // What the version before wrote: a trail that names no log, and a log whose first line names none.
      for (const cp of p.checkpoints.saved) if (cp.trail) delete cp.trail.logId;
      if (keepLog) p.log.id = undefined;
      else p.log.clear();
      gid = await runMinutes(p, 1, gid);
      assert.deepEqual(p.warnings, [], `keepLog=${keepLog}`);
      const logId = p.checkpoints.load()?.trail?.logId;
      assert.ok(logId !== undefined && logId === p.log.id, `keepLog=${keepLog}: the pair is named`);
      p.log.clear();
      await runMinutes(p, 1, gid);
      assert.equal(p.warnings.length, 1, 'and from then on a deleted log is noticed');
      const counts = gidCounts(p.sink.written);
      for (let g = 0; g < gid; g++) assert.ok((counts.get(String(g)) ?? 0) >= 1, `event ${g} lost`);
    }
  });

  it('keeps naming its log through a backfill plan and the catch-up re-read before it', async () => {
    const p = parts();
    let gid = await runMinutes(p, 2, 0);
    // Five hours pass with events every minute: the live stream is far behind, and backfill windows are planned.
    for (let m = 0; m < 5 * 60; m += 1) p.api.add(makeEvent(gid++, iso(p.api.nowMs + m * MIN)));
    p.api.nowMs += 5 * 60 * MIN;
    const backfill = { concurrency: 4, settleMs: MIN, requestsPerMinute: 10_000 };
    await run(p, { backfill, pageSize: 20 });
    const planned = p.checkpoints.saved.filter((c) => c.windows.length > 0);
    assert.ok(planned.length > 0, 'windows were planned');
    for (const cp of p.checkpoints.saved) assert.equal(cp.trail?.logId, p.log.id, `generation ${cp.generation} names the log`);
    await runMinutes(p, 3, gid);
    assert.deepEqual(p.warnings, []);
  });

  it('never says the log is gone after a kill, whatever durable step the kill lands on, an upgrade from unnamed logs included', async () => {
    /** One scenario: runs a minute apart; run `killRun` dies just before its `killAt`-th durable step (none: -1). Returns the steps per run. */
    async function scenario(killRun: number, killAt: number, legacy: boolean): Promise<{ steps: number[]; warnings: string[] }> {
      const p = parts();
      let step = 0;
      let armed = false;
      const kill = () => {
        if (armed && step++ === killAt) throw new Error('killed');
      };
      const { sink, checkpoints, log } = p;
      const write = sink.write.bind(sink);
      sink.write = async (events) => {
        kill();
        return write(events);
      };
      const save = checkpoints.save.bind(checkpoints);
      checkpoints.save = (cp) => {
        kill();
        save(cp);
      };
      const append = log.append.bind(log);
      log.append = (record) => {
        if (Object.keys(record).length > 0) kill();
        append(record);
      };
      const rewrite = log.rewrite.bind(log);
      log.rewrite = (records, id) => {
        kill();
        rewrite(records, id);
      };
      const clear = log.clear.bind(log);
      log.clear = () => {
        kill();
        clear();
      };
      const steps: number[] = [];
      let gid = 0;
      for (let r = 0; r < 9; r++) {
        p.api.nowMs += r === 5 ? 3 * MIN : MIN;
        p.api.add(...Array.from({ length: 4 }, (_, k) => makeEvent(gid++, iso(p.api.nowMs - 20_000 + k * 2000))));
        p.api.addLate(40_000, makeEvent(gid++, iso(p.api.nowMs - 25_000)));
        if (legacy && r === 2) {
          // An upgrade: what the version before wrote, found by run 2.
          for (const cp of checkpoints.saved) if (cp.trail) delete cp.trail.logId;
          log.id = undefined;
        }
        armed = r === killRun;
        step = 0;
        // Run 6 has the re-read off for a while: the trail and its log are dropped, the checkpoint first.
        const lateEventMs = r === 6 ? 0 : MIN;
        try {
          await run(p, { lateEventMs });
        } catch (e) {
          if ((e as Error).message !== 'killed') throw e;
        }
        steps.push(step);
        armed = false;
      }
      return { steps, warnings: p.warnings };
    }
    for (const legacy of [false, true]) {
      const baseline = await scenario(-1, -1, legacy);
      assert.deepEqual(baseline.warnings, []);
      let kills = 0;
      for (let r = 0; r < 9; r++) {
        // Every step of the run, and none (killAt past the last one): a kill between two steps is a kill just before the second.
        for (let at = 0; at <= 40; at++) {
          const { warnings, steps } = await scenario(r, at, legacy);
          assert.deepEqual(
            warnings.filter((w) => MISSING_LOG.test(w)),
            [],
            `legacy=${legacy}: killed in run ${r} before step ${at}`,
          );
          if (at < (steps[r] ?? 0)) kills++;
          if (at >= (steps[r] ?? 0)) break;
        }
      }
      assert.ok(kills > 60, `${kills} kill points tried`);
    }
  });
});
