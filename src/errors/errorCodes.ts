import { type Naming, SETTING_NAMES } from './naming.js';

/** Where the Asana client goes unless api_base_url (--base-url) says otherwise. */
export const ASANA_API_URL = 'https://app.asana.com/api/1.0';

/**
 * A cause and fix: plain text, or text that names what to change in the words of a naming context
 * (setting names for the modular input, flag names for the CLI) and the URL that was tried.
 */
export type CauseAndFix = string | ((names: Naming, target: string) => string);

/**
 * Every error code the add-on logs, with its cause and fix in plain words. The codes are part of
 * the add-on's interface: the health dashboard, the alerts and people's own searches group by
 * them (`code=...` in the log), so a code is never renamed. An error's message starts with this
 * text when it has nothing more specific to say (see CodedError).
 */
export const ERROR_CODES = {
  // The Asana Audit Log API (AsanaApiError; offset_expired is the collector's OffsetExpiredError).
  bad_request: (n) => `Asana rejected a request parameter (400): check ${n.filters}`,
  offset_expired: 'Asana no longer accepts the saved page offset (400): resuming from the last emitted event time',
  unauthorized: (n) => `the token was rejected (401): create a service account token with the Audit logs scope and update ${n.token}`,
  payment_required: 'the organization lacks audit log access (402): the Audit Log API needs an Enterprise or Enterprise+ plan',
  forbidden: (n) =>
    `the token may not read this organization's audit log (403): use a service account token of this organization with the Audit logs scope, and check ${n.workspace}`,
  not_found: (n) => `the organization was not found (404): set ${n.workspace} to the Domain ID from Admin console > Settings`,
  endpoint_not_found: (n, target) =>
    `the audit log endpoint was not found (404) under ${target}: check ${n.baseUrl}; Asana's is ${ASANA_API_URL} (it ends in /api/1.0)`,
  legal_unavailable: 'Asana refused the request for legal reasons (451): contact Asana support',
  rate_limited: (n) => `Asana rate limit reached (429): waiting as asked; lower ${n.maxRequestsPerMinute} if this repeats`,
  server_error: 'Asana had a server error: it is usually brief; the next run resumes from the checkpoint',
  timeout: (_n, target) => `Asana did not answer in time at ${target}: check network latency or raise the timeout; the next run resumes from the checkpoint`,
  network_error: (n, target) =>
    `Asana could not be reached at ${target}: check ${
      target === ASANA_API_URL
        ? 'DNS, firewall and proxy settings for app.asana.com'
        : `${n.baseUrl}, and DNS, firewall and proxy settings for ${hostOf(target)}`
    }; the next run resumes from the checkpoint`,
  tls_error: (n) => `TLS certificate verification failed: if a TLS-inspecting proxy sits in the path, give its CA certificate in ${n.caBundle}`,
  no_progress:
    'Asana kept answering pages with no new event without ending the stream (the same offset back, or fresh offsets): the run stopped; the next run resumes from the newest delivered event',
  invalid_response:
    'Asana sent a response that is not a valid audit log page: this is usually a proxy or a transient fault; the next run resumes from the checkpoint',

  // Splunk's HTTP Event Collector (HecError).
  hec_token_rejected:
    'Splunk HEC rejected the token: check SPLUNK_HEC_TOKEN (or --hec-token-file) and that the token exists and is enabled in Settings > Data inputs > HTTP Event Collector',
  hec_index_rejected: "Splunk HEC refused the index: add it to the token's allowed indexes, or set --index to one the token may write to",
  hec_ack_required: 'the HEC token has indexer acknowledgment enabled: add --hec-ack so the collector sends a channel and waits for acknowledgment',
  hec_ack_disabled: 'indexer acknowledgment is off for this HEC token: enable it on the token, or drop --hec-ack (the checkpoint then advances on HTTP 200)',
  hec_bad_request:
    'Splunk HEC rejected the request as malformed: this is a bug in the collector or a proxy that alters requests; nothing was checkpointed past it',
  hec_too_large: 'Splunk HEC refused the request as too large (413): lower --hec-batch-bytes below the HEC max_content_length',
  hec_not_found:
    "nothing answers at the HEC URL's collector path (404): set --hec-url (or SPLUNK_HEC_URL) to the HEC base URL, such as https://http-inputs-<stack>.splunkcloud.com or https://splunk.example.com:8088",
  hec_redirect: 'the HEC URL redirects: set --hec-url to the final address',
  hec_busy: 'Splunk HEC is busy or its queues are full (503): retrying with backoff; nothing is checkpointed until Splunk accepts the events',
  hec_server_error: 'Splunk HEC had a server error: retrying with backoff; nothing is checkpointed until Splunk accepts the events',
  hec_timeout: 'Splunk HEC did not answer in time: retrying with backoff',
  hec_network_error: 'Splunk HEC could not be reached: check the HEC URL, DNS, firewall and load balancer; retrying with backoff',
  hec_tls_error:
    'TLS certificate verification failed for Splunk HEC: if HEC (or a TLS-inspecting proxy) uses a private or self-signed certificate, give its CA certificate (PEM) in --hec-ca-bundle',
  hec_invalid_response: "Splunk HEC sent an answer that is not HEC's JSON (a proxy page?): retrying",
  hec_ack_timeout:
    "Splunk HEC acknowledgments are not arriving: a batch was sent several times and never reported indexed. Check that indexer acknowledgment is on for the HEC token, that a load balancer in front of the indexers keeps each channel on one indexer (sticky sessions on the X-Splunk-Request-Channel header or a cookie), and the indexers' health; the checkpoint stays before the unacknowledged events",
  hec_answer_too_large:
    'the HEC URL answered with a body far larger than any HEC answer, and the collector stopped reading it: check that --hec-url (or SPLUNK_HEC_URL) names HEC itself, not a web page or a proxy portal',
  hec_proxy_refused:
    'the proxy refused to carry requests to Splunk HEC (407 or a refused CONNECT): check the credentials in --hec-proxy (or SPLUNK_HEC_PROXY_URL, HTTPS_PROXY), or ask the proxy admins to allow CONNECT to the HEC host and port, or list the HEC host in NO_PROXY',

  // An outbound proxy (ProxyError); the Asana client reports them as network_error with this text.
  ERR_PROXY_AUTH_REQUIRED: 'the proxy asks for credentials or rejected them (407): put user:password in proxy_url (or --proxy)',
  ERR_PROXY_REFUSED: 'the proxy refused to open a tunnel to Asana: ask its admins to allow CONNECT to app.asana.com:443',
  ERR_PROXY_UNREACHABLE: 'the proxy could not be reached: check the host and port in proxy_url (or HTTPS_PROXY)',
  ERR_PROXY_TIMEOUT: 'the proxy did not answer in time: check that it is up and that proxy_url (or HTTPS_PROXY) names it',

  // The input's settings (SettingsError, ProxyUrlError, CaBundleError).
  invalid_setting: "a setting of the input is invalid: fix it in the input's settings (inputs.conf) or on the command line",
  proxy_url_invalid: 'the proxy URL is not of the form http(s)://[user:password@]host:port: correct proxy_url or HTTPS_PROXY',
  ca_bundle_invalid: 'the CA bundle is unreadable or holds no valid PEM certificate: give the path of a PEM file the Splunk user can read',

  // The checkpoint file and the emitted-gid log beside it (CheckpointCorruptError, CheckpointUnwritableError, CheckpointLockedError,
  // NotRegularFileError, NotACheckpointError, NotAnEmittedLogError).
  checkpoint_corrupt:
    'the checkpoint file is damaged and holds no complete generation: reset the input with the checkpoint command to start over from start_at',
  checkpoint_unwritable: 'the checkpoint directory cannot be written: give the Splunk user write access to it and free disk space; nothing was collected',
  checkpoint_locked: 'another collector is running this input and holds its lock: this run exits without touching anything',
  checkpoint_not_a_file:
    'a path in the checkpoint directory holds a symlink, FIFO, directory or device instead of a regular file: remove it (only this add-on writes there)',
  not_a_checkpoint:
    'the file named as a checkpoint is something else (an output file, text, a directory): it is neither read nor deleted; name the checkpoint file itself, or the input',
  not_an_emitted_log:
    "a file that is not this add-on's emitted-gid log sits at the log's path (<input>.checkpoint.emitted beside the checkpoint): it is neither read, overwritten nor deleted and nothing was collected; move it elsewhere",

  // splunkd: the input XML on stdin (SplunkXmlError) and the credential store (SplunkdError, SecretsError).
  xml_empty: 'splunkd sent nothing on stdin: the program was run by hand without input XML; use the CLI commands instead',
  xml_malformed: 'the input XML from splunkd is not well-formed: report it with the Splunk version',
  xml_unexpected_root: 'the input XML from splunkd has an unexpected root element: report it with the Splunk version',
  xml_missing_field: 'the input XML from splunkd lacks a required field: report it with the Splunk version',
  input_name_invalid: 'an input named "." or ".." cannot be addressed through splunkd\'s REST API: rename the input',
  splunkd_unreachable: "splunkd's management port could not be reached: check that splunkd runs and its server URI",
  splunkd_tls: "splunkd's certificate failed verification: check sslRootCAPath in server.conf [sslConfig]",
  splunkd_timeout:
    "splunkd did not finish answering within the whole-request deadline (30 s): check that the server URI reaches splunkd's management port itself",
  splunkd_refused: "splunkd refused a credential store request: check the input's owner and its capabilities",
  splunkd_bad_answer:
    'splunkd answered a credential store request with something unexpected (not its JSON, or a body over 1 MB): check that the server URI reaches splunkd itself; otherwise report it with the Splunk version',
  secret_not_stored: "a masked secret has no stored value in Splunk's credential store: enter the secret again in the input",
  secret_not_confirmed:
    'splunkd said it stored a secret but the entry could not be read back as written (a single sign-on page or proxy answering?): the input was left unmasked; make sure the management port reaches splunkd itself',
  secret_unreadable: 'a credential store entry was not written by this add-on: enter the secret again in the input to replace it',

  // Where the events go (stdout to splunkd or a pipe).
  output_closed:
    'the reader of the events (splunkd, or the pipe after poll) stopped reading before they were flushed: the checkpoint did not move past them; the next run sends them again',

  // Anything thrown without a code: a bug.
  internal_error: 'an unexpected failure, which is a bug: report it with the log lines around it',
} as const satisfies Record<string, CauseAndFix>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The code's cause and fix in a naming context's words (default: the modular input's settings), for the URL tried. */
export function causeAndFix(code: ErrorCode, names: Naming = SETTING_NAMES, target: string = ASANA_API_URL): string {
  const text: CauseAndFix = ERROR_CODES[code];
  return typeof text === 'string' ? text : text(names, target);
}

/** The code's cause and fix (in setting names), then any details, as one sentence-separated line. */
export function describeCode(code: ErrorCode, ...details: ReadonlyArray<string | undefined>): string {
  return withDetails(causeAndFix(code), ...details);
}

/** A message, then any details, as one sentence-separated line. */
export function withDetails(message: string, ...details: ReadonlyArray<string | undefined>): string {
  return [message, ...details.filter((d): d is string => d !== undefined && d !== '')].join('. ');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
