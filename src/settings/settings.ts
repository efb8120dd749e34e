import { z } from 'zod';
import { FILTER_NAMES, type Filters } from '../model/auditLog.js';
import { ARGS, DEFAULT_LATE_EVENT_MINUTES } from './args.js';
import { isLoopbackHost } from '../net/loopback.js';
import { parseProxyUrl } from '../net/proxyUrl.js';
import { CodedError } from '../errors/codedError.js';
import { PARSED_RARELY } from '../model/parseOptions.js';

/** One failed arg, named, with the rule it broke. */
export interface ArgProblem {
  arg: string;
  message: string;
}

export class SettingsError extends CodedError<'invalid_setting'> {
  constructor(readonly problems: ArgProblem[]) {
    super('invalid_setting', problems.map((p) => `${p.arg} ${p.message}`).join('; '));
  }
}

type ArgSchemas = { [A in (typeof ARGS)[number] as A['name']]: A['schema'] };
const argsObject = z.object(Object.fromEntries(ARGS.map((a) => [a.name, a.schema])) as ArgSchemas);
/** The args after validation, keyed as in inputs.conf: the types come from the zod schemas in ARGS. */
export type ArgValues = z.infer<typeof argsObject>;

/** Validated settings of one input, whatever the source (inputs.conf stanza or CLI flags). */
export type InputSettings = ReturnType<typeof toSettings>;

function toSettings(name: string, v: ArgValues) {
  const filters: Filters = {};
  for (const key of FILTER_NAMES) {
    const value = v[key];
    if (value !== undefined) filters[key] = value;
  }
  return {
    /** The input's name: the part after `asana_audit_log://`, or a name given on the CLI. */
    name,
    workspaceGid: v.workspace_gid,
    token: v.token,
    /** Raw `start_at` text; resolved against the clock only when a new cursor is created. */
    startAt: v.start_at,
    filters,
    pageSize: v.page_size,
    maxRequestsPerMinute: v.max_requests_per_minute,
    /** Most streams a backfill drains at once; 1 = one stream. */
    backfillConcurrency: v.backfill_concurrency,
    /**
     * How late Asana may show an event (0: not handled). The deprecated backfill_settle_minutes
     * meant the same and stands in when it is the only one set.
     */
    lateEventMinutes: v.late_event_minutes ?? v.backfill_settle_minutes ?? DEFAULT_LATE_EVENT_MINUTES,
    /** The deprecated args this input still sets, for one WARN per run. */
    deprecated: v.backfill_settle_minutes !== undefined ? ['backfill_settle_minutes'] : [],
    apiBaseUrl: v.api_base_url,
    /** `http(s)://[user:password@]host:port`; the password may be the mask until the store resolves it. */
    proxyUrl: v.proxy_url,
    /** Absolute path of a PEM file of extra CAs. */
    caBundle: v.ca_bundle,
    logLevel: v.log_level,
  };
}

/**
 * Validates raw string params (as splunkd sends them) against ARGS. Unknown params such as
 * `index`, `interval` or `sourcetype` belong to Splunk and are ignored.
 */
export function parseInputSettings(name: string, params: Readonly<Record<string, string | undefined>>): InputSettings {
  const picked = Object.fromEntries(ARGS.map((a) => [a.name, params[a.name]]));
  const result = argsObject.safeParse(picked, PARSED_RARELY);
  if (!result.success) {
    throw new SettingsError(result.error.issues.map((i) => ({ arg: String(i.path[0] ?? 'input'), message: i.message })));
  }
  const v = result.data;
  const problems: ArgProblem[] = [];
  if (v.actor_type !== undefined && v.actor_gid !== undefined) {
    problems.push({ arg: 'actor_type', message: 'cannot be combined with actor_gid: Asana ignores actor_type when actor_gid is set; clear one of them' });
  }
  if (v.proxy_url !== undefined && plainHttpHopAcrossNetwork(v.proxy_url, v.api_base_url)) {
    problems.push({
      arg: 'proxy_url',
      message:
        'is plain http to a host other than this machine, and api_base_url is plain http: the token would cross the network unencrypted; use an https:// proxy, a proxy on this machine, or an https api_base_url',
    });
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return toSettings(name, v);
}

/**
 * A plain-http api_base_url is sent to a proxy as a whole request (absolute form), bearer token
 * included; over plain http to another host that request crosses the network in clear text. An
 * https api_base_url goes through a CONNECT tunnel instead, so the proxy sees only TLS.
 */
function plainHttpHopAcrossNetwork(proxyUrl: string, apiBaseUrl: string): boolean {
  if (new URL(apiBaseUrl).protocol !== 'http:') return false;
  const proxy = parseProxyUrl(proxyUrl);
  return proxy.protocol === 'http:' && !isLoopbackHost(proxy.hostname);
}
