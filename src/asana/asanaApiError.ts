import { CodedError } from '../errors/codedError.js';
import { causeAndFix, type ErrorCode, withDetails } from '../errors/errorCodes.js';

/**
 * The failures of the Asana Audit Log API; their cause-and-fix texts are in errors/errorCodes.ts.
 * A stale page offset is not among them: the collector owns that one (OffsetExpiredError).
 */
export const ASANA_ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'payment_required',
  'forbidden',
  'not_found',
  'endpoint_not_found',
  'legal_unavailable',
  'rate_limited',
  'server_error',
  'timeout',
  'network_error',
  'tls_error',
  'invalid_response',
] as const satisfies readonly ErrorCode[];
export type AsanaErrorCode = (typeof ASANA_ERROR_CODES)[number];

export interface AsanaErrorInit {
  code: AsanaErrorCode;
  status?: number;
  /** The API's own `errors[].message` text, when it sent one. */
  apiMessage?: string;
  /** Seconds the API asked us to wait (429). */
  retryAfterSeconds?: number;
  /** Whether trying the same request again can succeed. */
  retryable: boolean;
  detail?: string;
  /** The base URL the request went to, so a message names what was actually tried. */
  target?: string;
}

export class AsanaApiError extends CodedError<AsanaErrorCode> {
  readonly status?: number;
  readonly apiMessage?: string;

  constructor(init: AsanaErrorInit) {
    super(init.code, (names) => withDetails(causeAndFix(init.code, names, init.target), asanaSaid(init.apiMessage), init.detail), {
      retryable: init.retryable,
      throttled: init.code === 'rate_limited',
      retryAfterMs: init.retryAfterSeconds === undefined ? undefined : init.retryAfterSeconds * 1000,
    });
    this.status = init.status;
    this.apiMessage = init.apiMessage;
  }

  /** The Retry-After of a 429, in seconds as Asana sent it. */
  get retryAfterSeconds(): number | undefined {
    return this.retryAfterMs === undefined ? undefined : this.retryAfterMs / 1000;
  }
}

/** How an error message quotes the API's own words. */
export function asanaSaid(apiMessage: string | undefined): string | undefined {
  return apiMessage ? `Asana said: "${apiMessage}"` : undefined;
}

export function isAsanaApiError(e: unknown): e is AsanaApiError {
  return e instanceof AsanaApiError;
}
