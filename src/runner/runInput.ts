import { AuditLogClient } from '../asana/auditLogClient.js';
import { createAsanaAgents, type AsanaAgents } from '../asana/httpAgents.js';
import { collect, type CollectOptions, type CollectSummary } from '../collector/collector.js';
import { CheckpointLockedError, CheckpointStore } from '../collector/checkpointStore.js';
import { EmittedGidStore, emittedLogPathFor } from '../collector/emittedGidStore.js';
import type { EventSink } from '../collector/ports.js';
import type { Logger } from '../logging/logger.js';
import type { InputSettings } from '../settings/settings.js';
import { errorCode, errorText } from '../errors/codedError.js';
import { type Naming, SETTING_NAMES } from '../errors/naming.js';
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
  /** Called before the summary line: a terminal's progress line is cleared first. */
  onProgressEnd?: () => void;
  timeScale?: number;
  /** The caller holds the checkpoint's lock for longer than this run (`poll --follow`). */
  lockHeld?: boolean;
  /** Read for HTTPS_PROXY/HTTP_PROXY/NO_PROXY when the settings name no proxy (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** What messages call the settings (default: the modular input's setting names). */
  naming?: Naming;
}

export type RunOutcome = { status: 'ok'; summary: CollectSummary } | { status: 'locked' } | { status: 'failed'; error: unknown };

/**
 * One run of one input: lock, prove the checkpoint can be written, drain pages into the sink,
 * log the summary line. Never throws: the outcome says how it ended.
 */
export async function runInput(opts: RunInputOptions): Promise<RunOutcome> {
  const { settings, logger } = opts;
  const naming = opts.naming ?? SETTING_NAMES;
  const started = Date.now();
  const store = new CheckpointStore({ file: opts.checkpointFile, legacyFile: opts.legacyCheckpointFile, logger, resetHint: opts.resetHint });
  let client: AuditLogClient | undefined;
  let agents: AsanaAgents | undefined;
  let summary: CollectSummary | undefined;
  // What is delivered and checkpointed so far (progress is reported after each checkpoint save):
  // the summary of a run that fails part-way counts it, not zero.
  let checkpointed: CollectSummary | undefined;
  const onProgress: CollectOptions['onProgress'] = (p) => {
    checkpointed = p;
    opts.onProgress?.(p);
  };
  let outcome: RunOutcome;
  try {
    store.ensureWritable();
    if (!opts.lockHeld) store.lock();
    if (settings.deprecated.includes('backfill_settle_minutes')) {
      const [old, now] = [naming.backfillSettleMinutes, naming.lateEventMinutes];
      logger.warn(`${old} is deprecated: it is read as ${now} (${settings.lateEventMinutes} minutes); set ${now} instead and remove ${old}`);
    }
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
        naming,
      });
      summary = await collect(
        { source: client, sink: opts.sink, checkpoints: store, logger, emittedLog: new EmittedGidStore({ file: emittedLogPathFor(store.file), logger }) },
        {
          workspaceGid: settings.workspaceGid,
          filters: settings.filters,
          pageSize: settings.pageSize,
          startAt: resolveStartAt(settings.startAt, new Date(), logger, naming),
          shouldStop: opts.shouldStop,
          onProgress,
          lateEventMs: settings.lateEventMinutes * 60_000,
          naming,
          backfill: {
            concurrency: settings.backfillConcurrency,
            settleMs: settings.lateEventMinutes * 60_000,
            requestsPerMinute: settings.maxRequestsPerMinute,
          },
        },
      );
      outcome = { status: 'ok', summary };
    } finally {
      if (!opts.lockHeld) store.unlock();
    }
  } catch (e) {
    opts.onProgressEnd?.();
    if (e instanceof CheckpointLockedError) {
      logger.warn(e.message);
      return { status: 'locked' };
    }
    logger.error(errorText(e, naming), { code: errorCode(e) });
    outcome = { status: 'failed', error: e };
  } finally {
    await client?.close();
    agents?.destroy();
  }
  const stats = client?.stats;
  const counted = summary ?? checkpointed;
  opts.onProgressEnd?.();
  opts.summaryLogger.info('action=events_ingested', {
    input: settings.name,
    n_events: counted?.events ?? 0,
    pages: counted?.pages ?? 0,
    throttled_waits: stats?.throttledWaits ?? 0,
    retries: stats?.retries ?? 0,
    lag_seconds: counted?.lagSeconds ?? undefined,
    late_events: counted?.lateEvents ?? 0,
    duration_ms: Date.now() - started,
    status: outcome.status === 'ok' ? (summary?.caughtUp ? 'caught_up' : 'stopped') : 'failed',
    // The launcher picks one of several nodes (README, Installing): say which ran this.
    node_version: process.version,
    node: process.execPath,
  });
  return outcome;
}
