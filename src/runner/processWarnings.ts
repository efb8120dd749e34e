/**
 * Node prints its process warnings as `(node:PID) Warning: …`, a line with no level word that
 * splunkd files as an error of unknown origin. The launcher starts node with --no-warnings, which
 * silences that printout but still emits the 'warning' event (Node's documented behaviour); this
 * handler turns each warning into one WARN line that says what it means for the add-on.
 */
export function installWarningLines(stderr: NodeJS.WritableStream): void {
  process.on('warning', (warning: Error) => {
    stderr.write(`${warningLine(warning)}\n`);
  });
}

/** The one WARN line for a process warning. */
export function warningLine(warning: Pick<Error, 'name' | 'message'>): string {
  if (/NODE_TLS_REJECT_UNAUTHORIZED/.test(warning.message)) {
    // Every agent sets rejectUnauthorized itself, so the variable changes nothing here.
    return "WARN NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment and has no effect: this add-on's certificates are always verified; remove it from the environment splunkd (or the service) runs with";
  }
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 500);
  return `WARN Node.js warning (${oneLine(warning.name)}): ${oneLine(warning.message)}`;
}
