import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Filters } from '../../src/model/auditLog.js';
import { EventStore } from '../../src/mock/store.js';
import type { StorePosition } from '../../src/mock/offsets.js';

interface E {
  gid: string;
  created_at: string;
  event_type: string;
  actor: { actor_type: string; gid?: string };
  resource: { gid: string };
}

const T = Date.parse('2025-01-01T00:00:00.000Z');
const eventArb = fc.record({
  t: fc.integer({ min: 0, max: 40 }),
  type: fc.constantFrom('a', 'b', 'c'),
  actorType: fc.constantFrom('user', 'asana'),
  actorGid: fc.constantFrom('u1', 'u2'),
  resourceGid: fc.constantFrom('r1', 'r2', 'r3'),
});
const filtersArb = fc.record(
  {
    event_type: fc.constantFrom('a', 'b', 'c', 'zzz'),
    actor_type: fc.constantFrom('user', 'asana'),
    actor_gid: fc.constantFrom('u1', 'u2'),
    resource_gid: fc.constantFrom('r1', 'r2', 'r3'),
  },
  { requiredKeys: [] },
);

describe('mock event store', () => {
  it('pages any filter set and window in (created_at, arrival) order, resuming after each page without gaps', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 60 }),
        filtersArb,
        fc.option(fc.integer({ min: 0, max: 40 })),
        fc.option(fc.integer({ min: 0, max: 41 })),
        fc.integer({ min: 1, max: 7 }),
        (specs, filters, start, end, limit) => {
          const store = new EventStore();
          const events: E[] = specs.map((s, i) => ({
            gid: String(i),
            created_at: new Date(T + s.t).toISOString(),
            event_type: s.type,
            actor: s.actorType === 'user' ? { actor_type: 'user', gid: s.actorGid } : { actor_type: 'asana' },
            resource: { gid: s.resourceGid },
          }));
          for (const e of events) store.add(e);
          const startMs = start === null ? undefined : T + start;
          const endMs = end === null ? undefined : T + end;
          const expected = events
            .map((e, seq) => ({ e, seq, t: Date.parse(e.created_at) }))
            .sort((a, b) => a.t - b.t || a.seq - b.seq)
            .filter(({ t }) => (startMs === undefined || t >= startMs) && (endMs === undefined || t < endMs))
            .filter(({ e }) => matches(e, filters))
            .map(({ e }) => e.gid);
          const got: string[] = [];
          let after: StorePosition | undefined;
          for (let guard = 0; guard < 100; guard++) {
            const page = store.page({ filters, startMs, endMs, after, limit });
            got.push(...page.json.map((b) => (JSON.parse(b.toString()) as E).gid));
            if (!page.last) break;
            after = page.last;
          }
          assert.deepEqual(got, expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns events exactly as added, non-ASCII included', () => {
    const store = new EventStore();
    const event = { gid: '1', created_at: '2025-01-01T00:00:00.000Z', name: 'Ōta 🌸 ]]> \u0001' };
    store.add(event);
    assert.deepEqual(store.events(), [event]);
  });

  it('refuses an event without a parseable created_at', () => {
    assert.throws(() => new EventStore().add({ gid: '1', created_at: 'soon' }), TypeError);
  });
});

function matches(e: E, f: Filters): boolean {
  return (
    (f.event_type === undefined || e.event_type === f.event_type) &&
    (f.actor_type === undefined || e.actor.actor_type === f.actor_type) &&
    (f.actor_gid === undefined || e.actor.gid === f.actor_gid) &&
    (f.resource_gid === undefined || e.resource.gid === f.resource_gid)
  );
}
