import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { registerCheckCommand } from './checkCommand.js';
import { registerCheckpointCommand } from './checkpointCommand.js';
import { registerMockServerCommand } from './mockServerCommand.js';
import { registerPollCommand } from './pollCommand.js';
import type { ProcessIo } from '../runner/processIo.js';
import { errorText } from '../errors/codedError.js';
import { FLAG_NAMES } from '../errors/naming.js';
import { VERSION } from './version.js';

/** The commands people run: poll, check, checkpoint, mock-server. */
export async function runCommandLine(argv: string[], io: ProcessIo): Promise<number> {
  let exitCode = 0;
  const commandIo = {
    stdout: io.stdout,
    stderr: io.stderr as NodeJS.WritableStream & { isTTY?: boolean },
    env: io.env,
    setExitCode: (c: number) => (exitCode = c),
  };
  const program = new Command('asana-audit-log')
    .description('Asana Audit Log collector for Splunk. Run by splunkd with no arguments, --scheme or --validate-arguments; by people with the commands below.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`ERROR ${s.replace(/^error: /, '').trim()}\n`),
    });
  registerPollCommand(program, commandIo);
  registerCheckCommand(program, commandIo);
  registerCheckpointCommand(program, commandIo);
  registerMockServerCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    // Thrown by an action (settings checked after parsing): commander has not printed it.
    if (e instanceof InvalidArgumentError) {
      io.stderr.write(`ERROR ${e.message}\n`);
      return 2;
    }
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    io.stderr.write(`ERROR ${errorText(e, FLAG_NAMES)}\n`);
    return (e as { code?: string }).code === 'commander.invalidArgument' ? 2 : 1;
  }
  return exitCode;
}
