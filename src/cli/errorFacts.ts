import { isAsanaApiError } from '../asana/errors.js';
import { type Naming, SETTING_NAMES } from '../settings/naming.js';

/** The one-line text of anything thrown, naming what to change as the context calls it. */
export function errorText(e: unknown, naming: Naming = SETTING_NAMES): string {
  if (isAsanaApiError(e)) return e.describe(naming);
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The stable code logs and the health dashboard key on; `internal_error` when there is none. */
export function errorCode(e: unknown): string {
  if (isAsanaApiError(e)) return e.code;
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'internal_error';
}
