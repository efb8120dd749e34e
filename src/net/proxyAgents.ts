import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { loadCaFile, trustedCas } from './caCertificates.js';
import { parseProxyUrl, ProxyUrlError, type ProxyEndpoint } from './proxyUrl.js';
import { proxyAuthorization, proxyFromEnv } from './proxyConfig.js';
import { openTunnel, proxyConnectError, serverNameFor } from './proxyTunnel.js';

export interface ProxyAgentsOptions {
  /** `http(s)://[user:password@]host:port`; takes precedence over the environment, loopback targets included. */
  proxyUrl?: string;
  /** PEM file of CAs trusted in addition to Node's public ones. */
  caBundle?: string;
  /** How messages name the CA bundle setting (default `ca_bundle`). */
  caBundleLabel?: string;
  /** Read for HTTPS_PROXY, HTTP_PROXY and NO_PROXY when there is no proxyUrl. */
  env?: NodeJS.ProcessEnv;
  /** Sockets per target, default 8. */
  maxSockets?: number;
  /** Deadline for a proxy to open a tunnel, default 30000. */
  tunnelTimeoutMs?: number;
}

export interface ProxyAgents {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** The proxy of proxyUrl, if one was given. */
  proxy?: ProxyEndpoint;
  destroy(): void;
}

interface Target {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
}
type Route = (target: Target) => ProxyEndpoint | undefined;
type ConnectCallback = (err: Error | null, stream: Duplex) => void;
interface AgentInternals {
  addRequest(req: http.ClientRequest, options: http.RequestOptions): void;
}

const DEFAULT_MAX_SOCKETS = 8;
const DEFAULT_TUNNEL_TIMEOUT_MS = 30_000;
const baseAddRequest = (http.Agent.prototype as unknown as AgentInternals).addRequest;

/**
 * The agents the Asana client and the HEC sink send through: certificate verification always on
 * (there is no switch to turn it off), `caBundle` added to the public CAs, and a proxy when one
 * is configured: a CONNECT tunnel for https targets, absolute-form requests for plain-http
 * (loopback) ones.
 */
export function createProxyAgents(opts: ProxyAgentsOptions = {}): ProxyAgents {
  const env = opts.env ?? process.env;
  const extraCas = opts.caBundle !== undefined ? loadCaFile(opts.caBundle, opts.caBundleLabel) : undefined;
  const ca = extraCas !== undefined ? trustedCas(extraCas, env) : undefined;
  const explicit = opts.proxyUrl !== undefined ? parseProxyUrl(opts.proxyUrl) : undefined;
  const envProxies = new Map<string, ProxyEndpoint>();
  const route: Route = (target) => {
    if (explicit) return explicit;
    const fromEnv = proxyFromEnv(env, target);
    if (fromEnv === undefined) return undefined;
    let parsed = envProxies.get(fromEnv);
    if (!parsed) {
      try {
        parsed = parseProxyUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(fromEnv) ? fromEnv : `http://${fromEnv}`);
      } catch (e) {
        throw new ProxyUrlError(`the ${target.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'} environment variable ${(e as Error).message}`);
      }
      envProxies.set(fromEnv, parsed);
    }
    return parsed;
  };
  const maxSockets = opts.maxSockets ?? DEFAULT_MAX_SOCKETS;
  const tunnelTimeoutMs = opts.tunnelTimeoutMs ?? DEFAULT_TUNNEL_TIMEOUT_MS;
  const httpAgent = new ProxyingHttpAgent(route, ca, { keepAlive: true, maxSockets });
  // rejectUnauthorized set explicitly: Node only reads NODE_TLS_REJECT_UNAUTHORIZED when it is not.
  const httpsAgent = new TunnelingHttpsAgent(route, ca, tunnelTimeoutMs, { keepAlive: true, maxSockets, rejectUnauthorized: true, ...(ca ? { ca } : {}) });
  return {
    httpAgent,
    httpsAgent,
    proxy: explicit,
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function targetOf(protocol: Target['protocol'], options: http.RequestOptions): Target {
  const hostname = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
  const port = Number(options.port ?? (protocol === 'https:' ? 443 : 80));
  return { protocol, hostname, port };
}

/** https targets: direct TLS, or TLS inside a CONNECT tunnel so the proxy never sees the token. */
class TunnelingHttpsAgent extends https.Agent {
  constructor(
    private readonly route: Route,
    private readonly ca: string[] | undefined,
    private readonly tunnelTimeoutMs: number,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: https.RequestOptions, callback?: ConnectCallback): Duplex | null | undefined {
    const target = targetOf('https:', options);
    let proxy: ProxyEndpoint | undefined;
    try {
      proxy = this.route(target);
    } catch (e) {
      callback?.(e as Error, undefined as unknown as Duplex);
      return undefined;
    }
    if (!proxy) return super.createConnection(options, callback);
    openTunnel(proxy, { host: target.hostname, port: target.port }, { ca: this.ca, timeoutMs: this.tunnelTimeoutMs }).then(
      (socket) => {
        const secure = tls.connect({
          ...(options as tls.ConnectionOptions),
          socket,
          host: target.hostname,
          servername: serverNameFor(target.hostname),
          rejectUnauthorized: true,
        });
        callback?.(null, secure);
      },
      (e: Error) => callback?.(e, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** Plain-http targets: direct, or the whole URL sent to the proxy (absolute form) with its credentials. */
class ProxyingHttpAgent extends http.Agent {
  constructor(
    private readonly route: Route,
    private readonly ca: string[] | undefined,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  addRequest(req: http.ClientRequest, options: http.RequestOptions): void {
    let proxy: ProxyEndpoint | undefined;
    try {
      proxy = this.route(targetOf('http:', options));
    } catch (e) {
      process.nextTick(() => req.destroy(e as Error));
      return;
    }
    if (proxy) {
      const target = targetOf('http:', options);
      const host = target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname;
      if (!/^[a-z]+:\/\//i.test(req.path)) req.path = `http://${host}:${target.port}${req.path}`;
      const auth = proxyAuthorization(proxy);
      if (auth !== undefined) req.setHeader('Proxy-Authorization', auth);
    }
    baseAddRequest.call(this, req, options);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
    const proxy = this.route(targetOf('http:', options));
    if (!proxy) return super.createConnection(options, callback);
    const socket =
      proxy.protocol === 'https:'
        ? tls.connect({ host: proxy.hostname, port: proxy.port, ca: this.ca, servername: serverNameFor(proxy.hostname), rejectUnauthorized: true })
        : net.connect({ host: proxy.hostname, port: proxy.port });
    // Handed over once connected, so a proxy that cannot be reached is named as the proxy.
    const onError = (e: Error & { code?: string }): void => callback?.(proxyConnectError(proxy, e), socket);
    socket.once('error', onError);
    socket.once(proxy.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      socket.off('error', onError);
      callback?.(null, socket);
    });
    return undefined;
  }
}
