import { z } from 'zod';
import { isTlsFailure } from '../../net/tlsErrors.js';

/**
 * Every failure the Splunk HTTP Event Collector side can produce, with a stable code (for tests
 * and logs) and a cause and fix in plain words for whoever reads the collector's log.
 */
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
] as const;
export type HecErrorCode = (typeof HEC_ERROR_CODES)[number];

const CAUSE_AND_FIX: Record<HecErrorCode, string> = {
  hec_token_rejected:
    'Splunk HEC rejected the token: check SPLUNK_HEC_TOKEN (or --hec-token-file) and that the token exists and is enabled in Settings > Data inputs > HTTP Event Collector',
  hec_index_rejected:
    'Splunk HEC refused the index: add it to the token\'s allowed indexes, or set --index to one the token may write to',
  hec_ack_required:
    'the HEC token has indexer acknowledgment enabled: add --hec-ack so the collector sends a channel and waits for acknowledgment',
  hec_ack_disabled:
    'indexer acknowledgment is off for this HEC token: enable it on the token, or drop --hec-ack (the checkpoint then advances on HTTP 200)',
  hec_bad_request:
    'Splunk HEC rejected the request as malformed: this is a bug in the collector or a proxy that alters requests; nothing was checkpointed past it',
  hec_too_large: 'Splunk HEC refused the request as too large (413): lower --hec-batch-bytes below the HEC max_content_length',
  hec_not_found:
    'nothing answers at the HEC URL\'s collector path (404): set --hec-url (or SPLUNK_HEC_URL) to the HEC base URL, such as https://http-inputs-<stack>.splunkcloud.com or https://splunk.example.com:8088',
  hec_redirect: 'the HEC URL redirects: set --hec-url to the final address',
  hec_busy: 'Splunk HEC is busy or its queues are full (503): retrying with backoff; nothing is checkpointed until Splunk accepts the events',
  hec_server_error: 'Splunk HEC had a server error: retrying with backoff; nothing is checkpointed until Splunk accepts the events',
  hec_timeout: 'Splunk HEC did not answer in time: retrying with backoff',
  hec_network_error: 'Splunk HEC could not be reached: check the HEC URL, DNS, firewall and load balancer; retrying with backoff',
  hec_tls_error:
    'TLS certificate verification failed for Splunk HEC: if HEC uses a private or self-signed certificate, point NODE_EXTRA_CA_CERTS at its CA certificate (PEM)',
  hec_invalid_response: 'Splunk HEC sent an answer that is not HEC\'s JSON (a proxy page?): retrying',
  hec_ack_timeout:
    'Splunk did not acknowledge a batch as indexed in time: it was sent again (Splunk may index it twice); check the indexers\' health',
};

export interface HecErrorInit {
  code: HecErrorCode;
  retryable: boolean;
  status?: number;
  /** HEC's own numeric code from its JSON answer. */
  hecCode?: number;
  /** HEC's own `text`. */
  hecText?: string;
  detail?: string;
}

export class HecError extends Error {
  readonly code: HecErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  readonly hecCode?: number;

  constructor(init: HecErrorInit) {
    const parts = [CAUSE_AND_FIX[init.code]];
    if (init.hecText !== undefined) parts.push(`HEC said: "${init.hecText}" (code ${init.hecCode ?? '?'})`);
    if (init.detail) parts.push(init.detail);
    super(parts.join('. '));
    this.name = 'HecError';
    this.code = init.code;
    this.retryable = init.retryable;
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

/** Maps a non-2xx answer (status and body, already free of secrets) to the error the sink acts on. */
export function classifyHecFailure(status: number, bodyText: string): HecError {
  const reply = parseHecReply(bodyText);
  const hecCode = reply?.code;
  const hecText = reply ? reply.text.replace(/\s+/g, ' ').slice(0, MAX_TEXT) : undefined;
  const base = { status, hecCode, hecText, detail: `HTTP ${status}` };
  const fatal = (code: HecErrorCode) => new HecError({ ...base, code, retryable: false });
  const retry = (code: HecErrorCode) => new HecError({ ...base, code, retryable: true });

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
      return retry('hec_busy');
  }
  if (status === 401 || status === 403) return fatal('hec_token_rejected');
  if (status === 404) return fatal('hec_not_found');
  if (status === 413) return fatal('hec_too_large');
  if (status >= 300 && status <= 399) return fatal('hec_redirect');
  if (status === 503) return retry('hec_busy');
  if (status >= 500) return retry('hec_server_error');
  if (status === 408 || status === 429) return retry('hec_busy');
  if (status >= 400) return fatal('hec_bad_request');
  return retry('hec_invalid_response');
}

/** Maps a request that got no HTTP answer; `errno` is the library's error code, nothing more. */
export function classifyHecTransportFailure(errno: string | undefined, deadlineExceeded: boolean): HecError {
  if (deadlineExceeded) return new HecError({ code: 'hec_timeout', retryable: true });
  if (errno !== undefined && isTlsFailure(errno)) return new HecError({ code: 'hec_tls_error', retryable: false, detail: errno });
  return new HecError({ code: 'hec_network_error', retryable: true, detail: errno });
}
