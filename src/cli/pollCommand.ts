import { type Command, InvalidArgumentError, Option } from 'commander';
import { CONNECTION_OPTIONS, type ConnectionFlags } from './connectionOptions.js';
import { addHecOptions, type HecFlags } from './hecFlags.js';

export interface PollFlags extends ConnectionFlags, HecFlags {
  checkpoint?: string;
  output: 'stdout' | 'hec';
  format: 'ndjson' | 'xml';
  follow?: boolean;
  interval: number;
}

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  setExitCode: (code: number) => void;
}

const seconds = (text: string) => {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('must be a whole number of seconds, at least 1');
  return Number(text);
};

/**
 * `poll`: the collector outside Splunk, writing events to stdout. Its flags only: what a run does
 * (pollRun.ts) is loaded once the flags are parsed, so `--help` and a bad flag stay quick.
 */
export function registerPollCommand(program: Command, io: CommandIo): void {
  const cmd = program
    .command('poll')
    .description('Collect audit log events to stdout (NDJSON or Splunk XML) or to Splunk HTTP Event Collector, resuming from a checkpoint file');
  for (const [flags, description] of CONNECTION_OPTIONS) cmd.option(flags, description);
  cmd
    .option('--name <name>', 'name of this collector in logs (default workspace-<gid>)')
    .option('--checkpoint <file>', 'checkpoint file (default ./asana-audit-log-<workspace>.checkpoint)')
    .addOption(new Option('--output <output>', 'where events go: stdout, or Splunk HTTP Event Collector').choices(['stdout', 'hec']).default('stdout'))
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'xml']).default('ndjson'))
    .option('--follow', 'keep polling every --interval seconds until stopped')
    .option('--interval <seconds>', 'seconds between polls with --follow', seconds, 60);
  addHecOptions(cmd).action(async (flags: PollFlags) => (await import('./pollRun.js')).runPoll(flags, io));
}
