import assert from 'node:assert/strict';
import { HealthTracker } from '../../src/cli/healthLine.js';
import type { RunOutcome } from '../../src/runner/runInput.js';

const ok = (events: number, lateEvents = 0): RunOutcome => ({
  status: 'ok',
  summary: { events, pages: 1, lagSeconds: 0, offsetResumes: 0, caughtUp: true, lateEvents },
});

describe('the --follow health line', () => {
  it('counts runs, events and late events, and says failing with the error code until a run succeeds again', () => {
    let now = Date.parse('2026-03-01T00:00:00.000Z');
    const health = new HealthTracker(() => now);
    health.record(ok(120, 3));
    now += 60_000;
    health.record({ status: 'failed', error: Object.assign(new Error('busy'), { code: 'hec_busy' }) });
    health.record({ status: 'failed', error: new Error('?') });
    const failing = health.fields('acme', 'hec', 60, { prefix: 'hec_', stats: { events: 120, pendingAcks: 2 } });
    assert.deepEqual(failing, {
      input: 'acme',
      output: 'hec',
      status: 'failing',
      runs: 3,
      failures_in_row: 2,
      events_total: 120,
      late_events_total: 3,
      uptime_s: 60,
      last_success: '2026-03-01T00:00:00.000Z',
      last_error: 'internal_error',
      next_run_in_s: 60,
      hec_events: 120,
      hec_pending_acks: 2,
    });
    health.record(ok(5, 1));
    const recovered = health.fields('acme', 'stdout', 60);
    assert.equal(recovered.status, 'ok');
    assert.equal(recovered.failures_in_row, 0);
    assert.equal(recovered.events_total, 125);
    assert.equal(recovered.late_events_total, 4);
    assert.equal(recovered.last_error, undefined);
  });

  it('says never for a collector that has not succeeded yet', () => {
    const health = new HealthTracker(() => 0);
    assert.equal(health.fields('acme', 'hec', 60).last_success, 'never');
  });
});
