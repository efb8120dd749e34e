import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { parseInputSettings, SettingsError, type InputSettings } from '../settings/settings.js';

/** Flags that `poll` and `check` share; they map onto the same args as inputs.conf. */
export interface ConnectionFlags {
  workspace?: string;
  tokenFile?: string;
  baseUrl?: string;
  startAt?: string;
  eventType?: string;
  actorType?: string;
  actorGid?: string;
  resourceGid?: string;
  pageSize?: string;
  maxRequestsPerMinute?: string;
  backfillConcurrency?: string;
  backfillSettleMinutes?: string;
  lateEventMinutes?: string;
  logLevel?: string;
  proxy?: string;
  caBundle?: string;
  name?: string;
}

/** `poll` takes all of them; `check` (one request of one event, no cursor) only those without `pollOnly`. */
export const CONNECTION_OPTIONS: ReadonlyArray<[flags: string, description: string, use?: 'pollOnly']> = [
  ['--workspace <gid>', 'organization Domain ID (Admin console > Settings)'],
  ['--token-file <file>', 'file holding the service account token (default: env ASANA_TOKEN)'],
  ['--base-url <url>', 'Asana API base URL'],
  ['--start-at <time>', 'where a new cursor starts: ISO-8601 or -7d, -12h, -30m', 'pollOnly'],
  ['--event-type <type>', 'only this event type'],
  ['--actor-type <type>', 'only actors of this type'],
  ['--actor-gid <gid>', 'only this actor'],
  ['--resource-gid <gid>', 'only this resource'],
  ['--page-size <n>', 'events per request, 1..100', 'pollOnly'],
  ['--max-requests-per-minute <n>', 'request cap for this collector'],
  ['--backfill-concurrency <n>', 'most windows drained at once when far behind (1 = off)', 'pollOnly'],
  [
    '--late-event-minutes <n>',
    'collect events Asana shows up to this many minutes late (re-read; backfill windows end this long before now); 0 = off',
    'pollOnly',
  ],
  ['--backfill-settle-minutes <n>', 'deprecated: use --late-event-minutes', 'pollOnly'],
  ['--log-level <level>', 'DEBUG, INFO, WARN or ERROR'],
  [
    '--proxy <url>',
    'HTTP proxy http(s)://[user:password@]host:port (default: env ASANA_PROXY_URL, then HTTPS_PROXY/NO_PROXY; put a URL with a password in ASANA_PROXY_URL, not on the command line)',
  ],
  ['--ca-bundle <file>', 'PEM file of CA certificates to trust besides the public ones (TLS-inspecting proxy)'],
];

/** The token comes from a file or the environment, never from a flag that shows in `ps`. */
export function readToken(flags: ConnectionFlags, env: NodeJS.ProcessEnv): string {
  if (flags.tokenFile) {
    let token: string;
    try {
      token = fs.readFileSync(flags.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new InvalidArgumentError(`cannot read --token-file ${flags.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (token === '') throw new InvalidArgumentError(`--token-file ${flags.tokenFile} is empty: put the service account token in it`);
    return token;
  }
  const token = env.ASANA_TOKEN?.trim();
  if (!token) throw new InvalidArgumentError('no token: set ASANA_TOKEN or pass --token-file FILE holding the service account token');
  return token;
}

/** Validates CLI flags through the same arg definitions as inputs.conf. */
export function settingsFromFlags(flags: ConnectionFlags, env: NodeJS.ProcessEnv): InputSettings {
  const params: Record<string, string | undefined> = {
    workspace_gid: flags.workspace,
    token: readToken(flags, env),
    start_at: flags.startAt,
    event_type: flags.eventType,
    actor_type: flags.actorType,
    actor_gid: flags.actorGid,
    resource_gid: flags.resourceGid,
    page_size: flags.pageSize,
    max_requests_per_minute: flags.maxRequestsPerMinute,
    backfill_concurrency: flags.backfillConcurrency,
    backfill_settle_minutes: flags.backfillSettleMinutes,
    late_event_minutes: flags.lateEventMinutes,
    api_base_url: flags.baseUrl,
    log_level: flags.logLevel,
    proxy_url: flags.proxy ?? env.ASANA_PROXY_URL,
    // inputs.conf needs an absolute path; on the command line a relative one means the working directory.
    ca_bundle: flags.caBundle === undefined ? undefined : path.resolve(flags.caBundle),
  };
  try {
    return parseInputSettings(flags.name ?? `workspace-${flags.workspace ?? 'unknown'}`, params);
  } catch (e) {
    if (e instanceof SettingsError) {
      const flagOf = (arg: string) =>
        arg === 'token'
          ? flags.tokenFile === undefined
            ? 'the token in ASANA_TOKEN'
            : `the token in --token-file ${flags.tokenFile}`
          : arg === 'workspace_gid'
            ? '--workspace'
            : arg === 'api_base_url'
              ? '--base-url'
              : arg === 'proxy_url'
                ? flags.proxy === undefined
                  ? 'ASANA_PROXY_URL'
                  : '--proxy'
                : `--${arg.replace(/_/g, '-')}`;
      throw new InvalidArgumentError(e.problems.map((p) => `${flagOf(p.arg)} ${p.message}`).join('; '));
    }
    throw e;
  }
}
