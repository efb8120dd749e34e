import { createServer, request, type IncomingMessage } from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface ForwardProxy {
  /** http://127.0.0.1:PORT (without credentials). */
  url: string;
  port: number;
  /** CONNECT tunnels opened, by target authority. */
  tunnels: string[];
  /** Absolute-form requests forwarded, by URL. */
  forwarded: string[];
  /** Headers of every CONNECT request. */
  connectHeaders: IncomingMessage['headers'][];
  /** Requests turned away with 407. */
  rejected: number;
  /** The Proxy-Authorization values seen (the test's own canaries; never printed). */
  authorizations: string[];
  close(): Promise<void>;
}

/**
 * A real forward proxy on 127.0.0.1: CONNECT opens a TCP tunnel (for https targets),
 * absolute-form requests are forwarded (for plain-http targets). With `credentials`, anything
 * without the matching `Proxy-Authorization: Basic` gets 407, as squid does.
 */
export async function startForwardProxy(
  opts: {
    credentials?: { user: string; password: string };
    /** Names the proxy resolves itself, as a corporate proxy's DNS does. */
    hosts?: Record<string, string>;
    /** The address to listen on (default 127.0.0.1); e.g. this machine's own LAN address, to stand for a proxy across the network. */
    listenHost?: string;
  } = {},
): Promise<ForwardProxy> {
  const resolve = (host: string): string => opts.hosts?.[host] ?? host;
  const tunnels: string[] = [];
  const forwarded: string[] = [];
  const authorizations: string[] = [];
  const connectHeaders: IncomingMessage['headers'][] = [];
  let rejected = 0;
  const sockets = new Set<net.Socket>();
  const expected = opts.credentials ? `Basic ${Buffer.from(`${opts.credentials.user}:${opts.credentials.password}`).toString('base64')}` : undefined;
  const authorized = (req: IncomingMessage): boolean => {
    const given = req.headers['proxy-authorization'];
    if (given !== undefined) authorizations.push(given);
    if (expected === undefined) return true;
    if (given === expected) return true;
    rejected++;
    return false;
  };

  const server = createServer((req, res) => {
    if (!authorized(req)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"', 'content-type': 'text/plain' });
      res.end('Proxy Authentication Required');
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    forwarded.push(target.href);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = request(
      { host: resolve(target.hostname), port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers, agent: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: net.Socket, head: Buffer) => {
    connectHeaders.push(req.headers);
    if (!authorized(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = splitAuthority(req.url ?? '');
    tunnels.push(req.url ?? '');
    const upstream = net.connect({ host: resolve(host), port }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const listenHost = opts.listenHost ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${port}`,
    port,
    tunnels,
    forwarded,
    authorizations,
    connectHeaders,
    get rejected() {
      return rejected;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function splitAuthority(authority: string): [string, number] {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(authority);
  return m ? [m[1] ?? '', Number(m[2])] : [authority, 443];
}
