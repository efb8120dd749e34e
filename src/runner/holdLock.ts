import { CheckpointLockedError, CheckpointStore } from '../collector/checkpointStore.js';
import type { Logger } from '../logging/logger.js';
import { errorCode, errorText } from '../errors/codedError.js';

/**
 * Takes a checkpoint's lock for the life of a long-running collector, so a second collector on
 * the same checkpoint is turned away at start instead of slipping in between two runs.
 * Undefined when it could not be taken; the reason is logged (a WARN when another holds it).
 */
export function holdCheckpointLock(checkpointFile: string, logger: Logger, resetHint?: string): { release(): void } | undefined {
  const store = new CheckpointStore({ file: checkpointFile, logger, resetHint });
  try {
    store.ensureWritable();
    store.lock();
  } catch (e) {
    if (e instanceof CheckpointLockedError) logger.warn(e.message);
    else logger.error(errorText(e), { code: errorCode(e) });
    return undefined;
  }
  let held = true;
  const release = () => {
    if (held) store.unlock();
    held = false;
  };
  // A plain exit (a second signal, for one) still frees the lock; SIGKILL leaves it to be taken over.
  process.once('exit', release);
  return {
    release: () => {
      process.off('exit', release);
      release();
    },
  };
}
