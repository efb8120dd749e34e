import { installWarningLines } from '../runner/processWarnings.js';
import { main } from './main.js';
import type { ProcessIo } from '../runner/processIo.js';

installWarningLines(process.stderr);

// The bundle's entry: real process streams, and an exit code once stdout is flushed. stdin is
// opened when a mode reads it (splunkd's XML), not at every start: Node builds the stream on first use.
const io: ProcessIo = {
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
};
main(process.argv, io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`ERROR unexpected failure: ${String((e as Error)?.message ?? e).replace(/\s*\n\s*/g, ' | ')}\n`);
    process.exitCode = 1;
  },
);
