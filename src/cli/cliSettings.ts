import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { parseInputSettings, SettingsError, type InputSettings } from '../settings/settings.js';
import { errnoText } from '../errors/errnoText.js';
import type { ConnectionFlags } from './connectionOptions.js';

/** The token comes from a file or the environment, never from a flag that shows in `ps`. */
export function readToken(flags: ConnectionFlags, env: NodeJS.ProcessEnv): string {
  if (flags.tokenFile) {
    let token: string;
    try {
      token = fs.readFileSync(flags.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new InvalidArgumentError(
        `cannot read --token-file ${flags.tokenFile} (${errnoText(e)}): name a readable file holding the service account token, or set ASANA_TOKEN instead`,
      );
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
