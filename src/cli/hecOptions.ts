import fs from 'node:fs';
import os from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import { HecSink } from '../sinks/hec/hecSink.js';
import { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_EVENTS, DEFAULT_HEC_SOURCETYPE, type HecSettings, parseHecSettings } from '../sinks/hec/hecSettings.js';
import type { Logger } from '../logging/logger.js';

/** `poll`'s flags for `--output hec`. */
export interface HecFlags {
  hecUrl?: string;
  hecTokenFile?: string;
  hecAck?: boolean;
  index?: string;
  sourcetype?: string;
  source?: string;
  host?: string;
  hecBatchEvents?: string;
  hecBatchBytes?: string;
}

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
};

export function addHecOptions(cmd: Command): Command {
  return cmd
    .option('--hec-url <url>', 'with --output hec: HEC base URL, e.g. https://splunk.example.com:8088 (default: env SPLUNK_HEC_URL)')
    .option('--hec-token-file <file>', 'with --output hec: file holding the HEC token (default: env SPLUNK_HEC_TOKEN)')
    .option('--hec-ack', 'with --output hec: use indexer acknowledgment (the token must have it on)')
    .option('--index <index>', 'with --output hec: Splunk index (default: the token\'s default index)')
    .option('--sourcetype <sourcetype>', `with --output hec: sourcetype (default ${DEFAULT_HEC_SOURCETYPE})`)
    .option('--source <source>', 'with --output hec: source (default asana_audit_log://<name>)')
    .option('--host <host>', 'with --output hec: host field (default this machine\'s host name)')
    .option('--hec-batch-events <n>', `with --output hec: most events per request (default ${DEFAULT_BATCH_EVENTS})`)
    .option('--hec-batch-bytes <n>', `with --output hec: most uncompressed bytes per request (default ${DEFAULT_BATCH_BYTES})`);
}

/** The HEC token comes from a file or the environment, never from a flag that shows in `ps`. */
function readHecToken(flags: HecFlags, env: NodeJS.ProcessEnv): string | undefined {
  if (flags.hecTokenFile) {
    try {
      return fs.readFileSync(flags.hecTokenFile, 'utf8').trim();
    } catch (e) {
      throw new InvalidArgumentError(`cannot read --hec-token-file ${flags.hecTokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
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
  });
  if (!parsed.ok) throw new InvalidArgumentError(parsed.problems.map((p) => `${FLAG_OF[p.setting] ?? p.setting} ${p.message}`).join('; '));
  return parsed.settings;
}

export function hecSinkFor(settings: HecSettings, logger: Logger, timeScale?: number): HecSink {
  return new HecSink({
    url: settings.url,
    token: settings.token,
    ack: settings.ack,
    metadata: { sourcetype: settings.sourcetype, source: settings.source, host: settings.host, index: settings.index },
    maxBatchEvents: settings.batchEvents,
    maxBatchBytes: settings.batchBytes,
    logger,
    timeScale,
  });
}
