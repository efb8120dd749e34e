import { CodedError } from '../../errors/codedError.js';
import { describeCode, type ErrorCode } from '../../errors/errorCodes.js';

/** The failures of Splunk's HTTP Event Collector; their cause-and-fix texts are in errors/errorCodes.ts. */
export const HEC_ERROR_CODES = [
  'hec_token_rejected',
  'hec_index_rejected',
  'hec_ack_required',
  'hec_ack_disabled',
  'hec_bad_request',
  'hec_too_large',
  'hec_not_found',
  'hec_redirect',
  'hec_busy',
  'hec_server_error',
  'hec_timeout',
  'hec_network_error',
  'hec_tls_error',
  'hec_invalid_response',
  'hec_ack_timeout',
  'hec_answer_too_large',
  'hec_proxy_refused',
] as const satisfies readonly ErrorCode[];
export type HecErrorCode = (typeof HEC_ERROR_CODES)[number];

export interface HecErrorInit {
  code: HecErrorCode;
  retryable: boolean;
  status?: number;
  /** HEC's own numeric code from its JSON answer. */
  hecCode?: number;
  /** HEC's own `text`. */
  hecText?: string;
  /** Seconds HEC asked us to wait (Retry-After on a 429 or 503). */
  retryAfterSeconds?: number;
  detail?: string;
}

export class HecError extends CodedError<HecErrorCode> {
  readonly status?: number;
  readonly hecCode?: number;

  constructor(init: HecErrorInit) {
    const said = init.hecText !== undefined ? `HEC said: "${init.hecText}" (code ${init.hecCode ?? '?'})` : undefined;
    super(init.code, describeCode(init.code, said, init.detail), {
      retryable: init.retryable,
      throttled: init.retryAfterSeconds !== undefined,
      retryAfterMs: init.retryAfterSeconds === undefined ? undefined : init.retryAfterSeconds * 1000,
    });
    this.status = init.status;
    this.hecCode = init.hecCode;
  }
}

export function isHecError(e: unknown): e is HecError {
  return e instanceof HecError;
}
