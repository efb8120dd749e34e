import { isLoopbackHost } from './loopback.js';
import type { ProxyEndpoint } from './proxyUrl.js';

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
  const pick = (...names: string[]) =>
    names
      .map((n) => env[n])
      .find((v) => v !== undefined && v.trim() !== '')
      ?.trim();
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
