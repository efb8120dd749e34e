import { isTlsFailure } from '../../net/tlsErrors.js';
import { HecError, type HecErrorCode } from './hecErrors.js';
import { HEC_CODES, parseHecReply } from './hecReply.js';

/** Longest HEC text kept: a real one is a few words, a proxy's HTML page is not. */
const MAX_TEXT = 200;

/**
 * Maps a non-2xx answer (status and body, already free of secrets) to the error the sink acts on.
 * A busy HEC that says how long to wait (Retry-After, in seconds) is waited out as asked.
 * `redact` strips secrets from the text read out of the body, where JSON escapes decode into
 * forms the body did not hold, before that text is cut to length. It is required, so a caller
 * that forgets it does not fail open; a caller with no secret passes the identity.
 */
export function classifyHecFailure(status: number, bodyText: string, retryAfterSeconds: number | undefined, redact: (text: string) => string): HecError {
  const reply = parseHecReply(bodyText);
  const hecCode = reply?.code;
  const hecText = reply ? redact(reply.text).replace(/\s+/g, ' ').slice(0, MAX_TEXT) : undefined;
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

/** The code the transport gives an answer it stopped reading because it was too large. */
export const ANSWER_TOO_LARGE = 'HEC_ANSWER_TOO_LARGE';

/** Maps a request that got no (usable) HTTP answer; `errno` is the library's error code, nothing more. */
export function classifyHecTransportFailure(errno: string | undefined, deadlineExceeded: boolean, maxAnswerBytes = 0): HecError {
  if (errno === ANSWER_TOO_LARGE) return new HecError({ code: 'hec_answer_too_large', retryable: false, detail: `more than ${maxAnswerBytes} bytes` });
  if (deadlineExceeded) return new HecError({ code: 'hec_timeout', retryable: true });
  // The proxy said no: asking again gets the same answer.
  if (errno === 'ERR_PROXY_AUTH_REQUIRED' || errno === 'ERR_PROXY_REFUSED') return new HecError({ code: 'hec_proxy_refused', retryable: false, detail: errno });
  if (errno === 'ERR_PROXY_UNREACHABLE' || errno === 'ERR_PROXY_TIMEOUT') return new HecError({ code: 'hec_network_error', retryable: true, detail: errno });
  if (errno !== undefined && isTlsFailure(errno)) return new HecError({ code: 'hec_tls_error', retryable: false, detail: errno });
  return new HecError({ code: 'hec_network_error', retryable: true, detail: errno });
}
