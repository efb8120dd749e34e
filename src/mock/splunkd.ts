import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real splunkd management port on 127.0.0.1 (https with a certificate from a CA the test made,
 * or plain http), emulating the storage/passwords contract of Splunk's REST API reference
 * ("Access endpoint descriptions", storage/passwords) as splunkd 9.x and 10.x answer it:
 *
 * - every call needs `Authorization: Splunk <session_key>`, else 401 with splunkd's JSON
 *   `{"messages":[{"type":"ERROR","text":…}]}`;
 * - POST servicesNS/nobody/<app>/storage/passwords (form: name, password, realm): 201, or 409
 *   when realm:name: exists;
 * - GET  servicesNS/nobody/<app>/storage/passwords/<realm>:<name>: (colons URL-encoded) with
 *   output_mode=json: `entry[0].content.clear_password`, or 404;
 * - POST servicesNS/nobody/<app>/storage/passwords/<realm>:<name>: (form: password): updates it;
 * - POST servicesNS/nobody/<app>/data/inputs/asana_audit_log/<name> (form: the fields to set):
 *   the add-on's rewrite of a secret to the mask.
 */
export type SplunkdRoute = 'create' | 'read' | 'update' | 'edit';

/**
 * 'endless' streams a 200 body that never ends as fast as the client reads; 'drip' sends one byte
 * of a 200 body every 100 ms, never finishing (each byte resets an idle timeout).
 */
export type SplunkdFault = number | 'reset' | 'endless' | 'drip' | { status: number; contentType: string; body: string };

export interface MockSplunkd {
  /** e.g. https://127.0.0.1:PORT */
  uri: string;
  /** Stored entries by id `realm:name:`. */
  entries: Map<string, { realm: string; name: string; password: string }>;
  /** Every edit of an input, in order. */
  inputEdits: Array<{ app: string; name: string; fields: Record<string, string> }>;
  /** Route of every authorized request, in order. */
  calls: SplunkdRoute[];
  /** Requests rejected for a wrong or missing session key. */
  unauthorized: number;
  /**
   * The next request to this route gets this answer instead: a status with splunkd's error body,
   * 'reset' (the connection dropped), or a whole foreign answer such as a single sign-on page
   * (`{ status: 200, contentType: 'text/html', body: '<html>…' }`) that stores nothing.
   */
  failRoute(route: SplunkdRoute, answer: SplunkdFault): void;
  close(): Promise<void>;
}

export async function startMockSplunkd(opts: { sessionKey: string; tls?: { key: string; cert: string } }): Promise<MockSplunkd> {
  const entries = new Map<string, { realm: string; name: string; password: string }>();
  const inputEdits: MockSplunkd['inputEdits'] = [];
  const calls: SplunkdRoute[] = [];
  const failures = new Map<SplunkdRoute, SplunkdFault>();
  const sockets = new Set<Socket>();
  let unauthorized = 0;

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const message = (res: ServerResponse, status: number, text: string): void => json(res, status, { messages: [{ type: 'ERROR', text }] });

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== `Splunk ${opts.sessionKey}`) {
        unauthorized++;
        return message(res, 401, 'call not properly authenticated');
      }
      const url = new URL(req.url ?? '/', 'http://splunkd');
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const m = /^\/servicesNS\/nobody\/([^/]+)\/(storage\/passwords|data\/inputs\/asana_audit_log)(?:\/([^/]+))?\/?$/.exec(url.pathname);
      if (!m) return message(res, 404, `no such endpoint ${url.pathname}`);
      const app = decodeURIComponent(m[1] ?? '');
      const id = m[3] === undefined ? undefined : decodeURIComponent(m[3]);
      const route: SplunkdRoute | undefined =
        m[2] === 'data/inputs/asana_audit_log'
          ? req.method === 'POST' && id !== undefined
            ? 'edit'
            : undefined
          : id === undefined
            ? req.method === 'POST'
              ? 'create'
              : undefined
            : req.method === 'GET'
              ? 'read'
              : req.method === 'POST'
                ? 'update'
                : undefined;
      if (route === undefined) return message(res, 405, 'method not allowed');
      calls.push(route);
      const failure = failures.get(route);
      if (failure !== undefined) {
        failures.delete(route);
        // A TLS socket cannot send an RST; closing it mid-request is what the client sees as a reset.
        if (failure === 'reset') return void req.socket.destroy();
        if (failure === 'endless' || failure === 'drip') return void neverEnding(res, failure);
        if (typeof failure === 'object') {
          res.writeHead(failure.status, { 'content-type': failure.contentType, 'content-length': Buffer.byteLength(failure.body) });
          return void res.end(failure.body);
        }
        return message(res, failure, `mock splunkd refused ${route}`);
      }
      if (url.searchParams.get('output_mode') !== 'json') return message(res, 400, 'this mock answers output_mode=json only');
      switch (route) {
        case 'create': {
          const key = `${escapeEntryPart(form.realm ?? '')}:${escapeEntryPart(form.name ?? '')}:`;
          if (!form.name || form.password === undefined) return message(res, 400, 'name and password are required');
          if (entries.has(key)) return message(res, 409, `An object with name=${form.name} already exists`);
          entries.set(key, { realm: form.realm ?? '', name: form.name, password: form.password });
          return json(res, 201, { entry: [{ name: key, content: { username: form.name, realm: form.realm, clear_password: form.password } }] });
        }
        case 'read': {
          const e = entries.get(id ?? '');
          if (!e) return message(res, 404, `Could not find object id=${id}`);
          return json(res, 200, { entry: [{ name: id, content: { username: e.name, realm: e.realm, clear_password: e.password, password: '********' } }] });
        }
        case 'update': {
          const e = entries.get(id ?? '');
          if (!e) return message(res, 404, `Could not find object id=${id}`);
          if (form.password === undefined) return message(res, 400, 'password is required');
          e.password = form.password;
          return json(res, 200, { entry: [{ name: id, content: { username: e.name, realm: e.realm } }] });
        }
        case 'edit':
          inputEdits.push({ app, name: id ?? '', fields: form });
          return json(res, 200, { entry: [{ name: id, content: form }] });
      }
    });
  };

  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    uri: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    entries,
    inputEdits,
    calls,
    get unauthorized() {
      return unauthorized;
    },
    failRoute: (route, answer) => failures.set(route, answer),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function escapeEntryPart(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
}

/** A 200 answer whose body never ends; stops when the client goes away. */
function neverEnding(res: ServerResponse, kind: 'endless' | 'drip'): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"entry":[{"content":{"clear_password":"');
  if (kind === 'drip') {
    const timer = setInterval(() => res.write('x'), 100);
    res.on('close', () => clearInterval(timer));
    return;
  }
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk)) {
      // keep writing until the socket pushes back
    }
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}
