import path from 'node:path';
import { z } from 'zod';
import { ACTOR_TYPES } from '../model/auditLog.js';
import { isLoopbackHost } from '../net/loopback.js';
import { LOG_LEVELS } from '../logging/logger.js';
import { parseProxyUrl } from '../net/proxyUrl.js';
import { parseStartAt } from './startAt.js';

export const DEFAULT_API_BASE_URL = 'https://app.asana.com/api/1.0';

/**
 * The one definition of the input's arguments. The `--scheme` XML, the inputs.conf.spec check,
 * validation and the settings type are all derived from this list.
 */
export interface ArgDefinition {
  name: string;
  title: string;
  description: string;
  dataType: 'string' | 'number' | 'boolean';
  requiredOnCreate: boolean;
  requiredOnEdit: boolean;
  /** Parses the raw string from inputs.conf (undefined when absent or empty). */
  schema: z.ZodType<unknown, unknown>;
  /** Shown in inputs.conf.spec and README. */
  defaultText?: string;
  secret?: boolean;
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);
const intInRange = (min: number, max: number, dflt: number) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
      .transform(Number)
      .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`)
      .optional()
      .transform((n) => n ?? dflt),
  );

/** A whole number in range with no default: absence stays visible (a deprecated arg falls back on it). */
const optionalIntInRange = (min: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
      .transform(Number)
      .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`)
      .optional(),
  );

/** Default of `late_event_minutes`: AWS AppFabric documents Asana events arriving up to 30 minutes late. */
export const DEFAULT_LATE_EVENT_MINUTES = 60;

const apiBaseUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((v) => v ?? DEFAULT_API_BASE_URL)
    .superRefine((v, ctx) => {
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://app.asana.com/api/1.0' });
        return;
      }
      // Checked on the text: URL drops an empty "?" or "#", and both would still end up in every
      // request path. user:password@ would make axios send Basic auth instead of the token.
      if (/^[^:]*:\/\/[^/?#]*@/.test(v) || /[?#]/.test(v)) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be only scheme, host, port and path, such as https://app.asana.com/api/1.0: no user:password@, no ?query and no #fragment',
        });
        return;
      }
      if (url.protocol === 'https:') return;
      if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return;
      ctx.addIssue({
        code: 'custom',
        message: 'must use https (plain http is accepted only for loopback hosts such as 127.0.0.1)',
      });
    })
    .transform((v) => v.replace(/\/+$/, '')),
);

// biome-ignore lint/suspicious/noControlCharactersInRegex: a control character in a token is what this finds.
const SPACE_OR_CONTROL = /[\u0000-\u001f\u007f\s]/;

export const ARGS = [
  {
    name: 'workspace_gid',
    title: 'Domain ID',
    description: 'The Asana organization to read: its Domain ID, from Admin console > Settings. Digits only.',
    dataType: 'string',
    requiredOnCreate: true,
    requiredOnEdit: false,
    schema: z.preprocess(emptyToUndefined, z.string({ error: 'is required' }).regex(/^\d+$/, 'must be digits only (the Domain ID)')),
  },
  {
    name: 'token',
    title: 'Service account token',
    description: 'Token of an Asana service account with the Audit logs scope (Admin console > Apps > Service accounts).',
    dataType: 'string',
    requiredOnCreate: true,
    requiredOnEdit: false,
    secret: true,
    // Said without the value: these messages end up in logs.
    schema: z.preprocess(
      emptyToUndefined,
      z
        .string({ error: 'is required' })
        .refine((t) => !/^bearer\s/i.test(t), 'starts with "Bearer ": give the token alone, without the "Bearer " prefix')
        .refine((t) => /^bearer\s/i.test(t) || !SPACE_OR_CONTROL.test(t), 'contains spaces or control characters: give the token alone, as Asana showed it'),
    ),
  },
  {
    name: 'start_at',
    title: 'Start at',
    description:
      'Where a new input starts: an ISO-8601 time (2026-01-31T00:00:00Z) or a relative time (-7d, -12h, -30m). Empty: the oldest event Asana still holds (up to 90 days back). Only read when the input has no checkpoint yet.',
    dataType: 'string',
    requiredOnCreate: false,
    requiredOnEdit: false,
    defaultText: 'empty (the oldest event Asana holds)',
    schema: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .optional()
        .superRefine((v, ctx) => {
          if (v !== undefined && parseStartAt(v, new Date()) === undefined) {
            ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 time such as 2026-01-31T00:00:00Z or a relative time such as -7d, -12h or -30m' });
          }
        }),
    ),
  },
  {
    name: 'event_type',
    title: 'Event type filter',
    description: 'Only collect events of this type, for example user_login_failed. Empty: all types.',
    dataType: 'string',
    requiredOnCreate: false,
    requiredOnEdit: false,
    schema: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[a-z0-9_]+$/, 'must be an event type name such as user_login_failed')
        .optional(),
    ),
  },
  {
    name: 'actor_type',
    title: 'Actor type filter',
    description: `Only collect events whose actor is of this type: one of ${ACTOR_TYPES.join(', ')}. Do not combine with actor_gid.`,
    dataType: 'string',
    requiredOnCreate: false,
    requiredOnEdit: false,
    schema: z.preprocess(emptyToUndefined, z.enum(ACTOR_TYPES, { error: `must be one of ${ACTOR_TYPES.join(', ')}` }).optional()),
  },
  {
    name: 'actor_gid',
    title: 'Actor filter',
    description: 'Only collect events triggered by the actor with this gid.',
    dataType: 'string',
    requiredOnCreate: false,
    requiredOnEdit: false,
    schema: z.preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'must be digits only (a user gid)').optional()),
  },
  {
    name: 'resource_gid',
    title: 'Resource filter',
    description: 'Only collect events about the resource with this gid.',
    dataType: 'string',
    requiredOnCreate: false,
    requiredOnEdit: false,
    schema: z.preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'must be digits only (a resource gid)').optional()),
  },
  {
    name: 'page_size',
    title: 'Page size',
    description: 'Events per request, 1 to 100. Default 100.',
    dataType: 'number',
    requiredOnCreate: false,
    requiredOnEdit: false,
    defaultText: '100',
    schema: intInRange(1, 100, 100),
  },
  {
    name: 'max_requests_per_minute',
    title: 'Request cap per minute',
    description:
      'Most requests this input sends to Asana in a minute. Asana allows 1500 per token on paid plans; lower it when other tools share the token. Default 600.',
    dataType: 'number',
    requiredOnCreate: false,
    requiredOnEdit: false,
    defaultText: '600',
    schema: intInRange(1, 1500, 600),
  },
  {
    name: 'backfill_concurrency',
    title: 'Backfill concurrency',
    description:
      'Most time windows drained at once when the input is far behind (a new input or a long outage), sized from the measured round trip within max_requests_per_minute. 1 turns parallel backfill off. Default 8.',
    dataType: 'number',
    requiredOnCreate: false,
    requiredOnEdit: false,
    defaultText: '8',
    schema: intInRange(1, 50, 8),
  },
  {
    name: 'late_event_minutes',
    title: 'Late events (minutes)',
    description:
      'Asana can show an event in the API some time after its created_at. Every event that shows up at most this many minutes late is collected, exactly once: the input re-reads each stretch of time once it is this old, and backfill windows end this long before now. 0 turns the re-read off. 0 to 1440. Default 60.',
    dataType: 'number',
    requiredOnCreate: false,
    requiredOnEdit: false,
    defaultText: String(DEFAULT_LATE_EVENT_MINUTES),
    schema: optionalIntInRange(0, 1440),
  },
  {
    name: 'backfill_settle_minutes',
    title: 'Backfill settle time (deprecated)',
    description:
      'Deprecated: use late_event_minutes, which now also sets where backfill windows end. Still read when late_event_minutes is not set, as its value. 5 to 1440.',
    dataType: 'number',
    requiredOnCreate: false,
    requiredOnEdit: false,
    defaultText: 'empty (late_event_minutes applies)',
    schema: optionalIntInRange(5, 1440),
  },
  {
    name: 'api_base_url',
    title: 'API base URL',
    description: `Asana API base URL. Default ${DEFAULT_API_BASE_URL}. Plain http is accepted only for loopback hosts (testing).`,
    dataType: 'string',
    requiredOnCreate: false,
    requiredOnEdit: false,
    defaultText: DEFAULT_API_BASE_URL,
    schema: apiBaseUrl,
  },
  {
    name: 'proxy_url',
    title: 'Proxy URL',
    description:
      "HTTP proxy for requests to Asana: http(s)://[user:password@]host:port. The password is moved to Splunk's credential store on the first run. Empty: the HTTPS_PROXY, HTTP_PROXY and NO_PROXY environment variables apply.",
    dataType: 'string',
    requiredOnCreate: false,
    requiredOnEdit: false,
    secret: true,
    schema: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .optional()
        .superRefine((v, ctx) => {
          if (v === undefined) return;
          try {
            parseProxyUrl(v);
          } catch (e) {
            ctx.addIssue({ code: 'custom', message: (e as Error).message });
          }
        }),
    ),
  },
  {
    name: 'ca_bundle',
    title: 'Extra CA certificates',
    description:
      'Absolute path of a PEM file with CA certificates to trust in addition to the public ones, for a TLS-inspecting proxy. Certificate verification cannot be turned off.',
    dataType: 'string',
    requiredOnCreate: false,
    requiredOnEdit: false,
    schema: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .refine((v) => path.isAbsolute(v), 'must be an absolute path to a PEM file (the working directory of a Splunk input is not fixed)')
        .optional(),
    ),
  },
  {
    name: 'log_level',
    title: 'Log level',
    description: 'DEBUG, INFO, WARN or ERROR. Default INFO.',
    dataType: 'string',
    requiredOnCreate: false,
    requiredOnEdit: false,
    defaultText: 'INFO',
    schema: z.preprocess(
      (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().toUpperCase()) : v),
      z
        .enum(LOG_LEVELS, { error: 'must be DEBUG, INFO, WARN or ERROR' })
        .optional()
        .transform((v) => v ?? 'INFO'),
    ),
  },
] as const satisfies readonly ArgDefinition[];
