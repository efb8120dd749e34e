import { type Naming, SETTING_NAMES } from '../settings/naming.js';

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
  'endpoint_not_found',
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
  /** The base URL the request went to, so a message names what was actually tried. */
  target?: string;
}

export class AsanaApiError extends Error {
  readonly code: AsanaErrorCode;
  readonly status?: number;
  readonly apiMessage?: string;
  readonly retryAfterSeconds?: number;
  readonly retryable: boolean;
  private readonly init: AsanaErrorInit;

  /** `message` names the modular input's settings; `describe` names another context's (the CLI's flags). */
  constructor(init: AsanaErrorInit) {
    super(describeAsanaError(init, SETTING_NAMES));
    this.init = init;
    this.name = 'AsanaApiError';
    this.code = init.code;
    this.status = init.status;
    this.apiMessage = init.apiMessage;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.retryable = init.retryable;
  }

  describe(naming: Naming): string {
    return describeAsanaError(this.init, naming);
  }
}

const DEFAULT_TARGET = 'https://app.asana.com/api/1.0';

/** Cause and fix of each code, in the words of a naming context, for the URL that was tried. */
const CAUSE_AND_FIX: Record<AsanaErrorCode, (n: Naming, target: string) => string> = {
  bad_request: (n) => `Asana rejected a request parameter (400): check ${n.filters}`,
  offset_expired: () => 'Asana no longer accepts the saved page offset (400): resuming from the last emitted event time',
  unauthorized: (n) => `the token was rejected (401): create a service account token with the Audit logs scope and update ${n.token}`,
  payment_required: () => 'the organization lacks audit log access (402): the Audit Log API needs an Enterprise or Enterprise+ plan',
  forbidden: (n) =>
    `the token may not read this organization's audit log (403): use a service account token of this organization with the Audit logs scope, and check ${n.workspace}`,
  not_found: (n) => `the organization was not found (404): set ${n.workspace} to the Domain ID from Admin console > Settings`,
  endpoint_not_found: (n, target) =>
    `the audit log endpoint was not found (404) under ${target}: check ${n.baseUrl}; Asana's is ${DEFAULT_TARGET} (it ends in /api/1.0)`,
  legal_unavailable: () => 'Asana refused the request for legal reasons (451): contact Asana support',
  rate_limited: (n) => `Asana rate limit reached (429): waiting as asked; lower ${n.maxRequestsPerMinute} if this repeats`,
  server_error: () => 'Asana had a server error: it is usually brief; the next run resumes from the checkpoint',
  timeout: (_n, target) => `Asana did not answer in time at ${target}: check network latency or raise the timeout; the next run resumes from the checkpoint`,
  network_error: (n, target) =>
    `Asana could not be reached at ${target}: check ${target === DEFAULT_TARGET ? 'DNS, firewall and proxy settings for app.asana.com' : `${n.baseUrl}, and DNS, firewall and proxy settings for ${hostOf(target)}`}; the next run resumes from the checkpoint`,
  tls_error: (n) => `TLS certificate verification failed: if a TLS-inspecting proxy sits in the path, give its CA certificate in ${n.caBundle}`,
  invalid_response: () =>
    'Asana sent a response that is not a valid audit log page: this is usually a proxy or a transient fault; the next run resumes from the checkpoint',
};

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function describeAsanaError(init: Pick<AsanaErrorInit, 'code' | 'apiMessage' | 'detail' | 'target'>, naming: Naming = SETTING_NAMES): string {
  const parts = [CAUSE_AND_FIX[init.code](naming, init.target ?? DEFAULT_TARGET)];
  if (init.apiMessage) parts.push(`Asana said: "${init.apiMessage}"`);
  if (init.detail) parts.push(init.detail);
  return parts.join('. ');
}

export function isAsanaApiError(e: unknown): e is AsanaApiError {
  return e instanceof AsanaApiError;
}
