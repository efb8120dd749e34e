/** An fs error as `CODE: message` (Node's words, e.g. `ENOENT: no such file or directory, open 'x'`), for the one line that names it. */
export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : String(err.message ?? e);
}
