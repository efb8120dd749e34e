/**
 * What a message calls the things a person can change. The modular input's admin edits settings
 * (inputs.conf, Splunk Web); a person at the command line passes flags. The cause-and-fix texts of
 * ERROR_CODES take one of these, and CodedError.describe(naming) renders an error in it, so one
 * error says "update the input's token" in splunkd.log and "ASANA_TOKEN" on a terminal.
 * It lives with the error model, not in settings/, because settings/ raises CodedErrors.
 */
export interface Naming {
  token: string;
  workspace: string;
  filters: string;
  startAt: string;
  maxRequestsPerMinute: string;
  caBundle: string;
  baseUrl: string;
  lateEventMinutes: string;
  /** Deprecated: read as lateEventMinutes when only it is set. */
  backfillSettleMinutes: string;
}

export const SETTING_NAMES: Naming = {
  token: "the input's token",
  workspace: 'workspace_gid',
  filters: "the input's filters and start_at",
  startAt: 'start_at',
  maxRequestsPerMinute: 'max_requests_per_minute',
  caBundle: 'ca_bundle',
  baseUrl: 'api_base_url',
  lateEventMinutes: 'late_event_minutes',
  backfillSettleMinutes: 'backfill_settle_minutes',
};

export const FLAG_NAMES: Naming = {
  token: 'the token in ASANA_TOKEN (or --token-file)',
  workspace: '--workspace',
  filters: '--event-type, --actor-type, --actor-gid, --resource-gid and --start-at',
  startAt: '--start-at',
  maxRequestsPerMinute: '--max-requests-per-minute',
  caBundle: '--ca-bundle',
  baseUrl: '--base-url',
  lateEventMinutes: '--late-event-minutes',
  backfillSettleMinutes: '--backfill-settle-minutes',
};
