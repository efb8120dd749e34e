import assert from 'node:assert/strict';
import { collect } from '../../src/collector/collector.js';
import { silentLogger } from '../../src/logging/logger.js';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { KeysetAuditLog } from '../support/keysetAuditLog.js';
import { makeEvent } from '../support/memoryApi.js';
import { MemoryCheckpoints, MemoryEmittedLog, MemorySink } from '../support/memorySinks.js';
import { inputXml, parseEventStream, runLauncher, tempDir } from '../support/splunkdHarness.js';
import { recordFigure, scaled, seededRandom } from './figures.js';

const TOKEN = 'late-token-7d3e1f';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('late events: Asana shows them after the live stream passed their time', function () {
  this.timeout(0);
  let mock: MockAsana | undefined;
  afterEach(async () => mock?.close());

  it('delivers events shown up to 55 s late once with late_event_minutes=1, through the launcher in real time, and loses them with 0', async () => {
    mock = await startMockAsana({ tokens: { valid: [TOKEN] } });
    const random = seededRandom(13);
    const inputs = [1, 0].map((late) => ({
      late,
      xml: inputXml({
        checkpointDir: tempDir(`late-${late}-`),
        name: `late${late}`,
        params: { workspace_gid: mock!.workspaceGid, token: TOKEN, api_base_url: mock!.url, start_at: '-10m', late_event_minutes: String(late) },
      }),
      delivered: [] as string[],
      deliveredAt: new Map<string, number>(),
      pages: 0,
    }));
    const delays: number[] = [];
    const lateGids = new Set<string>();
    const createdAt = new Map<string, number>();
    let gid = 1_290_000_000_000_000;
    const started = Date.now();
    // Runs every 10 s, as an input with interval = 10 would; new events for the first minute, then 100 s more of runs.
    while (Date.now() - started < 160_000) {
      if (Date.now() - started < 60_000) {
        const now = Date.now();
        for (let i = 0; i < 20; i++) {
          const event = { gid: String(gid++), created_at: new Date(now - Math.floor(random() * 2000)).toISOString(), event_type: 'user_login_succeeded' };
          createdAt.set(event.gid, Date.parse(event.created_at));
          if (random() < 0.2) {
            const delay = Math.floor(random() * 55_000);
            delays.push(delay);
            lateGids.add(event.gid);
            mock.addLateEvents([event], delay);
          } else mock.addEvents([event]);
        }
      }
      for (const input of inputs) {
        const run = await runLauncher([], input.xml);
        assert.equal(run.code, 0, run.stderr);
        for (const e of parseEventStream(run.stdout)) {
          input.delivered.push(e.data.gid);
          input.deliveredAt.set(e.data.gid, Date.now());
        }
        input.pages += Number(/ pages=(\d+)/.exec(run.stderr)?.[1] ?? 0);
      }
      await sleep(10_000);
    }
    const all = [...createdAt.keys()];
    const [on, off] = inputs as [(typeof inputs)[0], (typeof inputs)[0]];
    const lost = (input: typeof on) => all.filter((g) => !input.delivered.includes(g)).length;
    const dups = (input: typeof on) => input.delivered.length - new Set(input.delivered).size;
    assert.equal(lost(on), 0);
    assert.equal(dups(on), 0);
    assert.ok(lost(off) > 0, 'without the re-read, late events behind the cursor are lost');
    const slowest = Math.max(...all.map((g) => (on.deliveredAt.get(g) as number) - (createdAt.get(g) as number)));
    assert.ok(slowest <= 150_000, `slowest event reached the output ${slowest} ms after its created_at`);
    const extraPerEvent = (on.pages - off.pages) / all.length;
    recordFigure({
      area: 'late events',
      what: `through the launcher every 10 s, late_event_minutes=1: ${lateGids.size} of ${all.length} events shown ${Math.round(Math.min(...delays) / 1000)}-${Math.round(Math.max(...delays) / 1000)} s late`,
      tried: lateGids.size,
      lost: lost(on),
      duplicates: dups(on),
      note: `${extraPerEvent.toFixed(3)} extra requests per event; slowest event out ${Math.round(slowest / 1000)} s after its created_at`,
    });
    recordFigure({
      area: 'late events',
      what: 'the same events with late_event_minutes=0 (re-read off)',
      tried: lateGids.size,
      lost: lost(off),
      duplicates: dups(off),
      note: 'the late events behind the live cursor are lost: why the re-read exists',
    });
  });

  it('delivers every event once at 100,000 events an hour, shown up to 60 min late, with kills and expired offsets (in-process, injected clock)', async () => {
    const T0 = Date.parse('2026-11-20T00:00:00.000Z');
    const MIN = 60_000;
    const late = 60 * MIN;
    const random = seededRandom(29);
    const api = new KeysetAuditLog(T0);
    const sink = new MemorySink();
    const checkpoints = new MemoryCheckpoints();
    const log = new MemoryEmittedLog();
    const hours = scaled(4);
    const perMinute = Math.round(100_000 / 60);
    let gid = 0;
    let lateCount = 0;
    let kills = 0;
    let mostLogged = 0;
    const opts = { workspaceGid: '42', filters: {}, pageSize: 100, startAt: new Date(T0).toISOString(), now: () => api.nowMs, lateEventMs: late };
    const deps = () => ({ source: api, sink: killable(sink, random, () => kills++), checkpoints, logger: silentLogger, emittedLog: log });
    for (let minute = 1; minute <= hours * 60 + 90; minute++) {
      api.nowMs = T0 + minute * MIN;
      if (minute <= hours * 60) {
        for (let i = 0; i < perMinute; i++) {
          const event = makeEvent(gid++, new Date(api.nowMs - MIN + Math.floor((i * MIN) / perMinute)).toISOString());
          if (random() < 0.02) {
            lateCount++;
            api.addLate(Math.floor(random() * late), event);
          } else api.add(event);
        }
      }
      api.expireOffset = () => random() < 0.01;
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await collect(deps(), opts);
          break;
        } catch {
          // A kill or an offset that kept expiring: the next run resumes.
        }
      }
      mostLogged = Math.max(
        mostLogged,
        log.lines.reduce((n, r) => n + Object.values(r).reduce((m, g) => m + g.length, 0), 0),
      );
    }
    const counts = new Map<string, number>();
    for (const e of sink.written) counts.set(e.gid, (counts.get(e.gid) ?? 0) + 1);
    const lost = gid - counts.size;
    const duplicates = sink.written.length - counts.size;
    assert.equal(lost, 0);
    assert.equal(duplicates, 0, 'kills before the flush repeat nothing');
    const rereads = api.queries.filter((q) => q.background).length;
    recordFigure({
      area: 'late events',
      what: `${gid.toLocaleString('en-US')} events at 100,000 an hour over ${hours} h, ${lateCount} shown 0-60 min late, late_event_minutes=60, ${kills} kills, 1% of offsets expired`,
      tried: lateCount,
      lost,
      duplicates,
      note: `${(rereads / gid).toFixed(3)} extra requests per event; the gid log held at most ${mostLogged.toLocaleString('en-US')} gids`,
    });
  });
});

/** A sink that dies before flushing now and then: nothing of that page reached the output. */
function killable(sink: MemorySink, random: () => number, onKill: () => void): MemorySink {
  return Object.assign(Object.create(sink) as MemorySink, {
    write: async (events: readonly import('../../src/model/auditLog.js').AuditLogEvent[]) => {
      if (random() < 0.002) {
        onKill();
        throw new Error('killed');
      }
      return sink.write(events);
    },
  });
}
