import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { pemBlocks } from '../net/caCertificates.js';
import { isLoopbackHost } from '../net/loopback.js';

/** What a connection to splunkd's management port trusts. */
export interface SplunkdTrust {
  /** CA certificates (PEM) splunkd's certificate must chain to; undefined: Node's public CAs. */
  ca?: string[];
  /** Where `ca` came from, for messages. */
  caSource?: string;
  checkServerIdentity: (host: string, cert: tls.PeerCertificate) => Error | undefined;
}

/**
 * The value of `sslRootCAPath` in server.conf's `[sslConfig]`: the local file wins over the
 * default one, as in Splunk's own layering. `$SPLUNK_HOME` in the value is expanded.
 */
export function sslRootCaPath(splunkHome: string): string | undefined {
  for (const layer of ['local', 'default']) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(splunkHome, 'etc', 'system', layer, 'server.conf'), 'utf8');
    } catch {
      continue;
    }
    const value = confValue(text, 'sslConfig', 'sslRootCAPath');
    if (value !== undefined && value !== '') return value.replace(/\$SPLUNK_HOME/g, splunkHome);
  }
  return undefined;
}

/** One setting of one stanza of a .conf text (last one wins, as in Splunk). */
export function confValue(text: string, stanza: string, key: string): string | undefined {
  let current = 'default';
  let found: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      current = (header[1] ?? '').trim();
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && current === stanza && kv[1] === key) found = (kv[2] ?? '').trim();
  }
  return found;
}

/**
 * Splunk's own CA for `server_uri`: `sslRootCAPath` if server.conf names an existing file, else
 * `$SPLUNK_HOME/etc/auth/cacert.pem`. Verification stays on. splunkd's default certificate
 * names no host (CN=SplunkServerDefaultCert), so for a loopback `server_uri` the chain to
 * Splunk's CA is what is checked, not the name; any other host must match its certificate.
 */
export function splunkdTrust(env: NodeJS.ProcessEnv): SplunkdTrust {
  const checkServerIdentity = (host: string, cert: tls.PeerCertificate): Error | undefined =>
    isLoopbackHost(host.replace(/^\[(.*)\]$/, '$1')) ? undefined : tls.checkServerIdentity(host, cert);
  const home = env.SPLUNK_HOME;
  if (!home) return { checkServerIdentity };
  const candidates = [sslRootCaPath(home), path.join(home, 'etc', 'auth', 'cacert.pem')].filter((p): p is string => p !== undefined);
  for (const file of candidates) {
    let pem: string;
    try {
      pem = fs.readFileSync(path.isAbsolute(file) ? file : path.join(home, file), 'utf8');
    } catch {
      continue;
    }
    const certs = pemBlocks(pem);
    if (certs.length > 0) return { ca: [...tls.rootCertificates, ...certs], caSource: file, checkServerIdentity };
  }
  return { checkServerIdentity };
}
