import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { inspect } from 'node:util';
import { AuditLogClient } from '../../src/asana/auditLogClient.js';
import { AsanaApiError, type AsanaErrorCode } from '../../src/asana/asanaApiError.js';
import { CodedError } from '../../src/errors/codedError.js';
import type { PageQuery } from '../../src/model/auditLog.js';
import { errorBody, event, pageBody, recordingLogger, rejectionOf, startLoopbackServer, type LoopbackServer } from './helpers.js';
import { nock, useNock } from './nockScope.js';

const CANARY = `canary-${randomBytes(12).toString('hex')}`;
const QUERY: PageQuery = { workspaceGid: '1234', filters: {}, limit: 100, offset: 'o-1' };

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function status(code: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };
}

/** Every way a page request can fail, each answered with the request's own Authorization header echoed back where possible. */
const LOOPBACK_PATHS: Array<[AsanaErrorCode | 'offset_expired', Handler]> = [
  ['bad_request', (req, res) => status(400, errorBody(`limit: bad, you sent ${req.headers.authorization}`))(req, res)],
  ['offset_expired', (req, res) => status(400, errorBody(`offset: expired for ${req.headers.authorization}`))(req, res)],
  ['unauthorized', (req, res) => status(401, errorBody(`Not Authorized: ${req.headers.authorization}`))(req, res)],
  ['payment_required', status(402, errorBody('Payment Required'))],
  ['forbidden', (req, res) => status(403, `<html>${req.headers.authorization}</html>`)(req, res)],
  ['not_found', status(404, errorBody('Not Found'))],
  ['legal_unavailable', status(451, errorBody('Unavailable'))],
  ['rate_limited', (req, res) => status(429, errorBody(`slow down ${req.headers.authorization}`), { 'retry-after': '0' })(req, res)],
  ['server_error', (req, res) => status(500, errorBody(`boom ${req.headers.authorization}`))(req, res)],
  ['invalid_response', (req, res) => status(200, `<html>${req.headers.authorization}</html>`)(req, res)],
  ['invalid_response', status(200, pageBody([event('1'), { gid: '2', event_type: 'no_created_at' }], 'n'))],
  ['timeout', () => undefined],
  ['network_error', (req) => req.socket.destroy()],
];

function assertNoCanary(where: string, text: string): void {
  assert.ok(!text.includes(CANARY), `the token leaked into ${where}: ${text.slice(0, 300)}`);
}

function assertCleanError(e: unknown, label: string): void {
  assert.ok(e instanceof CodedError, `${label}: not a CodedError: ${String(e)}`);
  assertNoCanary(`${label} message`, e.message);
  assertNoCanary(`${label} stack`, String(e.stack));
  assertNoCanary(`${label} String()`, String(e));
  assertNoCanary(`${label} inspect`, inspect(e, { depth: null, showHidden: true }));
  assertNoCanary(`${label} JSON`, JSON.stringify(e));
  if (e instanceof AsanaApiError) assertNoCanary(`${label} apiMessage`, String(e.apiMessage));
  assert.equal((e as { cause?: unknown }).cause, undefined, `${label}: carries a cause`);
}

describe('AuditLogClient never reveals the token', () => {
  let server: LoopbackServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('in any thrown error or log line, on every failure path of a real server', async () => {
    let handler: Handler = () => undefined;
    server = await startLoopbackServer((req, res) => handler(req, res));
    for (const [code, handle] of LOOPBACK_PATHS) {
      handler = handle;
      const logger = recordingLogger();
      const client = new AuditLogClient({
        baseUrl: server.baseUrl,
        token: CANARY,
        maxRequestsPerMinute: 60_000,
        timeScale: 0.001,
        timeoutMs: 50,
        logger,
        policy: { maxRetries: 1, maxRateLimitRetries: 1, baseDelayMs: 1 },
      });
      const e = await rejectionOf(client.fetchPage(QUERY));
      assertNoCanary(`${code} inspected client`, inspect(client, { depth: 6, showHidden: true }));
      await client.close();
      assert.ok(e instanceof CodedError);
      assert.equal(e.code, code);
      assertCleanError(e, code);
      assert.ok(
        logger.lines.some((l) => l.level === 'DEBUG'),
        `${code}: no DEBUG line`,
      );
      for (const line of logger.lines) assertNoCanary(`${code} ${line.level} log`, JSON.stringify(line));
    }
    // The server did receive the token, so the echoes above really carried it.
    assert.ok(server.received.every((r) => r.headers.authorization === `Bearer ${CANARY}`));
  });

  it("keeps Asana's message but masks the token when an error body echoes it", async () => {
    server = await startLoopbackServer(status(401, errorBody(`Token ${CANARY} is revoked`)));
    const client = new AuditLogClient({ baseUrl: server.baseUrl, token: CANARY, maxRequestsPerMinute: 60 });
    const e = await rejectionOf(client.fetchPage(QUERY));
    await client.close();
    assert.ok(e instanceof AsanaApiError);
    assert.equal(e.apiMessage, 'Token [redacted] is revoked');
  });

  it('in the errors its constructor throws for bad settings', () => {
    for (const token of [`${CANARY} x`, `${CANARY}\n`]) {
      assert.throws(
        () => new AuditLogClient({ baseUrl: 'https://asana.invalid', token, maxRequestsPerMinute: 60 }),
        (e: Error) => !e.message.includes(CANARY) && !String(e.stack).includes(CANARY),
      );
    }
  });
});

describe('AuditLogClient never reveals the token (library errors)', () => {
  useNock();

  it('in errors built from transport failures that carry the request config (TLS, DNS, bad body)', async () => {
    for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'ENOTFOUND', 'ECONNRESET', 'Z_DATA_ERROR']) {
      nock('https://asana.invalid')
        .get('/api/1.0/workspaces/1234/audit_log_events')
        .query(true)
        .times(2)
        .replyWithError(Object.assign(new Error(`failed with Bearer ${CANARY}`), { code }));
      const logger = recordingLogger();
      const client = new AuditLogClient({
        baseUrl: 'https://asana.invalid/api/1.0',
        token: CANARY,
        maxRequestsPerMinute: 60_000,
        timeScale: 0.001,
        logger,
        policy: { maxRetries: 1, baseDelayMs: 1 },
      });
      const e = await rejectionOf(client.fetchPage(QUERY));
      await client.close();
      assertCleanError(e, code);
      for (const line of logger.lines) assertNoCanary(`${code} ${line.level} log`, JSON.stringify(line));
      nock.cleanAll();
    }
  });
});
