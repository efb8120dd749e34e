import { type Command, InvalidArgumentError } from 'commander';
import {
  DEFAULT_BATCH_BYTES,
  DEFAULT_BATCH_EVENTS,
  DEFAULT_CHANNELS,
  DEFAULT_HEC_SOURCETYPE,
  DEFAULT_IN_FLIGHT_BYTES,
  DEFAULT_IN_FLIGHT_EVENTS,
} from '../sinks/hec/hecDefaults.js';

// `poll`'s HEC flags as the command line knows them. Checking their values and building the sink
// (hecOptions.ts) loads the HEC code, which only `--output hec` needs.

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
  hecMaxInFlightEvents?: string;
  hecMaxInFlightBytes?: string;
  hecChannels?: string;
  hecProxy?: string;
  hecCaBundle?: string;
}

export function addHecOptions(cmd: Command): Command {
  return cmd
    .option('--hec-url <url>', 'with --output hec: HEC base URL, e.g. https://splunk.example.com:8088 (default: env SPLUNK_HEC_URL)')
    .option('--hec-token-file <file>', 'with --output hec: file holding the HEC token (default: env SPLUNK_HEC_TOKEN)')
    .option('--hec-ack', 'with --output hec: use indexer acknowledgment (the token must have it on)')
    .option('--index <index>', "with --output hec: Splunk index (default: the token's default index)")
    .option('--sourcetype <sourcetype>', `with --output hec: sourcetype (default ${DEFAULT_HEC_SOURCETYPE})`)
    .option('--source <source>', 'with --output hec: source (default asana_audit_log://<name>)')
    .option('--host <host>', "with --output hec: host field (default this machine's host name)")
    .option('--hec-batch-events <n>', `with --output hec: most events per request (default ${DEFAULT_BATCH_EVENTS})`)
    .option('--hec-batch-bytes <n>', `with --output hec: most uncompressed bytes per request (default ${DEFAULT_BATCH_BYTES})`)
    .option(
      '--hec-max-in-flight-events <n>',
      `with --output hec: most events sent and not yet acknowledged; also the most a kill can send again (default ${DEFAULT_IN_FLIGHT_EVENTS})`,
    )
    .option('--hec-max-in-flight-bytes <n>', `with --output hec: most uncompressed bytes of them, held for resending (default ${DEFAULT_IN_FLIGHT_BYTES})`)
    .option('--hec-channels <n>', `with --hec-ack: channels to spread batches over, 1 to 16 (default ${DEFAULT_CHANNELS})`)
    .option(
      '--hec-proxy <url>',
      'with --output hec: HTTP proxy http(s)://[user:password@]host:port for HEC (default: env SPLUNK_HEC_PROXY_URL, then HTTPS_PROXY/NO_PROXY; put a URL with a password in SPLUNK_HEC_PROXY_URL, not on the command line)',
    )
    .option(
      '--hec-ca-bundle <file>',
      'with --output hec: PEM file of CA certificates to trust besides the public ones (a private HEC certificate, a TLS-inspecting proxy)',
    );
}

const HEC_FLAG_NAMES: Record<keyof HecFlags, string> = {
  hecUrl: '--hec-url',
  hecTokenFile: '--hec-token-file',
  hecAck: '--hec-ack',
  index: '--index',
  sourcetype: '--sourcetype',
  source: '--source',
  host: '--host',
  hecBatchEvents: '--hec-batch-events',
  hecBatchBytes: '--hec-batch-bytes',
  hecMaxInFlightEvents: '--hec-max-in-flight-events',
  hecMaxInFlightBytes: '--hec-max-in-flight-bytes',
  hecChannels: '--hec-channels',
  hecProxy: '--hec-proxy',
  hecCaBundle: '--hec-ca-bundle',
};

/** HEC flags given without `--output hec`: refused rather than silently ignored. */
export function refuseHecFlagsWithoutHec(flags: HecFlags & { output: string }): void {
  if (flags.output === 'hec') return;
  const given = (Object.keys(HEC_FLAG_NAMES) as Array<keyof HecFlags>).filter((k) => flags[k] !== undefined).map((k) => HEC_FLAG_NAMES[k]);
  if (given.length > 0) {
    throw new InvalidArgumentError(
      `${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} only with --output hec: add --output hec to deliver to Splunk HEC, or drop ${given.length === 1 ? 'it' : 'them'}`,
    );
  }
}
