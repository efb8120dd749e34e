import { InvalidArgumentError } from 'commander';
import { CheckpointStore, NotACheckpointError, checkpointPathFor, legacyCheckpointPathFor } from '../collector/checkpointStore.js';
import { EmittedGidStore, emittedLogPathFor } from '../collector/emittedGidStore.js';
import { FLAG_NAMES, SETTING_NAMES } from '../errors/naming.js';
import { silentLogger } from '../logging/logger.js';
import type { CommandIo } from './pollCommand.js';

// What `checkpoint show` and `checkpoint reset` do with their parsed flags.

/** Where a run without a checkpoint starts: the command line's flag, and the setting of a Splunk input (whose checkpoint these commands also handle). */
const STARTS_AT = `${FLAG_NAMES.startAt} (${SETTING_NAMES.startAt} for a Splunk input)`;

export interface Where {
  file?: string;
  dir?: string;
  input?: string;
}

function fileOf(where: Where): { file: string; legacyFile?: string } {
  if (where.file) return { file: where.file };
  if (where.dir && where.input) return { file: checkpointPathFor(where.dir, where.input), legacyFile: legacyCheckpointPathFor(where.dir, where.input) };
  throw new InvalidArgumentError(
    'name the checkpoint: --file FILE, or --dir CHECKPOINT_DIR --input NAME (Splunk keeps them in $SPLUNK_HOME/var/lib/splunk/modinputs/asana_audit_log)',
  );
}

/** `checkpoint show`: the checkpoint as JSON. */
export function showCheckpoint(flags: Where, io: CommandIo): void {
  const store = new CheckpointStore({ ...fileOf(flags), logger: silentLogger });
  const found = store.inspect();
  if (found.kind === 'other') throw new NotACheckpointError(store.file, found.what, 'nothing to show');
  const cp = store.load();
  if (!cp) {
    io.stdout.write(`no checkpoint at ${store.file}: the next run starts at ${STARTS_AT}\n`);
    return;
  }
  io.stdout.write(`${JSON.stringify({ file: store.file, ...cp }, null, 2)}\n`);
}

/** `checkpoint reset`: deletes one input's cursor and its emitted-gid log; any other file is left alone. */
export function resetCheckpoint(flags: Where, io: CommandIo): void {
  const store = new CheckpointStore({ ...fileOf(flags), logger: silentLogger });
  // Before the lock: taking it would create a file next to whatever was named.
  const found = store.inspect();
  if (found.kind === 'other') throw new NotACheckpointError(store.file, found.what, 'nothing was deleted');
  store.lock();
  try {
    // The gids the re-read of late events needs go with the cursor they belong to.
    const deleted = [...store.reset(), ...new EmittedGidStore({ file: emittedLogPathFor(store.file), logger: silentLogger }).reset()];
    io.stdout.write(
      deleted.length > 0 ? `deleted ${listed(deleted)}: the next run starts at ${STARTS_AT}\n` : `no checkpoint at ${store.file}: nothing to reset\n`,
    );
  } finally {
    store.unlock();
  }
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
