import type { LogFields } from '../logging/logger.js';
import type { RunOutcome } from '../runner/runInput.js';
import { errorCode } from '../errors/codedError.js';

/** What a sink can add to the health line (the HEC sink's counters, for one). */
export type SinkStats = Readonly<Record<string, number>>;

/**
 * The state of a long-running `poll --follow`, told in one `action=health` line after every
 * run, so a service manager's log or a Splunk search shows at a glance whether it keeps up.
 */
export class HealthTracker {
  private runs = 0;
  private failuresInRow = 0;
  private eventsTotal = 0;
  /** Events only the re-read of late events found, over every run: how late Asana shows events. */
  private lateEventsTotal = 0;
  private lastSuccessMs: number | undefined;
  private lastError: string | undefined;
  private readonly startedMs: number;

  constructor(private readonly now: () => number = Date.now) {
    this.startedMs = now();
  }

  record(outcome: RunOutcome): void {
    this.runs++;
    if (outcome.status === 'ok') {
      this.failuresInRow = 0;
      this.eventsTotal += outcome.summary.events;
      this.lateEventsTotal += outcome.summary.lateEvents;
      this.lastSuccessMs = this.now();
      this.lastError = undefined;
    } else if (outcome.status === 'failed') {
      this.failuresInRow++;
      this.lastError = errorCode(outcome.error);
    }
  }

  /** Fields of the health line; sink counters are prefixed with `sink`, e.g. `hec_`. */
  fields(input: string, output: string, nextRunInSeconds: number, sink?: { prefix: string; stats: SinkStats }): LogFields {
    const fields: LogFields = {
      input,
      output,
      status: this.failuresInRow === 0 ? 'ok' : 'failing',
      runs: this.runs,
      failures_in_row: this.failuresInRow,
      events_total: this.eventsTotal,
      late_events_total: this.lateEventsTotal,
      uptime_s: Math.round((this.now() - this.startedMs) / 1000),
      last_success: this.lastSuccessMs === undefined ? 'never' : new Date(this.lastSuccessMs).toISOString(),
      last_error: this.lastError,
      next_run_in_s: nextRunInSeconds,
    };
    if (sink) for (const [k, v] of Object.entries(sink.stats)) fields[`${sink.prefix}${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`] = v;
    return fields;
  }
}
