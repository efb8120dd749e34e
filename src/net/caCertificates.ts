import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';
import { CodedError } from '../errors/codedError.js';

export class CaBundleError extends CodedError<'ca_bundle_invalid'> {
  constructor(message: string) {
    super('ca_bundle_invalid', message);
  }
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The PEM certificate blocks of a text, unchecked; none when it holds none. */
export function pemBlocks(text: string): string[] {
  return text.match(PEM_BLOCK) ?? [];
}

/** The certificates of a PEM text; throws when it holds none or one does not parse. */
export function parsePemCertificates(text: string, source: string): string[] {
  const blocks = pemBlocks(text);
  if (blocks.length === 0) throw new CaBundleError(`${source} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  blocks.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch {
      throw new CaBundleError(`certificate ${i + 1} in ${source} does not parse as X.509`);
    }
  });
  return blocks;
}

/** Reads and checks a PEM file of CA certificates (ca_bundle, --ca-bundle). */
export function loadCaFile(file: string, label = 'ca_bundle'): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CaBundleError(
      `cannot read ${label} ${file} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}): give the path of a PEM file the Splunk user can read`,
    );
  }
  return parsePemCertificates(text, `${label} ${file}`);
}

/**
 * Node's public CAs plus the given extra ones. Setting `ca` on a TLS connection replaces the
 * default store, so the defaults are spelled out to keep public verification working; Node's
 * NODE_EXTRA_CA_CERTS are kept for the same reason.
 */
export function trustedCas(extra: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const nodeExtra = env.NODE_EXTRA_CA_CERTS;
  let fromEnv: string[] = [];
  if (nodeExtra) {
    try {
      fromEnv = parsePemCertificates(fs.readFileSync(nodeExtra, 'utf8'), nodeExtra);
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we, by ignoring it.
    }
  }
  return [...tls.rootCertificates, ...fromEnv, ...extra];
}
