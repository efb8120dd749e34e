import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitBatches, toHecLine } from '../../../src/sinks/hec/hecEvent.js';
import { readHecPayload } from '../../../src/mock/hecPayload.js';
import { auditEvent } from '../../support/events.js';

describe('HEC event envelope', () => {
  it('carries created_at as epoch seconds with exactly three decimals and the event unchanged', () => {
    const event = { gid: '1', created_at: '2026-01-31T10:20:30.100Z', event_type: 'user_login_succeeded', context: { ip: '10.0.0.1', note: '"}\n\u2028😀' } };
    const line = toHecLine(auditEvent(event), { sourcetype: 'asana:audit', source: 'asana_audit_log://acme', host: 'collector1', index: 'asana' });
    assert.match(line, /^\{"time":1769854830\.100,/);
    assert.deepEqual(JSON.parse(line), {
      time: 1769854830.1,
      event,
      sourcetype: 'asana:audit',
      source: 'asana_audit_log://acme',
      host: 'collector1',
      index: 'asana',
    });
  });

  it("leaves out metadata that was not given, so the token's defaults apply", () => {
    const line = toHecLine(auditEvent({ gid: '2', created_at: '2026-01-31T10:20:30Z' }), { sourcetype: 'asana:audit' });
    assert.deepEqual(Object.keys(JSON.parse(line)), ['time', 'event', 'sourcetype']);
    assert.match(line, /"time":1769854830\.000,/);
  });

  it('is read back by the mock HEC exactly as written', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gid: fc.stringMatching(/^\d{1,16}$/),
            created_at: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
            note: fc.string(),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (events) => {
          const body = events.map((e) => toHecLine(auditEvent(e), { sourcetype: 'asana:audit' })).join('\n');
          const read = readHecPayload(body, undefined);
          assert.ok(read.ok);
          assert.deepEqual(
            read.envelopes.map((e) => e.event),
            JSON.parse(JSON.stringify(events)),
          );
          assert.deepEqual(
            read.envelopes.map((e) => e.time),
            events.map((e) => Date.parse(e.created_at) / 1000),
          );
        },
      ),
    );
  });
});

describe('HEC batching', () => {
  it('keeps every line, in order, within the count and byte limits (a lone oversized line goes alone)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 300 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 2_000 }),
        (lines, maxEvents, maxBytes) => {
          const batches = splitBatches(lines, { maxEvents, maxBytes });
          assert.equal(
            batches.reduce((n, b) => n + b.events, 0),
            lines.length,
          );
          assert.equal(batches.map((b) => b.body).join('\n'), lines.join('\n'));
          for (const b of batches) {
            assert.ok(b.events >= 1 && b.events <= maxEvents);
            if (b.events > 1) assert.ok(Buffer.byteLength(b.body) + 1 <= maxBytes, 'over the byte limit');
          }
        },
      ),
    );
  });

  it('fills batches up to the limits instead of sending one event per request', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `{"event":${i}}`);
    assert.equal(splitBatches(lines, { maxEvents: 100, maxBytes: 1_000_000 }).length, 10);
    assert.equal(splitBatches([], { maxEvents: 100, maxBytes: 1_000_000 }).length, 0);
  });
});
