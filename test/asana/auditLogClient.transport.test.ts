import assert from 'node:assert/strict';
import http from 'node:http';
import { AuditLogClient, type AuditLogClientOptions } from '../../src/asana/auditLogClient.js';
import { AsanaApiError } from '../../src/asana/asanaApiError.js';
import type { PageQuery } from '../../src/model/auditLog.js';
import { event, pageBody, recordingLogger, rejectionOf, startLoopbackServer, type LoopbackServer } from './helpers.js';

const QUERY: PageQuery = { workspaceGid: '1234', filters: {}, limit: 100 };
const OK = pageBody([event('1')], 'next-1');

describe('AuditLogClient against a real loopback server', () => {
  let server: LoopbackServer | undefined;
  const clients: AuditLogClient[] = [];
  function client(overrides: Partial<AuditLogClientOptions> = {}): AuditLogClient {
    assert.ok(server);
    const c = new AuditLogClient({
      baseUrl: server.baseUrl,
      token: 'tok-loopback-0123456789',
      maxRequestsPerMinute: 60_000,
      timeScale: 0.01,
      random: () => 0,
      policy: { baseDelayMs: 10 },
      ...overrides,
    });
    clients.push(c);
    return c;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server?.close();
    server = undefined;
  });

  it('keeps no more than maxConcurrent requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    server = await startLoopbackServer((_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end(OK);
      }, 25);
    });
    // An agent without a socket cap, so only the client's limiter can hold requests back.
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const c = client({ maxConcurrent: 2, httpAgent: agent });
    await Promise.all(Array.from({ length: 6 }, () => c.fetchPage(QUERY)));
    agent.destroy();
    assert.equal(most, 2);
    assert.equal(server.received.length, 6);
  });

  it('gives up on a silent server after timeoutMs and retries', async () => {
    server = await startLoopbackServer((_req, res, n) => {
      if (n > 0) res.end(OK);
    });
    const logger = recordingLogger();
    const c = client({ timeoutMs: 60, logger });
    const started = Date.now();
    assert.equal((await c.fetchPage(QUERY)).nextOffset, 'next-1');
    assert.ok(Date.now() - started >= 60);
    assert.equal(c.stats.retries, 1);
    assert.equal(logger.lines.find((l) => l.level === 'WARN')?.fields?.code, 'timeout');
  });

  it('counts a body that trickles past the deadline as a timeout', async () => {
    server = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 10);
      res.on('close', () => clearInterval(timer));
    });
    const c = client({ timeoutMs: 80, policy: { maxRetries: 1, baseDelayMs: 10 } });
    const e = await rejectionOf(c.fetchPage(QUERY));
    assert.ok(e instanceof AsanaApiError);
    assert.equal(e.code, 'timeout');
    assert.equal(e.retryable, true);
    assert.equal(c.stats.requests, 2);
  });

  it('retries after the server resets the connection', async () => {
    server = await startLoopbackServer((req, res, n) => {
      if (n === 0) req.socket.destroy();
      else res.end(OK);
    });
    const c = client();
    assert.equal((await c.fetchPage(QUERY)).events.length, 1);
    assert.equal(c.stats.retries, 1);
  });

  it('retries a body cut off before its announced length', async () => {
    server = await startLoopbackServer((_req, res, n) => {
      if (n === 0) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(OK.length + 100) });
        res.write(OK.slice(0, 20));
        setTimeout(() => res.socket?.destroy(), 5);
      } else {
        res.end(OK);
      }
    });
    const c = client();
    assert.equal((await c.fetchPage(QUERY)).nextOffset, 'next-1');
    assert.equal(c.stats.retries, 1);
  });

  it('reports a server that cannot be reached as a retryable network_error', async () => {
    server = await startLoopbackServer(() => undefined);
    const base = server.baseUrl;
    await server.close();
    server = undefined;
    const c = new AuditLogClient({
      baseUrl: base,
      token: 'tok-loopback-0123456789',
      maxRequestsPerMinute: 60_000,
      timeScale: 0.01,
      policy: { maxRetries: 1, baseDelayMs: 10 },
    });
    clients.push(c);
    const e = await rejectionOf(c.fetchPage(QUERY));
    assert.ok(e instanceof AsanaApiError);
    assert.equal(e.code, 'network_error');
    assert.equal(e.retryable, true);
    assert.match(e.message, /ECONNREFUSED/);
  });

  it('sends the token and path the API expects, and logs each request at DEBUG without the token', async () => {
    server = await startLoopbackServer((_req, res) => res.end(OK));
    const logger = recordingLogger();
    await client({ logger }).fetchPage({ ...QUERY, offset: 'abc', limit: 10 });
    const [req] = server.received;
    assert.equal(req?.url, '/api/1.0/workspaces/1234/audit_log_events?limit=10&offset=abc');
    assert.equal(req?.headers.authorization, 'Bearer tok-loopback-0123456789');
    assert.equal(req?.headers.accept, 'application/json');
    const debug = logger.lines.filter((l) => l.level === 'DEBUG');
    assert.equal(debug.length, 1);
    assert.equal(debug[0]?.fields?.status, 200);
    assert.equal(debug[0]?.fields?.path, '/workspaces/1234/audit_log_events');
    assert.doesNotMatch(JSON.stringify(logger.lines), /tok-loopback/);
  });

  it('frees its kept-alive sockets on close so the process can exit', async () => {
    server = await startLoopbackServer((_req, res) => res.end(OK));
    const c = client();
    await c.fetchPage(QUERY);
    assert.equal(server.openConnections(), 1);
    await c.close();
    for (let i = 0; i < 100 && server.openConnections() > 0; i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(server.openConnections(), 0);
  });
});
