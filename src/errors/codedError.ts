import { causeAndFix, type ErrorCode } from './errorCodes.js';
import { type Naming, SETTING_NAMES } from './naming.js';

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

/** A message that names what to change in the words of the context it is shown in. */
export type NamedMessage = (names: Naming) => string;

/**
 * The base of every error the add-on raises on purpose: a stable code from ERROR_CODES (what logs,
 * dashboards and alerts group by) and a message that says the cause and the fix. Anything else
 * thrown is reported as internal_error.
 *
 * A message may be given as a function of a naming context: `message` is then said in the modular
 * input's setting names, and `describe(FLAG_NAMES)` says the same in the CLI's flag names.
 */
export class CodedError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly retryable: boolean;
  readonly throttled: boolean;
  readonly retryAfterMs?: number;
  readonly #say: NamedMessage;

  constructor(code: C, message: string | NamedMessage = (names) => causeAndFix(code, names), options: CodedErrorOptions = {}) {
    const say: NamedMessage = typeof message === 'string' ? () => message : message;
    super(say(SETTING_NAMES));
    this.#say = say;
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.throttled = options.throttled ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The message in a naming context's words (`message` is the same in setting names). */
  describe(names: Naming): string {
    return this.#say(names);
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

/** The one-line text of anything thrown, naming what to change as the context calls it (default: setting names). */
export function errorText(e: unknown, names: Naming = SETTING_NAMES): string {
  if (e instanceof CodedError) return e.describe(names);
  if (e instanceof Error) return e.message;
  return String(e);
}
