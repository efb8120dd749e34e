import { type ErrorCode, ERROR_CODES } from './errorCodes.js';

export interface CodedErrorOptions {
  /** Whether trying the same thing again can succeed; the retry engine reads it. Default false. */
  retryable?: boolean;
  /**
   * The other side asked us to slow down (HTTP 429, or a 503 with Retry-After): the retry engine
   * waits as asked instead of backing off, and counts it apart from other failures.
   */
  throttled?: boolean;
  /** How long the other side asked us to wait (Retry-After), in real milliseconds. */
  retryAfterMs?: number;
}

/**
 * The base of every error the add-on raises on purpose: a stable code from ERROR_CODES (what logs,
 * dashboards and alerts group by) and a message that says the cause and the fix. Anything else
 * thrown is reported as internal_error.
 */
export class CodedError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly retryable: boolean;
  readonly throttled: boolean;
  readonly retryAfterMs?: number;

  constructor(code: C, message: string = ERROR_CODES[code], options: CodedErrorOptions = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.throttled = options.throttled ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isCodedError(e: unknown): e is CodedError {
  return e instanceof CodedError;
}

/**
 * The code a log line carries for anything thrown: the CodedError's own code, else the `code` a
 * library or Node put on its error (e.g. EACCES), else internal_error.
 */
export function errorCode(e: unknown): string {
  if (e instanceof CodedError) return e.code;
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'internal_error';
}

/** The one-line text of anything thrown. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
