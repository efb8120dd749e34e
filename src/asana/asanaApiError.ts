/**
 * Every failure the Asana side can produce, with a stable code (for tests, logs and the
 * health dashboard) and a plain-language cause and fix for the admin reading splunkd.log.
 */
export const ASANA_ERROR_CODES = [
  'bad_request',
  'offset_expired',
  'unauthorized',
  'payment_required',
  'forbidden',
  'not_found',
  'legal_unavailable',
  'rate_limited',
  'server_error',
  'timeout',
  'network_error',
  'tls_error',
  'invalid_response',
] as const;
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
}

export class AsanaApiError extends Error {
  readonly code: AsanaErrorCode;
  readonly status?: number;
  readonly apiMessage?: string;
  readonly retryAfterSeconds?: number;
  readonly retryable: boolean;

  constructor(init: AsanaErrorInit) {
    super(describeAsanaError(init));
    this.name = 'AsanaApiError';
    this.code = init.code;
    this.status = init.status;
    this.apiMessage = init.apiMessage;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.retryable = init.retryable;
  }
}

const CAUSE_AND_FIX: Record<AsanaErrorCode, string> = {
  bad_request: 'Asana rejected a request parameter (400): check the input\'s filters and start_at',
  offset_expired:
    'Asana no longer accepts the saved page offset (400): resuming from the last emitted event time',
  unauthorized:
    'the token was rejected (401): create a service account token with the Audit logs scope and update the input\'s token',
  payment_required:
    'the organization lacks audit log access (402): the Audit Log API needs an Enterprise or Enterprise+ plan',
  forbidden:
    'the token may not read this organization\'s audit log (403): use a service account token of this organization with the Audit logs scope, and check workspace_gid',
  not_found:
    'the organization was not found (404): set workspace_gid to the Domain ID from Admin console > Settings',
  legal_unavailable: 'Asana refused the request for legal reasons (451): contact Asana support',
  rate_limited: 'Asana rate limit reached (429): waiting as asked; lower max_requests_per_minute if this repeats',
  server_error: 'Asana had a server error: it is usually brief; the next run resumes from the checkpoint',
  timeout: 'Asana did not answer in time: check network latency or raise the timeout; the next run resumes from the checkpoint',
  network_error:
    'Asana could not be reached: check DNS, firewall and proxy settings for app.asana.com; the next run resumes from the checkpoint',
  tls_error:
    'TLS certificate verification failed: if a TLS-inspecting proxy sits in the path, give its CA certificate in ca_bundle',
  invalid_response:
    'Asana sent a response that is not a valid audit log page: this is usually a proxy or a transient fault; the next run resumes from the checkpoint',
};

export function describeAsanaError(init: Pick<AsanaErrorInit, 'code' | 'apiMessage' | 'detail'>): string {
  const parts = [CAUSE_AND_FIX[init.code]];
  if (init.apiMessage) parts.push(`Asana said: "${init.apiMessage}"`);
  if (init.detail) parts.push(init.detail);
  return parts.join('. ');
}

export function isAsanaApiError(e: unknown): e is AsanaApiError {
  return e instanceof AsanaApiError;
}
