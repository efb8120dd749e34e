import type { Command } from 'commander';
import { Redactor } from '../logging/redactor.js';
import { proxyPasswordOf } from '../net/proxyUrl.js';
import { ProcessLogger } from '../logging/processLogger.js';
import { FLAG_NAMES } from '../errors/naming.js';
import { checkAccess } from '../runner/checkAccess.js';
import { CONNECTION_OPTIONS, type ConnectionFlags, settingsFromFlags } from './cliSettings.js';
import type { CommandIo } from './pollCommand.js';

/** `check`: one live call that says whether the token and workspace work, and why not. */
export function registerCheckCommand(program: Command, io: CommandIo): void {
  const cmd = program.command('check').description("Check that the token can read the organization's audit log");
  for (const [flags, description, use] of CONNECTION_OPTIONS) if (use !== 'pollOnly') cmd.option(flags, description);
  cmd.action(async (flags: ConnectionFlags) => {
    const settings = settingsFromFlags(flags, io.env);
    const redactor = new Redactor();
    redactor.add(settings.token);
    redactor.add(proxyPasswordOf(settings.proxyUrl));
    const logger = new ProcessLogger({ level: settings.logLevel, redactor, stderr: io.stderr });
    const result = await checkAccess(settings, logger.forInput(settings.name), io.env, FLAG_NAMES);
    if (result.ok) {
      io.stdout.write(
        `OK: the token can read the audit log of organization ${settings.workspaceGid} at ${settings.apiBaseUrl}${result.sawEvents ? '' : ' (no events match yet)'}\n`,
      );
      io.setExitCode(0);
    } else {
      io.stdout.write(`FAILED (${result.code}): ${redactor.redact(result.message)}\n`);
      io.setExitCode(1);
    }
    await logger.close();
  });
}
