import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import zlib from 'node:zlib';
import { type HecEnvelope, readHecPayload } from './hecPayload.js';
import { SeededRandom } from './random.js';
import { listen } from './listen.js';

export const DEFAULT_MOCK_HEC_TOKEN = '00000000-0000-4000-8000-00000000beef';

export interface MockHecToken {
  token: string;
  /** Indexer acknowledgment on for this token: a channel is required and answers carry ackId. */
  ack?: boolean;
  /** Indexes the token may write to; undefined = any. */
  allowedIndexes?: string[];
  /** Index used when an event names none (default 'main'). */
  defaultIndex?: string;
  disabled?: boolean;
}

export interface MockHecOptions {
  /** Default one token, DEFAULT_MOCK_HEC_TOKEN, without acknowledgment. */
  tokens?: MockHecToken[];
  /** Accepted events are indexed (and their ack turns true) this long after they arrive. */
  ackDelayMs?: number;
  /** Seeded 503 bursts on the event endpoint: each request starts a burst of `burst` 503s with probability `rate`. */
  busy?: { rate: number; burst: number };
  seed?: number;
  /** Bodies larger than this (after decompression) get 413. Default 10 MB. */
  maxContentLength?: number;
  host?: string;
  port?: number;
  /** Time source for ack delays (default Date.now). */
  clock?: () => number;
  /**
   * Most ack ids a channel may have outstanding, as Splunk's
   * max_number_of_acked_requests_pending_query_per_ack_channel: past it, 503 "Server is busy".
   */
  maxPendingAcksPerChannel?: number;
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string; cert: string };
  /**
   * Act like a load balancer that keeps a channel on one indexer by a cookie: a channel's request
   * without the cookie gets a Set-Cookie, and `cookielessRequests` counts those after the first.
   */
  stickyCookie?: boolean;
}

/** Answers for the next event requests, in order (ack polls are not affected). */
export type MockHecFault =
  /** Answer normally: lets a script say "after N good requests, this". */
  | { kind: 'accept' }
  | { kind: 'busy' }
  | { kind: 'status'; status: number; body?: string }
  /** The connection is dropped before anything is read: nothing is indexed. */
  | { kind: 'reset' }
  /** The events are taken (and will be indexed), then the connection drops before the answer. */
  | { kind: 'reset_after_accept' }
  /** The events are taken with an ackId but never indexed, as when an indexer dies. */
  | { kind: 'lose' };

export interface MockHecIndexed extends HecEnvelope {
  index: string;
  token: string;
  channel?: string;
  /** Which accepted request brought the event (1, 2, ...): duplicates can be counted per batch. */
  batch: number;
}

export interface MockHecStats {
  eventRequests: number;
  ackRequests: number;
  byStatus: Record<number, number>;
  gzipRequests: number;
  /** Acks answered true. */
  acksReported: number;
  /** The most ack ids any one channel had outstanding at once. */
  maxPendingAcksPerChannel: number;
  /** Channels that sent events. */
  channels: number;
  /** With stickyCookie: requests of a channel that came without the cookie it was already given. */
  cookielessRequests: number;
}

export interface MockHec {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Every event indexed so far, in the order Splunk indexed them. */
  indexed(): readonly MockHecIndexed[];
  /** The text of every event request body read (after gzip), in arrival order: what went over the wire. */
  bodies(): readonly string[];
  stats(): MockHecStats;
  scriptFaults(faults: MockHecFault[]): void;
  /** Answers for the next ack polls, in order. */
  scriptAckFaults(faults: Array<{ kind: 'busy' } | { kind: 'reset' }>): void;
  disableToken(token: string): void;
  close(): Promise<void>;
}

interface PendingBatch {
  events: MockHecIndexed[];
  indexAt: number;
  lost: boolean;
  ack?: { channel: string; id: number };
}

interface ChannelState {
  nextAckId: number;
  /** Ack id → the batch it stands for; removed once reported true, as HEC does. */
  acks: Map<number, PendingBatch>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_PATHS = new Set(['/services/collector', '/services/collector/event', '/services/collector/event/1.0']);
const ACK_PATH = '/services/collector/ack';
const HEALTH_PATH = '/services/collector/health';
const DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024;

type Reply = { status: number; body: object; setCookie?: string } | { status: 'reset' };

/**
 * A fake Splunk HTTP Event Collector over real HTTP: tokens (with or without indexer
 * acknowledgment, allowed indexes, disabled), channels, acks that turn true late, 503 bursts,
 * gzip bodies and HEC's codes for malformed requests. It records what it indexed.
 */
export async function startMockHec(options: MockHecOptions = {}): Promise<MockHec> {
  const clock = options.clock ?? Date.now;
  const tokens = new Map((options.tokens ?? [{ token: DEFAULT_MOCK_HEC_TOKEN }]).map((t) => [t.token, { ...t }]));
  const rng = new SeededRandom(options.seed ?? 1);
  const maxContentLength = options.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH;
  const ackDelayMs = options.ackDelayMs ?? 0;
  const scripted: MockHecFault[] = [];
  const scriptedAck: Array<{ kind: 'busy' } | { kind: 'reset' }> = [];
  const channels = new Map<string, ChannelState>();
  const waiting: PendingBatch[] = [];
  const indexed: MockHecIndexed[] = [];
  const bodies: string[] = [];
  const stats: MockHecStats = {
    eventRequests: 0,
    ackRequests: 0,
    byStatus: {},
    gzipRequests: 0,
    acksReported: 0,
    maxPendingAcksPerChannel: 0,
    channels: 0,
    cookielessRequests: 0,
  };
  let burstLeft = 0;
  let batches = 0;

  /** Moves batches whose time has come into the index; a lost batch never gets there. */
  const settle = (): void => {
    const now = clock();
    for (let i = 0; i < waiting.length; ) {
      const batch = waiting[i] as PendingBatch;
      if (!batch.lost && batch.indexAt <= now) {
        indexed.push(...batch.events);
        waiting.splice(i, 1);
      } else i++;
    }
  };

  const hec = (status: number, code: number, text: string, extra: object = {}): Reply => ({ status, body: { text, code, ...extra } });

  const authenticate = (req: IncomingMessage): { token: MockHecToken } | { reply: Reply } => {
    const header = req.headers.authorization;
    if (header === undefined) return { reply: hec(401, 2, 'Token is required') };
    const m = /^Splunk\s+(\S+)$/.exec(header);
    if (!m) return { reply: hec(401, 3, 'Invalid authorization') };
    const token = tokens.get(m[1] as string);
    if (!token) return { reply: hec(403, 4, 'Invalid token') };
    if (token.disabled) return { reply: hec(403, 1, 'Token disabled') };
    return { token };
  };

  const channelOf = (req: IncomingMessage, url: URL): string | undefined => {
    const header = req.headers['x-splunk-request-channel'];
    return (typeof header === 'string' ? header : undefined) ?? url.searchParams.get('channel') ?? undefined;
  };

  const readBody = (req: IncomingMessage, body: Buffer): { text: string } | { reply: Reply } => {
    let raw = body;
    const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
    if (encoding === 'gzip') {
      stats.gzipRequests++;
      try {
        raw = zlib.gunzipSync(body, { maxOutputLength: maxContentLength + 1 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { reply: hec(413, 6, 'Content too large') };
        return { reply: hec(400, 6, 'Invalid data format') };
      }
    } else if (encoding !== '' && encoding !== 'identity') return { reply: hec(400, 6, 'Invalid data format') };
    if (raw.length > maxContentLength) return { reply: hec(413, 6, 'Content too large') };
    return { text: raw.toString('utf8') };
  };

  const serveEvents = (req: IncomingMessage, url: URL, body: Buffer): Reply => {
    stats.eventRequests++;
    const auth = authenticate(req);
    if ('reply' in auth) return auth.reply;
    const { token } = auth;
    const channel = channelOf(req, url);
    if (channel !== undefined && !GUID.test(channel)) return hec(400, 11, 'Invalid data channel');
    if (token.ack && channel === undefined) return hec(400, 10, 'Data channel is missing');

    const pendingOnChannel = channel !== undefined ? (channels.get(channel)?.acks.size ?? 0) : 0;
    if (token.ack && options.maxPendingAcksPerChannel !== undefined && pendingOnChannel >= options.maxPendingAcksPerChannel)
      return hec(503, 9, 'Server is busy');
    const fault = scripted.shift();
    if (fault?.kind === 'busy') return hec(503, 9, 'Server is busy');
    if (fault?.kind === 'status')
      return { status: fault.status, body: fault.body !== undefined ? { text: fault.body, code: 8 } : { text: 'Internal server error', code: 8 } };
    if (fault?.kind === 'reset') return { status: 'reset' };
    if (!fault && burstLeft > 0) {
      burstLeft--;
      return hec(503, 9, 'Server is busy');
    }
    if (!fault && options.busy && rng.chance(options.busy.rate)) {
      burstLeft = Math.max(0, options.busy.burst - 1);
      return hec(503, 9, 'Server is busy');
    }

    const read = readBody(req, body);
    if ('reply' in read) return read.reply;
    bodies.push(read.text);
    const allowed = token.allowedIndexes ? new Set(token.allowedIndexes) : undefined;
    const payload = readHecPayload(read.text, allowed);
    const accepted = payload.ok ? payload.envelopes : payload.valid;
    const batchNumber = accepted.length > 0 ? ++batches : 0;
    const batch: PendingBatch = {
      events: accepted.map((e) => ({
        ...e,
        index: e.index ?? token.defaultIndex ?? 'main',
        token: token.token,
        ...(channel ? { channel } : {}),
        batch: batchNumber,
      })),
      indexAt: clock() + ackDelayMs,
      lost: fault?.kind === 'lose',
    };
    // HEC has taken the events before a faulty one; they are indexed like any others.
    if (batch.events.length > 0) waiting.push(batch);
    if (!payload.ok) {
      return hec(400, payload.code, payload.text, payload.invalidEventNumber !== undefined ? { 'invalid-event-number': payload.invalidEventNumber } : {});
    }
    if (fault?.kind === 'reset_after_accept') return { status: 'reset' };
    if (!token.ack || channel === undefined) return hec(200, 0, 'Success');
    const state = channels.get(channel) ?? { nextAckId: 0, acks: new Map<number, PendingBatch>() };
    if (!channels.has(channel)) stats.channels++;
    channels.set(channel, state);
    const id = state.nextAckId++;
    batch.ack = { channel, id };
    state.acks.set(id, batch);
    stats.maxPendingAcksPerChannel = Math.max(stats.maxPendingAcksPerChannel, state.acks.size);
    return hec(200, 0, 'Success', { ackId: id });
  };

  const serveAcks = (req: IncomingMessage, url: URL, body: Buffer): Reply => {
    stats.ackRequests++;
    const auth = authenticate(req);
    if ('reply' in auth) return auth.reply;
    if (!auth.token.ack) return hec(400, 14, 'ACK is disabled');
    const fault = scriptedAck.shift();
    if (fault?.kind === 'busy') return hec(503, 9, 'Server is busy');
    if (fault?.kind === 'reset') return { status: 'reset' };
    const channel = channelOf(req, url);
    if (channel === undefined) return hec(400, 10, 'Data channel is missing');
    if (!GUID.test(channel)) return hec(400, 11, 'Invalid data channel');
    let ids: unknown;
    try {
      ids = (JSON.parse(body.toString('utf8')) as { acks?: unknown }).acks;
    } catch {
      ids = undefined;
    }
    if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i) && i >= 0)) return hec(400, 6, 'Invalid data format');
    const state = channels.get(channel);
    const acks: Record<string, boolean> = {};
    for (const id of ids as number[]) {
      const batch = state?.acks.get(id);
      const done = batch !== undefined && !batch.lost && !waiting.includes(batch);
      acks[String(id)] = done;
      if (done) {
        state?.acks.delete(id);
        stats.acksReported++;
      }
    }
    return { status: 200, body: { acks } };
  };

  const cookieGiven = new Set<string>();
  /** With stickyCookie: the Set-Cookie a channel's request without the balancer's cookie gets. */
  const stickiness = (req: IncomingMessage, url: URL): string | undefined => {
    const channel = channelOf(req, url);
    if (!options.stickyCookie || channel === undefined) return undefined;
    if (/(^|;\s*)hec_lb=/.test(String(req.headers.cookie ?? ''))) return undefined;
    if (cookieGiven.has(channel)) stats.cookielessRequests++;
    cookieGiven.add(channel);
    return `hec_lb=idx-${channel.slice(0, 8)}; Path=/; HttpOnly`;
  };

  const route = (req: IncomingMessage, body: Buffer): Reply => {
    settle();
    const url = new URL(req.url ?? '/', 'http://mock');
    const setCookie = stickiness(req, url);
    const reply = routeTo(req, url, body);
    return setCookie !== undefined && reply.status !== 'reset' ? { ...reply, setCookie } : reply;
  };

  const routeTo = (req: IncomingMessage, url: URL, body: Buffer): Reply => {
    if (url.pathname === HEALTH_PATH && req.method === 'GET') return hec(200, 17, 'HEC is healthy');
    if (req.method === 'POST' && EVENT_PATHS.has(url.pathname)) return serveEvents(req, url, body);
    if (req.method === 'POST' && url.pathname === ACK_PATH) return serveAcks(req, url, body);
    return hec(404, 404, 'The requested URL was not found on this server.');
  };

  const respond = (res: ServerResponse, reply: Reply): void => {
    if (reply.status === 'reset') {
      res.socket?.resetAndDestroy();
      return;
    }
    stats.byStatus[reply.status] = (stats.byStatus[reply.status] ?? 0) + 1;
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
      ...(reply.setCookie !== undefined ? { 'set-cookie': reply.setCookie } : {}),
    });
    res.end(text);
  };

  const handler: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxContentLength) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return respond(res, hec(413, 6, 'Content too large'));
      respond(res, route(req, Buffer.concat(chunks)));
    });
    req.on('error', () => res.destroy());
  };
  const server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
  server.keepAliveTimeout = 5_000;

  const { urlHost, port } = await listen(server, options.port, options.host);
  let closing: Promise<void> | undefined;

  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    indexed: () => {
      settle();
      return [...indexed];
    },
    bodies: () => [...bodies],
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    scriptFaults: (faults) => {
      scripted.push(...faults);
    },
    scriptAckFaults: (faults) => {
      scriptedAck.push(...faults);
    },
    disableToken: (token) => {
      const t = tokens.get(token);
      if (t) t.disabled = true;
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
