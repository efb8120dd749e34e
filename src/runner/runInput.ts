import { AuditLogClient } from '../asana/auditLogClient.js';
import { createAsanaAgents, type AsanaAgents } from '../asana/httpAgents.js';
import { collect, type CollectOptions, type CollectSummary } from '../collector/collector.js';
import { CheckpointLockedError, CheckpointStore } from '../collector/checkpointStore.js';
import type { EventSink } from '../collector/ports.js';
import type { Logger } from '../logging/logger.js';
import type { InputSettings } from '../settings/settings.js';
import { errorCode, errorText } from '../errors/codedError.js';
import { resolveStartAt } from './resolveStartAt.js';

export interface RunInputOptions {
  settings: InputSettings;
  sink: EventSink;
  checkpointFile: string;
  /** Where an earlier version kept this checkpoint, moved to checkpointFile once the lock is held. */
  legacyCheckpointFile?: string;
  /** Lines that name this input. */
  logger: Logger;
  /** Receives the one summary line per run (no input prefix: the line carries input=). */
  summaryLogger: Logger;
  resetHint?: string;
  shouldStop?: () => boolean;
  onProgress?: CollectOptions['onProgress'];
  timeScale?: number;
  /** The caller holds the checkpoint's lock for longer than this run (`poll --follow`). */
  lockHeld?: boolean;
  /** Read for HTTPS_PROXY/HTTP_PROXY/NO_PROXY when the settings name no proxy (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export type RunOutcome =
  | { status: 'ok'; summary: CollectSummary }
  | { status: 'locked' }
  | { status: 'failed'; error: unknown };

/**
 * One run of one input: lock, prove the checkpoint can be written, drain pages into the sink,
 * log the summary line. Never throws: the outcome says how it ended.
 */
export async function runInput(opts: RunInputOptions): Promise<RunOutcome> {
  const { settings, logger } = opts;
  const started = Date.now();
  const store = new CheckpointStore({ file: opts.checkpointFile, legacyFile: opts.legacyCheckpointFile, logger, resetHint: opts.resetHint });
  let client: AuditLogClient | undefined;
  let agents: AsanaAgents | undefined;
  let summary: CollectSummary | undefined;
  let outcome: RunOutcome;
  try {
    store.ensureWritable();
    if (!opts.lockHeld) store.lock();
    try {
      agents = createAsanaAgents({ proxyUrl: settings.proxyUrl, caBundle: settings.caBundle, env: opts.env, maxSockets: settings.backfillConcurrency });
      client = new AuditLogClient({
        httpAgent: agents.httpAgent,
        httpsAgent: agents.httpsAgent,
        baseUrl: settings.apiBaseUrl,
        token: settings.token,
        maxRequestsPerMinute: settings.maxRequestsPerMinute,
        // One request in flight per backfill stream, all under the one budget.
        maxConcurrent: settings.backfillConcurrency,
        logger,
        timeScale: opts.timeScale,
      });
      summary = await collect(
        { source: client, sink: opts.sink, checkpoints: store, logger },
        {
          workspaceGid: settings.workspaceGid,
          filters: settings.filters,
          pageSize: settings.pageSize,
          startAt: resolveStartAt(settings.startAt, new Date(), logger),
          shouldStop: opts.shouldStop,
          onProgress: opts.onProgress,
          backfill: {
            concurrency: settings.backfillConcurrency,
            settleMs: settings.backfillSettleMinutes * 60_000,
            requestsPerMinute: settings.maxRequestsPerMinute,
          },
        },
      );
      outcome = { status: 'ok', summary };
    } finally {
      if (!opts.lockHeld) store.unlock();
    }
  } catch (e) {
    if (e instanceof CheckpointLockedError) {
      logger.warn(e.message);
      return { status: 'locked' };
    }
    logger.error(errorText(e), { code: errorCode(e) });
    outcome = { status: 'failed', error: e };
  } finally {
    await client?.close();
    agents?.destroy();
  }
  const stats = client?.stats;
  opts.summaryLogger.info('action=events_ingested', {
    input: settings.name,
    n_events: summary?.events ?? 0,
    pages: summary?.pages ?? 0,
    throttled_waits: stats?.throttledWaits ?? 0,
    retries: stats?.retries ?? 0,
    lag_seconds: summary?.lagSeconds ?? undefined,
    duration_ms: Date.now() - started,
    status: outcome.status === 'ok' ? (summary?.caughtUp ? 'caught_up' : 'stopped') : 'failed',
  });
  return outcome;
}
