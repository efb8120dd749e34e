import type { Command } from 'commander';
import { CONNECTION_OPTIONS, type ConnectionFlags } from './connectionOptions.js';
import type { CommandIo } from './pollCommand.js';

/** `check`: one live call that says whether the token and workspace work, and why not (checkRun.ts). */
export function registerCheckCommand(program: Command, io: CommandIo): void {
  const cmd = program.command('check').description("Check that the token can read the organization's audit log");
  for (const [flags, description, use] of CONNECTION_OPTIONS) if (use !== 'pollOnly') cmd.option(flags, description);
  cmd.action(async (flags: ConnectionFlags) => (await import('./checkRun.js')).runCheck(flags, io));
}
