import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { TLSSocket } from 'node:tls';
import { expiredOffsetReply, serveAuditLogEvents, type Reply, type StallMode } from './auditLogEndpoint.js';
import { bodyForStatus, errorBody } from './errorBodies.js';
import { EventFactory } from './eventFactory.js';
import { OffsetCodec } from './offsets.js';
import { SeededRandom } from './random.js';
import { SlidingWindowLimiter } from './rateLimiter.js';
import { EventStore } from './store.js';
import { listen } from './listen.js';
import { LateArrivals } from './lateArrivals.js';
import { DEFAULT_MOCK_TOKEN, DEFAULT_WORKSPACE_GID } from './mockDefaults.js';

export interface MockAsanaOptions {
  /** Default '1200000000000001'. */
  workspaceGid?: string;
  /** Default valid ['mock-token']; any other bearer gets 401 "Not Authorized". */
  tokens?: { valid?: string[]; paymentRequired?: string[]; forbidden?: string[] };
  /** Generated at start, spread evenly over the last `spreadDays` days ending now. */
  initialEvents?: number;
  /** Default 7, capped at the API's 90-day retention. */
  spreadDays?: number;
  seed?: number;
  /** Events keep arriving while the server runs, with created_at = now. */
  eventsPerSecond?: number;
  /** Added to every response. */
  latencyMs?: number;
  /** Sliding 60 s window per token; over it → 429 with Retry-After; the rejected call still counts. */
  rateLimitPerMinute?: number;
  /** 0..1 probability of a 500/502/503/504 (seeded). */
  serverErrorRate?: number;
  /** 0..1 probability that the response never comes (socket kept open until the client gives up). */
  hangRate?: number;
  /** Offsets older than this are rejected with a 400 that mentions the offset. */
  offsetTtlMs?: number;
  /** Default 127.0.0.1 and 0 (any free port). */
  host?: string;
  port?: number;
  /** Time source for created_at of new events, offset expiry and the rate limit window (default Date.now). */
  clock?: () => number;
  /** Serve https with this key and certificate (PEM) instead of plain http. */
  tls?: { key: string; cert: string };
  /**
   * A share (0..1, seeded) of the generated events shows up only `delayMs` after its created_at,
   * behind offsets already handed out, as Asana's late events do.
   */
  lateEvents?: { share: number; delayMs: number };
}

export type MockFault =
  /** Answer normally: lets a script say "after N good pages, this". */
  | { kind: 'serve' }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string; contentType?: string }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'truncated' }
  | { kind: 'non_json' }
  | { kind: 'expire_offset' };

export interface MockRequestRecord {
  at: number;
  query: Record<string, string>;
  /** 0 when no HTTP answer was given (hang, reset). */
  status: number;
}

export interface MockAsana {
  /** Base URL, e.g. http://127.0.0.1:PORT/api/1.0 */
  url: string;
  workspaceGid: string;
  /** Appends events as given (a missing gid or created_at is filled in). */
  addEvents(events: object[]): void;
  /** Appends events given as JSON texts, served exactly as given (each needs gid and created_at). */
  addEventTexts(texts: string[]): void;
  /**
   * Events (with gid and created_at) that become visible `visibleAfterMs` after their created_at,
   * by the mock's clock; until then no request sees them. Returns how many are still waiting.
   */
  addLateEvents(events: object[], visibleAfterMs: number): number;
  /** Events scheduled late and not yet visible. */
  lateEventsPending(): number;
  /** Makes and appends n events spread evenly over [at - spreadMs, at] (default: now, all in one millisecond). */
  generateEvents(n: number, opts?: { at?: Date; spreadMs?: number }): object[];
  /** Everything stored, in API order. */
  events(): readonly object[];
  /** `byStatus[0]` counts requests that got no HTTP answer (hang, reset). */
  stats(): { requests: number; rateLimited: number; byStatus: Record<number, number> };
  /** The most recent requests (at most REQUEST_LOG_SIZE), oldest first. */
  requestLog(): ReadonlyArray<MockRequestRecord>;
  /** The next requests get these answers in order, then normal service resumes. */
  scriptFaults(faults: MockFault[]): void;
  /** Later calls with this token get 401. */
  revokeToken(token: string): void;
  /**
   * From now on the API never moves on: every request with an offset gets the already-delivered
   * event that offset points after, with the same offset back or a fresh one each time
   * (undefined: normal paging again).
   */
  stallPaging(mode: StallMode | undefined): void;
  /** Stops the server and the event generator; also destroys hung sockets. */
  close(): Promise<void>;
}

export { DEFAULT_MOCK_TOKEN, DEFAULT_WORKSPACE_GID };
export const REQUEST_LOG_SIZE = 100_000;
const API_PREFIX = '/api/1.0';
const DAY_MS = 86_400_000;
const RETENTION_DAYS = 90;
const GENERATOR_TICK_MS = 50;
/** Gids for added events that came without one; apart from the factory's range. */
const FILLED_GID_BASE = 1_208_000_000_000_000;

type Outcome = Reply | { status: 'hang' } | { status: 'reset' } | { status: 'truncated'; reply: Reply };

export async function startMockAsana(options: MockAsanaOptions = {}): Promise<MockAsana> {
  const workspaceGid = options.workspaceGid ?? DEFAULT_WORKSPACE_GID;
  const clock = options.clock ?? Date.now;
  const seed = options.seed ?? 1;
  const valid = new Set(options.tokens?.valid ?? [DEFAULT_MOCK_TOKEN]);
  const paymentRequired = new Set(options.tokens?.paymentRequired ?? []);
  const forbidden = new Set(options.tokens?.forbidden ?? []);
  const revoked = new Set<string>();
  let stall: { mode: StallMode; served: number } | undefined;
  const limiter = options.rateLimitPerMinute !== undefined ? new SlidingWindowLimiter(options.rateLimitPerMinute) : undefined;
  // Faults draw from their own generator so the event stream does not depend on the traffic.
  const faultRng = new SeededRandom(seed ^ 0x5eed);
  const store = new EventStore();
  const factory = new EventFactory({ seed, workspaceGid });
  const codec = new OffsetCodec();
  const late = new LateArrivals();
  const lateRng = new SeededRandom(seed ^ 0x1a7e);
  const scripted: MockFault[] = [];
  const counters = { requests: 0, rateLimited: 0, byStatus: {} as Record<number, number> };
  const log: MockRequestRecord[] = [];
  let logStart = 0;
  let baseUrl = '';
  let filledGids = 0;

  /** `keep` false spares a million-event start from holding every object at once. */
  const generate = (n: number, opts: { at?: Date; spreadMs?: number }, keep: boolean): object[] => {
    const at = opts.at?.getTime() ?? clock();
    const spreadMs = opts.spreadMs ?? 0;
    const made: object[] = [];
    for (let i = 0; i < n; i++) {
      const createdMs = Math.floor(at - spreadMs + (spreadMs * (i + 1)) / n);
      const event = factory.make(createdMs);
      if (options.lateEvents && lateRng.chance(options.lateEvents.share)) late.schedule(event, createdMs + options.lateEvents.delayMs);
      else store.add(event);
      if (keep) made.push(event);
    }
    return made;
  };
  const generateEvents = (n: number, opts: { at?: Date; spreadMs?: number } = {}): object[] => generate(n, opts, true);

  const addEvents = (events: object[]): void => {
    for (const given of events) {
      const e = given as { gid?: unknown; created_at?: unknown };
      const event =
        e.gid === undefined || e.created_at === undefined
          ? { ...given, gid: e.gid ?? String(FILLED_GID_BASE + filledGids++), created_at: e.created_at ?? new Date(clock()).toISOString() }
          : given;
      store.add(event);
    }
  };

  const addLateEvents = (events: object[], visibleAfterMs: number): number => {
    for (const event of events) {
      const createdMs = Date.parse(String((event as { created_at?: unknown }).created_at));
      if (Number.isNaN(createdMs)) throw new TypeError('a late event needs a created_at');
      late.schedule(event, createdMs + visibleAfterMs);
    }
    late.release(clock(), store);
    return late.size;
  };

  const record = (at: number, query: Record<string, string>, status: number): void => {
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
    if (status === 429) counters.rateLimited++;
    if (log.length < REQUEST_LOG_SIZE) log.push({ at, query, status });
    else {
      log[logStart] = { at, query, status };
      logStart = (logStart + 1) % REQUEST_LOG_SIZE;
    }
  };

  const decide = (req: IncomingMessage, url: URL, now: number): Outcome => {
    const fault = scripted.shift();
    if (fault?.kind === 'truncated') {
      // Cut the answer the request would have had, so the client sees a believable half page.
      const normal = serve(req, url, now);
      return 'body' in normal ? { status: 'truncated', reply: normal } : normal;
    }
    if (fault && fault.kind !== 'serve') return scriptedOutcome(fault, faultRng);
    return serve(req, url, now);
  };

  const serve = (req: IncomingMessage, url: URL, now: number): Outcome => {
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const token = auth?.[1];
    if (token === undefined || revoked.has(token)) return { status: 401, body: bodyForStatus(401, faultRng) };
    if (paymentRequired.has(token)) return { status: 402, body: bodyForStatus(402, faultRng) };
    if (forbidden.has(token)) return { status: 403, body: bodyForStatus(403, faultRng) };
    if (!valid.has(token)) return { status: 401, body: bodyForStatus(401, faultRng) };

    if (limiter) {
      const decision = limiter.record(token, now);
      if (!decision.allowed) {
        return { status: 429, body: bodyForStatus(429, faultRng), headers: { 'retry-after': String(decision.retryAfterSeconds) } };
      }
    }

    const route = /^\/api\/1\.0\/workspaces\/([^/]+)\/audit_log_events\/?$/.exec(url.pathname);
    if (req.method !== 'GET' || !route) return { status: 404, body: errorBody('No matching route for request') };
    const gid = decodeURIComponent(route[1] as string);
    if (gid !== workspaceGid) return { status: 404, body: errorBody(`workspace: Unknown object: ${gid}`) };

    if (options.serverErrorRate && faultRng.chance(options.serverErrorRate)) {
      const status = faultRng.pick([500, 502, 503, 504]);
      return { status, body: bodyForStatus(status, faultRng) };
    }
    if (options.hangRate && faultRng.chance(options.hangRate)) return { status: 'hang' };

    return serveAuditLogEvents({ store, codec, workspaceGid, baseUrl, nowMs: now, offsetTtlMs: options.offsetTtlMs, stall }, url.searchParams);
  };

  const respond = (res: ServerResponse, outcome: Outcome): void => {
    if (res.destroyed) return;
    if (outcome.status === 'hang') return;
    if (outcome.status === 'reset') {
      // A TLS socket cannot send a TCP RST (Node refuses); dropping it mid-answer is the same to a client.
      if (res.socket instanceof TLSSocket) res.socket.destroy();
      else res.socket?.resetAndDestroy();
      return;
    }
    if (outcome.status === 'truncated') {
      const body = Buffer.from(outcome.reply.body);
      res.writeHead(outcome.reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.writeHead(outcome.status, {
      'content-type': 'application/json; charset=utf-8',
      ...outcome.headers,
      'content-length': Buffer.byteLength(outcome.body),
    });
    res.end(outcome.body);
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const now = clock();
    late.release(now, store);
    counters.requests++;
    const url = new URL(req.url ?? '/', 'http://mock');
    const outcome = decide(req, url, now);
    record(now, Object.fromEntries(url.searchParams), statusOf(outcome));
    if (options.latencyMs && outcome.status !== 'hang') setTimeout(() => respond(res, outcome), options.latencyMs);
    else respond(res, outcome);
  };
  const server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
  // Keep-alive sockets must not hold the port open past close().
  server.keepAliveTimeout = 5_000;

  const spreadDays = Math.min(options.spreadDays ?? 7, RETENTION_DAYS);
  if (options.initialEvents) generate(options.initialEvents, { at: new Date(clock()), spreadMs: spreadDays * DAY_MS }, false);

  const { urlHost, port } = await listen(server, options.port, options.host);
  baseUrl = `${options.tls ? 'https' : 'http'}://${urlHost}:${port}${API_PREFIX}`;

  let generator: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  if (options.eventsPerSecond && options.eventsPerSecond > 0) {
    const eps = options.eventsPerSecond;
    let due = 0;
    let last = performance.now();
    generator = setInterval(() => {
      const t = performance.now();
      due += (eps * (t - last)) / 1000;
      const n = Math.floor(due);
      due -= n;
      if (n > 0) generate(n, { at: new Date(clock()), spreadMs: Math.min(t - last, GENERATOR_TICK_MS * 4) }, false);
      last = t;
    }, GENERATOR_TICK_MS);
    generator.unref();
  }

  return {
    url: baseUrl,
    workspaceGid,
    addEvents,
    addEventTexts: (texts) => {
      for (const text of texts) store.addJson(text);
    },
    addLateEvents,
    lateEventsPending: () => {
      late.release(clock(), store);
      return late.size;
    },
    generateEvents,
    events: () => store.events(),
    stats: () => ({ requests: counters.requests, rateLimited: counters.rateLimited, byStatus: { ...counters.byStatus } }),
    requestLog: () => [...log.slice(logStart), ...log.slice(0, logStart)],
    scriptFaults: (faults) => {
      scripted.push(...faults);
    },
    stallPaging: (mode) => {
      stall = mode === undefined ? undefined : { mode, served: 0 };
    },
    revokeToken: (token) => {
      revoked.add(token);
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        if (generator) clearInterval(generator);
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function scriptedOutcome(fault: MockFault, rng: SeededRandom): Outcome {
  switch (fault.kind) {
    case 'status': {
      const headers: Record<string, string> = {};
      if (fault.contentType) headers['content-type'] = fault.contentType;
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      return { status: fault.status, body: fault.body ?? bodyForStatus(fault.status, rng), headers };
    }
    case 'hang':
      return { status: 'hang' };
    case 'reset':
      return { status: 'reset' };
    case 'serve':
    case 'truncated':
      throw new Error(`${fault.kind} faults are applied to the normal answer`);
    case 'non_json':
      return {
        status: 200,
        body: '<!DOCTYPE html><html><head><title>Sign in</title></head><body><p>Please sign in to continue.</p></body></html>',
        headers: { 'content-type': 'text/html; charset=utf-8' },
      };
    case 'expire_offset':
      return expiredOffsetReply();
  }
}

function statusOf(outcome: Outcome): number {
  if (typeof outcome.status === 'number') return outcome.status;
  return outcome.status === 'truncated' ? outcome.reply.status : 0;
}
export type { StallMode } from './auditLogEndpoint.js';
