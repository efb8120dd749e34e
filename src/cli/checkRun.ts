import { Redactor } from '../logging/redactor.js';
import { proxyPasswordOf } from '../net/proxyUrl.js';
import { ProcessLogger } from '../logging/processLogger.js';
import { FLAG_NAMES } from '../errors/naming.js';
import { checkAccess } from '../runner/checkAccess.js';
import { settingsFromFlags } from './cliSettings.js';
import type { ConnectionFlags } from './connectionOptions.js';
import type { CommandIo } from './pollCommand.js';

/** What `check` does with its parsed flags. */
export async function runCheck(flags: ConnectionFlags, io: CommandIo): Promise<void> {
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
}
