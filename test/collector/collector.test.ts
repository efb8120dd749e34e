import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AsanaApiError } from '../../src/asana/asanaApiError.js';
import { collect } from '../../src/collector/collector.js';
import { silentLogger } from '../../src/logging/logger.js';
import { MemoryAuditLog, eventSeries, makeEvent } from '../support/memoryApi.js';
import { MemoryCheckpoints, MemorySink } from '../support/memorySinks.js';

const base = { workspaceGid: '42', filters: {}, pageSize: 10 };

function gids(events: { gid: string }[]): string[] {
  return events.map((e) => e.gid);
}

describe('collect', () => {
  it('drains every page once and stops at the first empty page', async () => {
    const api = new MemoryAuditLog();
    api.add(...eventSeries(35));
    const sink = new MemorySink();
    const checkpoints = new MemoryCheckpoints();
    const summary = await collect({ source: api, sink, checkpoints, logger: silentLogger }, base);
    assert.deepEqual(gids(sink.written), gids(api.events));
    assert.equal(summary.events, 35);
    assert.equal(summary.pages, 5); // 10+10+10+5, then the empty page
    assert.equal(summary.caughtUp, true);
  });

  it('resumes on the next run from the saved offset with no repeats', async () => {
    const api = new MemoryAuditLog();
    api.add(...eventSeries(25));
    const checkpoints = new MemoryCheckpoints();
    const first = new MemorySink();
    await collect({ source: api, sink: first, checkpoints, logger: silentLogger }, base);
    api.add(...eventSeries(7, Date.parse('2026-11-02T00:00:00.000Z')).map((e, i) => ({ ...e, gid: String(5000 + i) })));
    const second = new MemorySink();
    const summary = await collect({ source: api, sink: second, checkpoints, logger: silentLogger }, base);
    assert.equal(second.written.length, 7);
    assert.deepEqual([...gids(first.written), ...gids(second.written)], gids(api.events));
    assert.ok(api.queries.at(-1)?.offset, 'the second run continued from an offset');
    assert.equal(summary.offsetResumes, 0);
  });

  it('asks again next run when next_page is null because nothing matches yet', async () => {
    const api = new MemoryAuditLog();
    const checkpoints = new MemoryCheckpoints();
    const sink = new MemorySink();
    const opts = { ...base, startAt: '2026-10-01T00:00:00.000Z' };
    const summary = await collect({ source: api, sink, checkpoints, logger: silentLogger }, opts);
    assert.equal(summary.events, 0);
    assert.equal(checkpoints.load()?.cursor.offset, null);
    assert.equal(checkpoints.load()?.cursor.startAt, '2026-10-01T00:00:00.000Z', 'start_at is anchored for later runs');
    api.add(...eventSeries(3));
    await collect({ source: api, sink, checkpoints, logger: silentLogger }, { ...opts, startAt: '2026-11-20T00:00:00.000Z' });
    assert.equal(sink.written.length, 3, 'the anchored start_at wins over a re-resolved relative start_at');
    assert.equal(api.queries.at(-2)?.startAt, '2026-10-01T00:00:00.000Z');
  });

  it('writes the checkpoint only after the page was flushed', async () => {
    const api = new MemoryAuditLog();
    api.add(...eventSeries(30));
    const checkpoints = new MemoryCheckpoints();
    const sink = new MemorySink();
    sink.failAfter = 15; // the second page fails to write
    await assert.rejects(collect({ source: api, sink, checkpoints, logger: silentLogger }, base), /EPIPE/);
    assert.equal(checkpoints.load()?.eventsEmitted, 10);
    const retry = new MemorySink();
    await collect({ source: api, sink: retry, checkpoints, logger: silentLogger }, base);
    assert.deepEqual([...gids(sink.written), ...gids(retry.written)], gids(api.events));
  });

  it('leaves the checkpoint exactly as it was when the API refuses the token', async () => {
    const api = new MemoryAuditLog();
    api.add(...eventSeries(12));
    const checkpoints = new MemoryCheckpoints();
    await collect({ source: api, sink: new MemorySink(), checkpoints, logger: silentLogger }, base);
    const before = JSON.stringify(checkpoints.load());
    api.failNext.push(new AsanaApiError({ code: 'unauthorized', status: 401, retryable: false }));
    await assert.rejects(collect({ source: api, sink: new MemorySink(), checkpoints, logger: silentLogger }, base), { code: 'unauthorized' });
    assert.equal(JSON.stringify(checkpoints.load()), before);
  });

  it('resumes from the last emitted instant when the offset expired, without loss or repeats', async () => {
    const api = new MemoryAuditLog();
    // Five events share each millisecond so page boundaries cut through instants.
    api.add(...eventSeries(43, undefined, 5));
    const checkpoints = new MemoryCheckpoints();
    const first = new MemorySink();
    await collect({ source: api, sink: first, checkpoints, logger: silentLogger }, { ...base, pageSize: 7 });
    api.add(...eventSeries(9, Date.parse('2026-11-01T00:00:00.008Z'), 5).map((e, i) => ({ ...e, gid: String(9000 + i) })));
    api.expire();
    const second = new MemorySink();
    const summary = await collect({ source: api, sink: second, checkpoints, logger: silentLogger }, { ...base, pageSize: 7 });
    assert.equal(summary.offsetResumes, 1);
    const all = [...gids(first.written), ...gids(second.written)];
    assert.equal(new Set(all).size, all.length, 'no event twice');
    assert.deepEqual([...all].sort(), gids(api.events).sort(), 'every event once');
  });

  it('gives up after repeated offset rejections instead of looping', async () => {
    const api = new MemoryAuditLog();
    api.add(...eventSeries(30));
    api.expireAll = true;
    await assert.rejects(collect({ source: api, sink: new MemorySink(), checkpoints: new MemoryCheckpoints(), logger: silentLogger }, base), {
      code: 'offset_expired',
    });
  });

  it('starts a new cursor when the filters change', async () => {
    const api = new MemoryAuditLog();
    api.add(...eventSeries(5));
    const checkpoints = new MemoryCheckpoints();
    await collect({ source: api, sink: new MemorySink(), checkpoints, logger: silentLogger }, base);
    const sink = new MemorySink();
    await collect({ source: api, sink, checkpoints, logger: silentLogger }, { ...base, filters: { event_type: 'user_login_succeeded' } });
    assert.equal(sink.written.length, 5);
    assert.deepEqual(checkpoints.load()?.filters, { event_type: 'user_login_succeeded' });
  });

  it('passes events through unchanged, unknown fields and all', async () => {
    const api = new MemoryAuditLog();
    const odd = makeEvent(1, '2026-11-01T00:00:00.001Z', { brand_new_field: { nested: [1, '<&]]>'] }, actor: { actor_type: 'user' } });
    api.add(odd);
    const sink = new MemorySink();
    await collect({ source: api, sink, checkpoints: new MemoryCheckpoints(), logger: silentLogger }, base);
    assert.deepEqual(sink.written, [odd]);
  });

  it('delivers every event exactly once across crashes, expiries and page sizes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.record({ failAt: fc.integer({ min: 0, max: 60 }), expire: fc.boolean() }), { maxLength: 5 }),
        async (n, perInstant, pageSize, runs) => {
          const api = new MemoryAuditLog();
          api.add(...eventSeries(n, undefined, perInstant));
          const checkpoints = new MemoryCheckpoints();
          const delivered: string[] = [];
          for (const run of runs) {
            if (run.expire) api.expire();
            const sink = new MemorySink();
            sink.failAfter = run.failAt;
            try {
              await collect({ source: api, sink, checkpoints, logger: silentLogger }, { ...base, pageSize });
            } catch (e) {
              // The only failure a run may end on here is the sink's, standing in for a crash.
              assert.match((e as Error).message, /EPIPE/);
            }
            delivered.push(...gids(sink.written));
          }
          const last = new MemorySink();
          await collect({ source: api, sink: last, checkpoints, logger: silentLogger }, { ...base, pageSize });
          delivered.push(...gids(last.written));
          assert.deepEqual([...new Set(delivered)].sort(), gids(api.events).sort(), 'nothing lost');
          assert.equal(delivered.length, new Set(delivered).size, 'a failed write is never counted as delivered, so nothing repeats');
        },
      ),
      { numRuns: 300 },
    );
  });
});
