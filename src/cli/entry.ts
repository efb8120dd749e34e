import { installWarningLines } from '../runner/processWarnings.js';
import { main } from './main.js';

installWarningLines(process.stderr);

// The bundle's entry: real process streams, and an exit code once stdout is flushed.
main(process.argv, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`ERROR unexpected failure: ${String((e as Error)?.message ?? e).replace(/\s*\n\s*/g, ' | ')}\n`);
    process.exitCode = 1;
  },
);
