import type { Logger } from '../logging/logger.js';

export interface StopControl {
  requested: () => boolean;
}

/**
 * splunkd sends SIGTERM when it shuts down or the input is disabled. The first signal lets the
 * page in hand finish and its checkpoint be saved; a second one exits at once, which is still
 * safe because the checkpoint only ever trails what was written.
 */
export function installStopHandlers(logger: Logger): StopControl {
  let stopped = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopped) process.exit(143);
    stopped = true;
    logger.info(`received ${signal}: finishing the page in hand, then exiting`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { requested: () => stopped };
}
