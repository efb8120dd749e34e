import { ARGS } from '../settings/args.js';
import { renderScheme } from '../splunk/schemeXml.js';
import type { ProcessIo } from '../runner/processIo.js';

/** `--scheme`: splunkd's introspection, derived from the one definition of the args. */
export function printScheme(io: ProcessIo): number {
  io.stdout.write(renderScheme(ARGS));
  return 0;
}
