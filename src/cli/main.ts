import type { ProcessIo } from '../runner/processIo.js';

/**
 * splunkd runs the program with `--scheme`, with `--validate-arguments`, or with no argument at
 * all; people run the named commands. Each mode loads only its own code: splunkd starts the
 * program every interval, so start-up time is paid over and over.
 */
export async function main(argv: string[], io: ProcessIo): Promise<number> {
  const args = argv.slice(2);
  if (args.length === 0) return (await import('../runner/modularInput.js')).runModularInput(io);
  if (args.length === 1 && args[0] === '--scheme') return (await import('./schemeMode.js')).printScheme(io);
  if (args.length === 1 && args[0] === '--validate-arguments') return (await import('../runner/modularInput.js')).validateArguments(io);
  return (await import('./commandLine.js')).runCommandLine(argv, io);
}
