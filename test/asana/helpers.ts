import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogFields, Logger, LogLevel } from '../../src/logging/logger.js';

/** A request as the loopback server received it. */
export interface Received {
  at: number;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface LoopbackServer {
  baseUrl: string;
  received: Received[];
  /** Client connections the server currently holds open. */
  openConnections(): number;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 whose n-th request (0-based) is answered by `handle`, for the
 * faults only a real socket shows: resets, cut bodies, silence.
 */
export async function startLoopbackServer(handle: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void): Promise<LoopbackServer> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    received.push({ at: Date.now(), url: req.url ?? '', headers: req.headers });
    handle(req, res, received.length - 1);
  });
  let open = 0;
  server.on('connection', (socket) => {
    open++;
    socket.on('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/1.0`,
    received,
    openConnections: () => open,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface LogLine {
  level: LogLevel;
  message: string;
  fields?: LogFields;
}

export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, fields });
    };
  return { lines, debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

export function event(gid: string, createdAt = '2024-10-18T04:42:40.072Z'): Record<string, unknown> {
  return { gid, created_at: createdAt, event_type: 'user_login_succeeded', event_category: 'logins' };
}

export function pageBody(events: unknown[], offset: string | null): string {
  return JSON.stringify({ data: events, next_page: offset === null ? null : { offset, path: '/x', uri: 'https://x' } });
}

export function errorBody(message: string): string {
  return JSON.stringify({ errors: [{ message, help: 'see docs' }] });
}

/** Awaits a promise expected to reject and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Node's codes for certificates that do not verify: written out here, not read from the code under test. */
export const CERTIFICATE_FAILURE_CODES = [
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
] as const;
