import { isAsanaApiError } from '../asana/asanaApiError.js';

/** The one-line text of anything thrown. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The stable code logs and the health dashboard key on; `internal_error` when there is none. */
export function errorCode(e: unknown): string {
  if (isAsanaApiError(e)) return e.code;
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'internal_error';
}
