import { z } from 'zod';
import { CodedError } from '../../errors/codedError.js';
import type { ErrorCode } from '../../errors/errorCodes.js';
import { describeCode } from '../../errors/errorCodes.js';
import { isTlsFailure } from '../../net/tlsErrors.js';

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

/** HEC answers every request with this shape (plus `ackId` when acknowledgment is on). */
export const hecReplySchema = z.object({
  text: z.string(),
  code: z.number().int(),
  ackId: z.number().int().min(0).optional(),
  'invalid-event-number': z.number().int().optional(),
});
export type HecReply = z.infer<typeof hecReplySchema>;

/** The ack endpoint's answer: ack id (as a JSON key) → indexed yet. */
export const hecAckReplySchema = z.object({ acks: z.record(z.string(), z.boolean()) });

/** HEC's documented status codes that the collector treats specially. */
export const HEC_CODES = {
  success: 0,
  tokenDisabled: 1,
  tokenRequired: 2,
  invalidAuthorization: 3,
  invalidToken: 4,
  noData: 5,
  invalidDataFormat: 6,
  incorrectIndex: 7,
  internalError: 8,
  serverBusy: 9,
  channelMissing: 10,
  invalidChannel: 11,
  eventRequired: 12,
  eventBlank: 13,
  ackDisabled: 14,
} as const;

/** Longest HEC text kept: a real one is a few words, a proxy's HTML page is not. */
const MAX_TEXT = 200;

export function parseHecReply(bodyText: string): HecReply | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const reply = hecReplySchema.safeParse(parsed);
  return reply.success ? reply.data : undefined;
}

/**
 * Maps a non-2xx answer (status and body, already free of secrets) to the error the sink acts on.
 * A busy HEC that says how long to wait (Retry-After, in seconds) is waited out as asked.
 */
export function classifyHecFailure(status: number, bodyText: string, retryAfterSeconds?: number): HecError {
  const reply = parseHecReply(bodyText);
  const hecCode = reply?.code;
  const hecText = reply ? reply.text.replace(/\s+/g, ' ').slice(0, MAX_TEXT) : undefined;
  const base = { status, hecCode, hecText, detail: `HTTP ${status}` };
  const fatal = (code: HecErrorCode) => new HecError({ ...base, code, retryable: false });
  const retry = (code: HecErrorCode) => new HecError({ ...base, code, retryable: true });
  const busy = () => new HecError({ ...base, code: 'hec_busy', retryable: true, retryAfterSeconds });

  switch (hecCode) {
    case HEC_CODES.tokenDisabled:
    case HEC_CODES.tokenRequired:
    case HEC_CODES.invalidAuthorization:
    case HEC_CODES.invalidToken:
      return fatal('hec_token_rejected');
    case HEC_CODES.incorrectIndex:
      return fatal('hec_index_rejected');
    case HEC_CODES.channelMissing:
      return fatal('hec_ack_required');
    case HEC_CODES.ackDisabled:
      return fatal('hec_ack_disabled');
    case HEC_CODES.serverBusy:
      return busy();
  }
  if (status === 401 || status === 403) return fatal('hec_token_rejected');
  if (status === 404) return fatal('hec_not_found');
  if (status === 413) return fatal('hec_too_large');
  if (status >= 300 && status <= 399) return fatal('hec_redirect');
  if (status === 503) return busy();
  if (status >= 500) return retry('hec_server_error');
  if (status === 429) return busy();
  if (status === 408) return retry('hec_busy');
  if (status >= 400) return fatal('hec_bad_request');
  return retry('hec_invalid_response');
}

/** Maps a request that got no HTTP answer; `errno` is the library's error code, nothing more. */
export function classifyHecTransportFailure(errno: string | undefined, deadlineExceeded: boolean): HecError {
  if (deadlineExceeded) return new HecError({ code: 'hec_timeout', retryable: true });
  if (errno !== undefined && isTlsFailure(errno)) return new HecError({ code: 'hec_tls_error', retryable: false, detail: errno });
  return new HecError({ code: 'hec_network_error', retryable: true, detail: errno });
}
