import { AsanaApiError, asanaSaid, type AsanaErrorCode } from './asanaApiError.js';
import { OffsetExpiredError } from '../collector/ports.js';
import { ERROR_CODES } from '../errors/errorCodes.js';
import { PROXY_ERROR_CODES, type ProxyErrorCode } from '../net/proxyTunnel.js';
import { isTlsFailure } from '../net/tlsErrors.js';
import { parseRetryAfter } from '../retry/retryAfter.js';
import { errorBodySchema } from './apiSchemas.js';
import { PARSED_RARELY } from '../model/parseOptions.js';

/** What the client saw of a non-2xx answer; plain data so the mapping stays a pure function. */
export interface HttpFailure {
  status: number;
  /** Response body as text, already stripped of anything secret by the caller. */
  bodyText: string;
  /**
   * Strips secrets from the message read out of the body: JSON escapes decode there into forms
   * the body did not hold, and the message is cut to length only after this. Required, so a
   * caller that forgets it does not fail open; a caller with no secret passes the identity.
   */
  redact: (text: string) => string;
  /** The raw Retry-After header value, if any. */
  retryAfter?: string;
  /** Whether the request carried an `offset`: only then can a 400 mean the offset is stale. */
  sentOffset: boolean;
  /** Epoch milliseconds, to turn a Retry-After date into seconds. */
  nowMs: number;
  /** The base URL asked, named in messages. */
  target?: string;
}

const STATUS_CODES: Record<number, AsanaErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  402: 'payment_required',
  403: 'forbidden',
  404: 'not_found',
  451: 'legal_unavailable',
};

/** Asana's 404 for a path it has no route for, as opposed to an unknown workspace. */
const NO_ROUTE = /no matching route/i;

/** Asana has not documented the stale-offset error; any 400 for an offset that talks about it counts. */
const OFFSET_COMPLAINT = /offset|pagination/i;

/** Longest API message kept: enough for any real Asana message, bounded against a proxy's HTML page. */
const MAX_API_MESSAGE = 500;

/** The API's own `errors[0].message`, when the body is Asana's error shape. */
export function apiMessageOf(bodyText: string, redact: (text: string) => string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const body = errorBodySchema.safeParse(parsed, PARSED_RARELY);
  if (!body.success) return undefined;
  const message = body.data.errors.find((e) => typeof e.message === 'string' && e.message.trim() !== '')?.message;
  return message === undefined ? undefined : oneLine(redact(message)).slice(0, MAX_API_MESSAGE);
}

/** Maps a non-2xx answer to the error the collector acts on. */
export function classifyHttpFailure(failure: HttpFailure): AsanaApiError | OffsetExpiredError {
  const { status } = failure;
  const apiMessage = apiMessageOf(failure.bodyText, failure.redact);
  const detail = `HTTP ${status}`;

  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(failure.retryAfter, failure.nowMs);
    return new AsanaApiError({
      code: 'rate_limited',
      status,
      apiMessage,
      retryAfterSeconds,
      retryable: true,
      detail: retryAfterSeconds === undefined ? `${detail} without a usable Retry-After` : detail,
    });
  }
  if (status === 400 && failure.sentOffset && apiMessage !== undefined && OFFSET_COMPLAINT.test(apiMessage)) {
    return new OffsetExpiredError(asanaSaid(apiMessage), detail);
  }
  if (status === 407) {
    // Only a proxy answers 407: it wants credentials (plain-http targets go through it in absolute form).
    return new AsanaApiError({ code: 'network_error', status, retryable: false, detail: `${detail}: ${ERROR_CODES.ERR_PROXY_AUTH_REQUIRED}` });
  }
  // A 404 that is not Asana's answer about a workspace (no route, or not Asana's error shape at
  // all) means the base URL does not lead to the API.
  if (status === 404 && (apiMessage === undefined || NO_ROUTE.test(apiMessage))) {
    return new AsanaApiError({ code: 'endpoint_not_found', status, apiMessage, retryable: false, detail, target: failure.target });
  }
  const known = STATUS_CODES[status];
  if (known) return new AsanaApiError({ code: known, status, apiMessage, retryable: false, detail, target: failure.target });
  if (status === 408) return new AsanaApiError({ code: 'timeout', status, apiMessage, retryable: true, detail });
  if (status >= 500 && status <= 599) {
    return new AsanaApiError({ code: 'server_error', status, apiMessage, retryable: true, detail });
  }
  if (status >= 400 && status <= 499) {
    return new AsanaApiError({ code: 'bad_request', status, apiMessage, retryable: false, detail });
  }
  // Asana does not redirect this endpoint; a 3xx means a proxy or a wrong base URL. Following it
  // would carry the token to wherever it points.
  return new AsanaApiError({
    code: 'invalid_response',
    status,
    apiMessage,
    retryable: false,
    detail: `${detail} is not an answer the audit log endpoint gives: check the base URL and any proxy`,
  });
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/** Errors about the body's bytes (cut short, too large, undecodable): the request may succeed again. */
const BAD_BODY_CODES: ReadonlySet<string> = new Set(['ERR_BAD_RESPONSE', 'Z_BUF_ERROR', 'Z_DATA_ERROR', 'ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED']);

/** What the client knows about a request that got no HTTP answer. */
export interface TransportFailure {
  /** The `code` of the thrown error (or of its cause), e.g. ECONNRESET; never its message. */
  code: string | undefined;
  /** The client's own deadline fired (the request was aborted by us, not by the peer). */
  deadlineExceeded: boolean;
  /** The base URL asked, named in messages. */
  target?: string;
}

/**
 * Maps a failed request to an error built only from the error's code: the library's error
 * object carries the request config (and so the Authorization header), so nothing else of it
 * is used.
 */
export function classifyTransportFailure(failure: TransportFailure): AsanaApiError {
  const code = failure.code !== undefined && /^[A-Za-z0-9_]{1,64}$/.test(failure.code) ? failure.code : undefined;
  const named = code ?? 'no error code';
  const target = failure.target;
  if (failure.deadlineExceeded || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new AsanaApiError({ code: 'timeout', retryable: true, detail: `no complete answer in time (${named})`, target });
  }
  if (code !== undefined && isTlsFailure(code)) {
    return new AsanaApiError({ code: 'tls_error', retryable: false, detail: `certificate check failed (${code})`, target });
  }
  if (code !== undefined && isProxyErrorCode(code)) {
    return new AsanaApiError({ code: 'network_error', retryable: code !== 'ERR_PROXY_AUTH_REQUIRED', detail: `${ERROR_CODES[code]} (${code})`, target });
  }
  if (code !== undefined && BAD_BODY_CODES.has(code)) {
    return new AsanaApiError({
      code: 'invalid_response',
      retryable: true,
      detail: `the response body was cut short or unreadable (${code})`,
      target,
    });
  }
  return new AsanaApiError({ code: 'network_error', retryable: true, detail: `connection failed (${named})`, target });
}

function isProxyErrorCode(code: string): code is ProxyErrorCode {
  return (PROXY_ERROR_CODES as readonly string[]).includes(code);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
