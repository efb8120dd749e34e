/**
 * The connection flags of `poll` and `check`, as data: registering a command reads only this
 * file, so a run loads the settings' schemas when it needs them, not to build the command line.
 */

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
