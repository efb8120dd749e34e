import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { ProxyEndpoint } from './proxyUrl.js';
import { proxyAuthorization, proxyLabel } from './proxyConfig.js';
import { isTlsFailure } from './tlsErrors.js';
import { CodedError } from '../errors/codedError.js';

export const PROXY_ERROR_CODES = ['ERR_PROXY_UNREACHABLE', 'ERR_PROXY_AUTH_REQUIRED', 'ERR_PROXY_REFUSED', 'ERR_PROXY_TIMEOUT'] as const;
export type ProxyErrorCode = (typeof PROXY_ERROR_CODES)[number];

/** A proxy failure; its message names the proxy by host and port only, never its credentials. */
export class ProxyError extends CodedError<ProxyErrorCode> {}

export interface TunnelOptions {
  /** CAs for an https:// proxy's own certificate (undefined: Node's defaults). */
  ca?: string[];
  timeoutMs: number;
}

/**
 * Asks the proxy for a raw TCP tunnel to host:port (HTTP CONNECT) and resolves with the tunnel's
 * socket, over which the caller starts TLS with the target: the proxy sees only encrypted bytes.
 */
export function openTunnel(proxy: ProxyEndpoint, target: { host: string; port: number }, opts: TunnelOptions): Promise<net.Socket> {
  const authority = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const label = proxyLabel(proxy);
  const headers: Record<string, string> = { host: authority };
  const auth = proxyAuthorization(proxy);
  if (auth !== undefined) headers['proxy-authorization'] = auth;
  const requestOptions: https.RequestOptions = {
    host: proxy.hostname,
    port: proxy.port,
    method: 'CONNECT',
    path: authority,
    headers,
    agent: false,
    ...(proxy.protocol === 'https:' ? { ca: opts.ca, servername: serverNameFor(proxy.hostname), rejectUnauthorized: true } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (proxy.protocol === 'https:' ? https : http).request(requestOptions);
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    req.setTimeout(opts.timeoutMs, () => {
      req.destroy(new ProxyError('ERR_PROXY_TIMEOUT', `the proxy at ${label} did not answer the tunnel request in time`));
    });
    req.once('connect', (res: http.IncomingMessage, socket: net.Socket) => {
      req.setTimeout(0);
      const status = res.statusCode ?? 0;
      if (status === 200) {
        settled = true;
        resolve(socket);
        return;
      }
      socket.destroy();
      if (status === 407) {
        fail(
          new ProxyError(
            'ERR_PROXY_AUTH_REQUIRED',
            auth === undefined
              ? `the proxy at ${label} asks for credentials (407): put user:password in the proxy URL`
              : `the proxy at ${label} rejected the credentials in the proxy URL (407)`,
          ),
        );
      } else {
        fail(new ProxyError('ERR_PROXY_REFUSED', `the proxy at ${label} refused the tunnel to ${authority} (HTTP ${status})`));
      }
    });
    req.once('error', (e: Error & { code?: string }) => fail(proxyConnectError(proxy, e)));
    req.end();
  });
}

/** A failure to reach the proxy, by code only; TLS failures keep their own code (ca_bundle fixes them). */
export function proxyConnectError(proxy: ProxyEndpoint, e: Error & { code?: string }): Error {
  if (e instanceof ProxyError || (e.code !== undefined && isTlsFailure(e.code))) return e;
  return new ProxyError('ERR_PROXY_UNREACHABLE', `the proxy at ${proxyLabel(proxy)} could not be reached (${safeCode(e.code)})`);
}

/** TLS SNI takes names only, never IP addresses. */
export function serverNameFor(host: string): string | undefined {
  return /^[\d.]+$/.test(host) || host.includes(':') ? undefined : host;
}

function safeCode(code: string | undefined): string {
  return code !== undefined && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : 'no error code';
}
