import type { Command } from 'commander';
import type { Where } from './checkpointRun.js';
import type { CommandIo } from './pollCommand.js';

/** `checkpoint show|reset`: look at or delete one input's cursor (checkpointRun.ts); any other file is left alone. */
export function registerCheckpointCommand(program: Command, io: CommandIo): void {
  const group = program.command('checkpoint').description("Show or reset an input's checkpoint");
  const where = (c: Command) =>
    c
      .option('--file <file>', "checkpoint file (poll's --checkpoint)")
      .option('--dir <dir>', "a modular input's checkpoint_dir")
      .option('--input <name>', 'the input name (the part after asana_audit_log://)');

  where(group.command('show').description('Print the checkpoint as JSON')).action(async (flags: Where) =>
    (await import('./checkpointRun.js')).showCheckpoint(flags, io),
  );
  where(group.command('reset').description('Delete the checkpoint: the next run starts again at start_at (events may be ingested again)')).action(
    async (flags: Where) => (await import('./checkpointRun.js')).resetCheckpoint(flags, io),
  );
}
