import path from 'node:path';
import type { EventSink } from '../collector/ports.js';
import { Redactor } from '../logging/redactor.js';
import { proxyPasswordOf } from '../net/proxyUrl.js';
import { ProcessLogger } from '../logging/processLogger.js';
import { NdjsonEventStream } from '../sinks/ndjson/ndjsonEventStream.js';
import { XmlEventStream } from '../sinks/xml/xmlEventStream.js';
import { settingsFromFlags } from './cliSettings.js';
import { HealthTracker } from './healthLine.js';
import { refuseHecFlagsWithoutHec } from './hecFlags.js';
import { holdCheckpointLock } from '../runner/holdLock.js';
import { isHecError } from '../sinks/hec/hecErrors.js';
import type { HecSink } from '../sinks/hec/hecSink.js';
import { progressReporter } from './progress.js';
import { FLAG_NAMES } from '../errors/naming.js';
import { runInput } from '../runner/runInput.js';
import { installStopHandlers } from '../runner/stopSignals.js';
import type { CommandIo, PollFlags } from './pollCommand.js';

/** What `poll` does with its parsed flags. The HEC code is loaded only for `--output hec`. */
export async function runPoll(flags: PollFlags, io: CommandIo): Promise<void> {
  refuseHecFlagsWithoutHec(flags);
  const settings = settingsFromFlags(flags, io.env);
  const hec = flags.output === 'hec' ? await import('./hecOptions.js') : undefined;
  const hecSettings = hec?.hecSettingsFromFlags(flags, io.env, settings.name);
  const redactor = new Redactor();
  redactor.add(settings.token);
  redactor.add(proxyPasswordOf(settings.proxyUrl));
  redactor.add(hecSettings?.token);
  redactor.add(proxyPasswordOf(hecSettings?.proxyUrl));
  const base = new ProcessLogger({ level: settings.logLevel, redactor, stderr: io.stderr });
  const logger = base.forInput(settings.name);
  const hecSink: HecSink | undefined = hec && hecSettings ? hec.hecSinkFor(hecSettings, logger, { env: io.env }) : undefined;
  const sink: EventSink & { close(): Promise<void> } =
    hecSink ?? (flags.format === 'xml' ? new XmlEventStream(io.stdout, { stanza: `asana_audit_log://${settings.name}` }) : new NdjsonEventStream(io.stdout));
  const checkpointFile = path.resolve(flags.checkpoint ?? `asana-audit-log-${settings.workspaceGid}.checkpoint`);
  const stop = installStopHandlers(logger);
  const progress = progressReporter(io.stderr);
  const resetHint = `asana-audit-log checkpoint reset --file "${checkpointFile}"`;
  // A long-running collector keeps its checkpoint's lock between runs, not only during them.
  const lock = flags.follow ? holdCheckpointLock(checkpointFile, logger, resetHint) : undefined;
  const health = new HealthTracker();
  const lockRefused = flags.follow === true && lock === undefined;
  let failed = lockRefused;
  while (!lockRefused) {
    const outcome = await runInput({
      settings,
      sink,
      checkpointFile,
      logger,
      summaryLogger: base,
      shouldStop: stop.requested,
      onProgress: (p) => progress.update(p),
      onProgressEnd: () => progress.done(),
      resetHint,
      lockHeld: lock !== undefined,
      env: io.env,
      naming: FLAG_NAMES,
    });
    failed = outcome.status !== 'ok';
    if (flags.follow) {
      health.record(outcome);
      base.info('action=health', health.fields(settings.name, flags.output, flags.interval, hecSink ? { prefix: 'hec_', stats: hecSink.stats } : undefined));
    }
    // A refused HEC token or index does not mend itself: stop instead of failing every interval.
    const fatalHec = outcome.status === 'failed' && isHecError(outcome.error) && !outcome.error.retryable;
    if (!flags.follow || stop.requested() || outcome.status === 'locked' || fatalHec) break;
    await sleepUnlessStopped(flags.interval * 1000, stop.requested);
    if (stop.requested()) break;
  }
  try {
    await sink.close();
  } catch (e) {
    logger.error(`the output closed early (${(e as Error).message})`, { code: 'output_closed' });
    failed = true;
  }
  lock?.release();
  await base.close();
  io.setExitCode(failed ? 1 : 0);
}

async function sleepUnlessStopped(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(250, until - Date.now())));
  }
}
