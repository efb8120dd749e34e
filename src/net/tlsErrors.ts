/** Node/OpenSSL codes for a certificate that did not verify. */
const CERTIFICATE_ERROR_CODES: ReadonlySet<string> = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'HOSTNAME_MISMATCH',
]);

/**
 * Whether a request's error code says the peer's certificate or the TLS handshake failed: retrying
 * cannot fix that, trusting the right CA can. Codes outside the list that name a certificate, or
 * Node's ERR_TLS_/ERR_SSL_ families, count too, so a code OpenSSL adds later is not taken for a
 * passing network fault.
 */
export function isTlsFailure(code: string): boolean {
  return CERTIFICATE_ERROR_CODES.has(code) || /^ERR_(TLS|SSL)_/.test(code) || /CERT|SELF_SIGNED|ISSUER|SIGNATURE/.test(code);
}
