import fs from 'node:fs';
import os from 'node:os';
import { InvalidArgumentError } from 'commander';
import path from 'node:path';
import { errnoText } from '../errors/errnoText.js';
import { createProxyAgents } from '../net/proxyAgents.js';
import { HecSink } from '../sinks/hec/hecSink.js';
import { type HecSettings, parseHecSettings } from '../sinks/hec/hecSettings.js';
import type { Logger } from '../logging/logger.js';
import type { HecFlags } from './hecFlags.js';

// Checking `poll`'s HEC flags and building the sink they describe (the flags themselves: hecFlags.ts).

const FLAG_OF: Record<keyof HecSettings, string> = {
  url: '--hec-url',
  token: 'SPLUNK_HEC_TOKEN / --hec-token-file',
  ack: '--hec-ack',
  index: '--index',
  sourcetype: '--sourcetype',
  source: '--source',
  host: '--host',
  batchEvents: '--hec-batch-events',
  batchBytes: '--hec-batch-bytes',
  maxInFlightEvents: '--hec-max-in-flight-events',
  maxInFlightBytes: '--hec-max-in-flight-bytes',
  channels: '--hec-channels',
  proxyUrl: '--hec-proxy',
  caBundle: '--hec-ca-bundle',
};

/** The HEC token comes from a file or the environment, never from a flag that shows in `ps`. */
function readHecToken(flags: HecFlags, env: NodeJS.ProcessEnv): string | undefined {
  if (flags.hecTokenFile) {
    try {
      return fs.readFileSync(flags.hecTokenFile, 'utf8').trim();
    } catch (e) {
      throw new InvalidArgumentError(
        `cannot read --hec-token-file ${flags.hecTokenFile} (${errnoText(e)}): name a readable file holding the HEC token, or set SPLUNK_HEC_TOKEN instead`,
      );
    }
  }
  return env.SPLUNK_HEC_TOKEN?.trim() || undefined;
}

/** Validates the HEC flags and environment; a bad one is named by its flag. */
export function hecSettingsFromFlags(flags: HecFlags, env: NodeJS.ProcessEnv, inputName: string): HecSettings {
  const parsed = parseHecSettings({
    url: flags.hecUrl ?? (env.SPLUNK_HEC_URL?.trim() || undefined),
    token: readHecToken(flags, env),
    ack: flags.hecAck === true,
    index: flags.index,
    sourcetype: flags.sourcetype,
    source: flags.source ?? `asana_audit_log://${inputName}`,
    host: flags.host ?? os.hostname(),
    batchEvents: flags.hecBatchEvents,
    batchBytes: flags.hecBatchBytes,
    maxInFlightEvents: flags.hecMaxInFlightEvents,
    maxInFlightBytes: flags.hecMaxInFlightBytes,
    channels: flags.hecChannels,
    proxyUrl: flags.hecProxy ?? (env.SPLUNK_HEC_PROXY_URL?.trim() || undefined),
    caBundle: flags.hecCaBundle === undefined ? undefined : path.resolve(flags.hecCaBundle),
  });
  const flagOf = (setting: keyof HecSettings) =>
    setting === 'proxyUrl' && flags.hecProxy === undefined ? 'SPLUNK_HEC_PROXY_URL' : (FLAG_OF[setting] ?? setting);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.problems.map((p) => `${flagOf(p.setting)} ${p.message}`).join('; '));
  return parsed.settings;
}

/**
 * The sink, sending through the same proxy- and CA-aware agents as the Asana client: an explicit
 * proxy, else HTTPS_PROXY/NO_PROXY from `env` (never for a loopback HEC), TLS always verified.
 */
export function hecSinkFor(settings: HecSettings, logger: Logger, opts: { timeScale?: number; env?: NodeJS.ProcessEnv } = {}): HecSink {
  const agents = createProxyAgents({
    proxyUrl: settings.proxyUrl,
    caBundle: settings.caBundle,
    caBundleLabel: '--hec-ca-bundle',
    env: opts.env ?? process.env,
    maxSockets: 8,
  });
  return new HecSink({
    url: settings.url,
    token: settings.token,
    ack: settings.ack,
    metadata: { sourcetype: settings.sourcetype, source: settings.source, host: settings.host, index: settings.index },
    maxBatchEvents: settings.batchEvents,
    maxBatchBytes: settings.batchBytes,
    maxInFlightEvents: settings.maxInFlightEvents,
    maxInFlightBytes: settings.maxInFlightBytes,
    channels: settings.channels,
    httpAgent: agents.httpAgent,
    httpsAgent: agents.httpsAgent,
    onClose: () => agents.destroy(),
    logger,
    timeScale: opts.timeScale,
  });
}
