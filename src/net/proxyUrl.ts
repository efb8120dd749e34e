import { CodedError } from '../errors/codedError.js';
/** Where requests go through, read from `proxy_url`, `--proxy` or the environment. */
export interface ProxyEndpoint {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** Decoded; undefined when the URL has no userinfo. */
  username?: string;
  password?: string;
}

/** The value a stored secret is replaced with in inputs.conf. */
export const SECRET_MASK = '********';

export class ProxyUrlError extends CodedError<'proxy_url_invalid'> {
  constructor(message: string) {
    super('proxy_url_invalid', message);
  }
}

/**
 * Parses `http(s)://[user:password@]host:port`. Messages never repeat the URL: it may hold a
 * password.
 */
export function parseProxyUrl(text: string): ProxyEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProxyUrlError('must be a URL such as http://proxy.example.com:3128 or http://user:password@proxy.example.com:3128');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProxyUrlError('must start with http:// or https://');
  if (url.hostname === '') throw new ProxyUrlError('must name the proxy host');
  // The text is checked too: URL drops an empty "?" or "#".
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || /[?#]/.test(text)) {
    throw new ProxyUrlError('must be only scheme, optional user:password, host and port (no path, query or fragment)');
  }
  if (url.password !== '' && url.username === '') throw new ProxyUrlError('has a password but no user name');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
  };
}

/** The proxy URL with its password replaced by the mask: what inputs.conf keeps. */
export function maskProxyPassword(text: string): string {
  const url = new URL(text);
  if (url.password === '') return text;
  url.password = SECRET_MASK;
  return url.href.replace(/\/$/, '');
}

/** The proxy URL with the given password in place of the mask. */
export function withProxyPassword(text: string, password: string): string {
  const url = new URL(text);
  url.password = encodeURIComponent(password);
  return url.href.replace(/\/$/, '');
}

/** The password in a proxy URL, for a redactor, even before the URL is validated; undefined if none or unparsable. */
export function proxyPasswordOf(proxyUrl: string | undefined): string | undefined {
  if (proxyUrl === undefined || proxyUrl.trim() === '') return undefined;
  try {
    return parseProxyUrl(proxyUrl.trim()).password;
  } catch {
    return undefined;
  }
}
