import { isLoopbackHost } from '../settings/args.js';

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

export class ProxyUrlError extends Error {
  readonly code = 'proxy_url_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'ProxyUrlError';
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
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new ProxyUrlError('must be only scheme, optional user:password, host and port (no path or query)');
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

/** `Basic` credentials for Proxy-Authorization, or undefined for a proxy without userinfo. */
export function proxyAuthorization(proxy: ProxyEndpoint): string | undefined {
  if (proxy.username === undefined) return undefined;
  return `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}`;
}

/** `host:port` for messages: never the credentials. */
export function proxyLabel(proxy: ProxyEndpoint): string {
  const host = proxy.hostname.includes(':') ? `[${proxy.hostname}]` : proxy.hostname;
  return `${host}:${proxy.port}`;
}

/**
 * The environment's proxy for a target, the way curl and most tools read it: HTTPS_PROXY for
 * https targets, HTTP_PROXY for http ones (lower-case names too), minus NO_PROXY. Loopback
 * targets never go through an environment proxy: a proxy for the outside world cannot reach
 * this host's 127.0.0.1. An explicit proxy_url is not filtered this way.
 */
export function proxyFromEnv(env: NodeJS.ProcessEnv, target: { protocol: string; hostname: string; port: number }): string | undefined {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v.trim() !== '')?.trim();
  const proxy = target.protocol === 'https:' ? pick('HTTPS_PROXY', 'https_proxy') : pick('HTTP_PROXY', 'http_proxy');
  if (proxy === undefined) return undefined;
  const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isLoopbackHost(hostname)) return undefined;
  if (bypassedByNoProxy(pick('NO_PROXY', 'no_proxy') ?? '', hostname, target.port)) return undefined;
  return proxy;
}

/**
 * NO_PROXY: comma- or space-separated entries; `*` bypasses all; `example.com` and `.example.com`
 * match the domain and its subdomains; `host:port` matches one port only.
 */
export function bypassedByNoProxy(noProxy: string, hostname: string, port: number): boolean {
  const host = hostname.toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const portMatch = /^(.*):(\d+)$/.exec(entry);
    if (portMatch && !entry.endsWith(']') && !(portMatch[1] ?? '').includes(':')) {
      if (Number(portMatch[2]) !== port) continue;
      entry = portMatch[1] ?? '';
    }
    entry = entry.replace(/^\*?\./, '').replace(/^\[(.*)\]$/, '$1');
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}
