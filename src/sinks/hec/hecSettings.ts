import { z } from 'zod';
import { loadCaFile } from '../../net/caCertificates.js';
import { isLoopbackHost } from '../../net/loopback.js';
import { parseProxyUrl } from '../../net/proxyUrl.js';
import {
  DEFAULT_BATCH_BYTES,
  DEFAULT_BATCH_EVENTS,
  DEFAULT_CHANNELS,
  DEFAULT_HEC_SOURCETYPE,
  DEFAULT_IN_FLIGHT_BYTES,
  DEFAULT_IN_FLIGHT_EVENTS,
} from './hecDefaults.js';
import { PARSED_RARELY } from '../../model/parseOptions.js';

const hecUrl = z
  .string({ error: 'is required: pass --hec-url or set SPLUNK_HEC_URL' })
  .trim()
  .superRefine((v, ctx) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://splunk.example.com:8088' });
      return;
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'must not carry credentials: give the token through SPLUNK_HEC_TOKEN or --hec-token-file' });
      return;
    }
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return;
    ctx.addIssue({
      code: 'custom',
      message: 'must use https (plain http is accepted only for loopback hosts such as 127.0.0.1): the token travels in every request',
    });
  })
  // People paste the full endpoint as often as the base; both mean the same collector.
  .transform((v) => v.replace(/\/+$/, '').replace(/\/services\/collector(\/event(\/1\.0)?|\/raw)?$/, ''));

const token = z
  .string({ error: 'is required: set SPLUNK_HEC_TOKEN or pass --hec-token-file FILE' })
  .trim()
  .min(1, 'is empty: set SPLUNK_HEC_TOKEN or pass --hec-token-file FILE')
  .regex(/^[\x21-\x7e]+$/, 'contains whitespace or control characters');

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number()
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);

const proxyUrl = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    try {
      parseProxyUrl(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  });

const caBundle = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .superRefine((v, ctx) => {
    try {
      loadCaFile(v, '--hec-ca-bundle');
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `is not usable: ${(e as Error).message}` });
    }
  });

/** Everything the HEC sink needs, validated once, whatever the source (flags or environment). */
export const hecSettingsSchema = z
  .object({
    url: hecUrl,
    token,
    ack: z.boolean(),
    /** Splunk index names: lower-case letters, digits, `_` and `-`, not starting with `_` or `-`. */
    index: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'must be a Splunk index name (lower-case letters, digits, _ and -)')
      .optional(),
    sourcetype: z.string().trim().min(1, 'must not be empty').default(DEFAULT_HEC_SOURCETYPE),
    source: z.string().trim().min(1, 'must not be empty').optional(),
    host: z.string().trim().min(1, 'must not be empty').optional(),
    batchEvents: wholeNumber(1, 100_000).default(DEFAULT_BATCH_EVENTS),
    batchBytes: wholeNumber(1_000, 800_000_000).default(DEFAULT_BATCH_BYTES),
    /** Most events sent and not yet acknowledged: also what a kill can repeat. */
    maxInFlightEvents: wholeNumber(100, 1_000_000).default(DEFAULT_IN_FLIGHT_EVENTS),
    maxInFlightBytes: wholeNumber(100_000, 2_000_000_000).default(DEFAULT_IN_FLIGHT_BYTES),
    channels: wholeNumber(1, 16).default(DEFAULT_CHANNELS),
    /** `http(s)://[user:password@]host:port`; absent: HTTPS_PROXY and NO_PROXY apply. */
    proxyUrl: proxyUrl.optional(),
    /** PEM file of CAs trusted besides the public ones. */
    caBundle: caBundle.optional(),
  })
  .superRefine((v, ctx) => {
    // Plain http is only accepted for a HEC on this host; through a proxy the token would leave it in clear.
    if (v.proxyUrl !== undefined && v.url.startsWith('http:')) {
      ctx.addIssue({ code: 'custom', path: ['proxyUrl'], message: 'needs an https --hec-url: over plain http the token would cross the proxy in clear' });
    }
  });
export type HecSettings = z.infer<typeof hecSettingsSchema>;
export type HecSettingsInput = z.input<typeof hecSettingsSchema>;

/** One failed setting, named by its key in `HecSettings`. */
export interface HecSettingProblem {
  setting: keyof HecSettings;
  message: string;
}

export function parseHecSettings(
  input: { [K in keyof HecSettingsInput]?: unknown },
): { ok: true; settings: HecSettings } | { ok: false; problems: HecSettingProblem[] } {
  const result = hecSettingsSchema.safeParse(input, PARSED_RARELY);
  if (result.success) return { ok: true, settings: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((i) => ({ setting: String(i.path[0]) as keyof HecSettings, message: i.message })),
  };
}
