import { z } from 'zod';
import type { Filters } from '../asana/schemas.js';
import type { LogLevel } from '../logging/logger.js';
import { ARGS } from './args.js';

/** Validated settings of one input, whatever the source (inputs.conf stanza or CLI flags). */
export interface InputSettings {
  /** The input's name: the part after `asana_audit_log://`, or a name given on the CLI. */
  name: string;
  workspaceGid: string;
  token: string;
  /** Raw `start_at` text; resolved against the clock only when a new cursor is created. */
  startAt?: string;
  filters: Filters;
  pageSize: number;
  maxRequestsPerMinute: number;
  /** Most streams a backfill drains at once; 1 = one stream. */
  backfillConcurrency: number;
  backfillSettleMinutes: number;
  apiBaseUrl: string;
  /** `http(s)://[user:password@]host:port`; the password may be the mask until the store resolves it. */
  proxyUrl?: string;
  /** Absolute path of a PEM file of extra CAs. */
  caBundle?: string;
  logLevel: LogLevel;
}

/** One failed arg, named, with the rule it broke. */
export interface ArgProblem {
  arg: string;
  message: string;
}

export class SettingsError extends Error {
  constructor(readonly problems: ArgProblem[]) {
    super(problems.map((p) => `${p.arg} ${p.message}`).join('; '));
    this.name = 'SettingsError';
  }
}

const argsObject = z.object(Object.fromEntries(ARGS.map((a) => [a.name, a.schema])));

/**
 * Validates raw string params (as splunkd sends them) against ARGS. Unknown params such as
 * `index`, `interval` or `sourcetype` belong to Splunk and are ignored.
 */
export function parseInputSettings(name: string, params: Readonly<Record<string, string | undefined>>): InputSettings {
  const picked = Object.fromEntries(ARGS.map((a) => [a.name, params[a.name]]));
  const result = argsObject.safeParse(picked);
  if (!result.success) {
    throw new SettingsError(
      result.error.issues.map((i) => ({ arg: String(i.path[0] ?? 'input'), message: i.message })),
    );
  }
  const v = result.data as Record<string, unknown>;
  const problems: ArgProblem[] = [];
  if (v.actor_type !== undefined && v.actor_gid !== undefined) {
    problems.push({ arg: 'actor_type', message: 'cannot be combined with actor_gid: Asana ignores actor_type when actor_gid is set; clear one of them' });
  }
  if (problems.length > 0) throw new SettingsError(problems);
  const filters: Filters = {};
  for (const key of ['event_type', 'actor_type', 'actor_gid', 'resource_gid'] as const) {
    if (typeof v[key] === 'string') filters[key] = v[key] as string;
  }
  return {
    name,
    workspaceGid: v.workspace_gid as string,
    token: v.token as string,
    startAt: v.start_at as string | undefined,
    filters,
    pageSize: v.page_size as number,
    maxRequestsPerMinute: v.max_requests_per_minute as number,
    backfillConcurrency: v.backfill_concurrency as number,
    backfillSettleMinutes: v.backfill_settle_minutes as number,
    apiBaseUrl: v.api_base_url as string,
    proxyUrl: v.proxy_url as string | undefined,
    caBundle: v.ca_bundle as string | undefined,
    logLevel: v.log_level as LogLevel,
  };
}
