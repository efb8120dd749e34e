import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { withRetries } from '../../retry/retryLoop.js';
import { parseRetryAfter } from '../../retry/retryAfter.js';
import { resolveRetryPolicy, type RetryPolicy } from '../../retry/retryPolicy.js';
import type { AuditLogEvent } from '../../model/auditLog.js';
import type { EventSink } from '../../collector/ports.js';
import { silentLogger, type Logger } from '../../logging/logger.js';
import { type Batch, type HecMetadata, splitBatches, toHecLine } from './hecEvent.js';
import { classifyHecFailure, classifyHecTransportFailure } from './classifyHecResponse.js';
import { HecError } from './hecErrors.js';
import { hecAckReplySchema, HEC_CODES, parseHecReply } from './hecReply.js';
import { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_EVENTS } from './hecSettings.js';
import { DeadlineRequests, TransportFailure } from '../../net/deadlineRequests.js';
import { WakeableSleeps } from '../../retry/wakeableSleeps.js';

const gzip = promisify(zlib.gzip);

export interface HecSinkOptions {
  /** HEC base URL, e.g. https://splunk.example.com:8088 (no /services/collector). */
  url: string;
  token: string;
  /** Indexer acknowledgment: send a channel, and resolve writes only once Splunk says indexed. */
  ack: boolean;
  metadata: HecMetadata;
  maxBatchEvents?: number;
  /** Uncompressed bytes per request. */
  maxBatchBytes?: number;
  /** Whole-request deadline, default 30000. */
  timeoutMs?: number;
  /** A batch not acknowledged this long after it was accepted is sent again; default 300000. */
  ackTimeoutMs?: number;
  /** First and longest wait between ack polls; default 250 and 5000. */
  ackPollMs?: { first: number; max: number };
  /**
   * Retries of 503s, network errors and timeouts, as data: the same policy and retry loop as the
   * Asana client's (retry/). A 429 or 503 with Retry-After is waited out as asked, within
   * `maxRateLimitRetries` and `maxRetryAfterMs`.
   */
  policy?: Partial<RetryPolicy>;
  /** Multiplies every wait (backoff, ack polls, ack timeout); tests use e.g. 0.01. */
  timeScale?: number;
  gzip?: boolean;
  /** Default a random UUID, new for every process. */
  channel?: string;
  logger?: Logger;
  /** Agents given here are the caller's to destroy; the sink's own are freed by close(). */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  /** Source of jitter in [0, 1). */
  random?: () => number;
}

export type HecSinkStats = {
  /** Events Splunk accepted (and, with ack, acknowledged as indexed). */
  events: number;
  batches: number;
  requests: number;
  /** Requests repeated after a 503, a network error or a timeout. */
  retries: number;
  ackPolls: number;
  /** Batches sent again because Splunk did not acknowledge them in time. */
  resends: number;
  /** Batches accepted but not yet acknowledged. */
  pendingAcks: number;
};

/** HEC-side defaults: about three minutes of backoff (1+2+4+8+16+30*5 s), since indexer restarts take that long. */
export const HEC_RETRY_POLICY: Readonly<Partial<RetryPolicy>> = Object.freeze({
  maxRetries: 10,
  baseDelayMs: 1_000,
  backoffFactor: 2,
  maxDelayMs: 30_000,
  jitter: 0.5,
});

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_ACK_TIMEOUT_MS = 300_000;
const DEFAULT_ACK_POLL = { first: 250, max: 5_000 };
const EVENT_PATH = '/services/collector/event';
const ACK_PATH = '/services/collector/ack';
const REDACTED = '[redacted]';

interface Prepared {
  batch: Batch;
  body: Buffer;
}

interface Pending {
  prepared: Prepared;
  ackId: number;
  acceptedAt: number;
  resends: number;
}

/**
 * Delivers events to Splunk's HTTP Event Collector. `write` resolves only when Splunk has taken
 * every event of the call: on HTTP 200 without acknowledgment, or once `/services/collector/ack`
 * reports every batch indexed with it. The collector saves its checkpoint right after, so the
 * checkpoint never passes an event Splunk did not take.
 */
export class HecSink implements EventSink {
  readonly stats: HecSinkStats = { events: 0, batches: 0, requests: 0, retries: 0, ackPolls: 0, resends: 0, pendingAcks: 0 };
  readonly channel: string | undefined;

  private readonly opts: HecSinkOptions;
  private readonly http: AxiosInstance;
  private readonly policy: RetryPolicy;
  private readonly timeScale: number;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly ownAgents: http.Agent[] = [];
  private readonly requests: DeadlineRequests;
  private readonly sleeps = new WakeableSleeps();
  private closed = false;
  private ackChecked = false;

  constructor(opts: HecSinkOptions) {
    this.opts = opts;
    this.policy = resolveRetryPolicy({ ...HEC_RETRY_POLICY, ...opts.policy });
    this.timeScale = opts.timeScale ?? 1;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.requests = new DeadlineRequests(this.timeoutMs);
    this.logger = opts.logger ?? silentLogger;
    this.random = opts.random ?? Math.random;
    this.channel = opts.ack ? (opts.channel ?? randomUUID()) : undefined;
    if (opts.token.trim() === '' || /\s/.test(opts.token)) throw new Error('HecSink: the token is empty or contains whitespace');
    const url = new URL(opts.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('HecSink: url must be http(s)');

    const httpAgent = opts.httpAgent ?? this.own(new http.Agent({ keepAlive: true, maxSockets: 2 }));
    // rejectUnauthorized set explicitly: Node only reads NODE_TLS_REJECT_UNAUTHORIZED when it is not.
    const httpsAgent = opts.httpsAgent ?? this.own(new https.Agent({ keepAlive: true, maxSockets: 2, rejectUnauthorized: true }));
    this.http = axios.create({
      baseURL: opts.url.replace(/\/+$/, ''),
      httpAgent,
      httpsAgent,
      proxy: false,
      maxRedirects: 0,
      timeout: this.timeoutMs,
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      headers: {
        Authorization: `Splunk ${opts.token}`,
        'Content-Type': 'application/json',
        'User-Agent': 'TA-asana-audit-log',
        ...(this.channel ? { 'X-Splunk-Request-Channel': this.channel } : {}),
      },
    });
  }

  async write(events: readonly AuditLogEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.throwIfClosed();
    const lines = events.map((e) => toHecLine(e, this.opts.metadata));
    const batches = splitBatches(lines, {
      maxEvents: this.opts.maxBatchEvents ?? DEFAULT_BATCH_EVENTS,
      maxBytes: this.opts.maxBatchBytes ?? DEFAULT_BATCH_BYTES,
    });
    const prepared: Prepared[] = [];
    for (const batch of batches) prepared.push({ batch, body: await this.encode(batch.body) });

    if (!this.opts.ack) {
      for (const p of prepared) {
        await this.post(p);
        this.accepted(p);
      }
      return;
    }
    if (!this.ackChecked) {
      // A token with acknowledgment off would index the first batch and only then fail: ask first.
      // Id 0 of a fresh channel names no batch, so the answer is just false.
      await this.queryAcks([0]);
      this.ackChecked = true;
    }
    // Every batch of the call goes out first, then all their acks are awaited together.
    const pending = new Map<number, Pending>();
    for (const p of prepared) {
      const ackId = await this.post(p);
      pending.set(ackId, { prepared: p, ackId, acceptedAt: Date.now(), resends: 0 });
    }
    await this.awaitAcks(pending);
  }

  /** Ends requests in flight and waits, and frees the sink's own sockets. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sleeps.wakeAll();
    this.requests.abortAll();
    for (const agent of this.ownAgents) agent.destroy();
  }

  private accepted(p: Prepared): void {
    this.stats.batches++;
    this.stats.events += p.batch.events;
  }

  private async encode(text: string): Promise<Buffer> {
    const raw = Buffer.from(text, 'utf8');
    return this.opts.gzip === false ? raw : gzip(raw);
  }

  /** Sends one batch until HEC takes it or a failure is final; returns its ack id when ack is on. */
  private async post(p: Prepared): Promise<number> {
    const headers: Record<string, string> = this.opts.gzip === false ? {} : { 'Content-Encoding': 'gzip' };
    return this.withRetries('send events', async () => {
      const { status, body, retryAfter } = await this.request(EVENT_PATH, p.body, headers);
      if (status < 200 || status > 299) throw classifyHecFailure(status, this.redact(body), retryAfter);
      const reply = parseHecReply(body);
      if (!reply) throw new HecError({ code: 'hec_invalid_response', retryable: true, status, detail: `HTTP ${status}` });
      if (reply.code !== HEC_CODES.success) throw classifyHecFailure(400, this.redact(body));
      if (!this.opts.ack) return -1;
      if (reply.ackId === undefined) {
        throw new HecError({ code: 'hec_ack_disabled', retryable: false, status, detail: 'HEC accepted the events but returned no ackId' });
      }
      return reply.ackId;
    });
  }

  /** Polls the ack endpoint until every pending batch is indexed; resends those that take too long. */
  private async awaitAcks(pending: Map<number, Pending>): Promise<void> {
    const poll = this.opts.ackPollMs ?? DEFAULT_ACK_POLL;
    const ackTimeoutMs = (this.opts.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS) * this.timeScale;
    let wait = poll.first;
    this.stats.pendingAcks = pending.size;
    try {
      while (pending.size > 0) {
        await this.sleeps.sleep(wait * this.timeScale);
        this.throwIfClosed();
        wait = Math.min(poll.max, wait * 2);
        const acks = await this.queryAcks([...pending.keys()]);
        for (const [id, entry] of [...pending]) {
          if (acks[String(id)] === true) {
            pending.delete(id);
            this.accepted(entry.prepared);
          }
        }
        const now = Date.now();
        for (const [id, entry] of [...pending]) {
          if (now - entry.acceptedAt < ackTimeoutMs) continue;
          if (entry.resends >= this.policy.maxRetries) {
            throw new HecError({ code: 'hec_ack_timeout', retryable: true, detail: `ack id ${id} not indexed after ${entry.resends + 1} sends` });
          }
          this.stats.resends++;
          this.logger.warn('Splunk did not acknowledge a batch in time: sending it again', { code: 'hec_ack_timeout', ack_id: id, events: entry.prepared.batch.events });
          pending.delete(id);
          const ackId = await this.post(entry.prepared);
          pending.set(ackId, { ...entry, ackId, acceptedAt: Date.now(), resends: entry.resends + 1 });
          wait = poll.first;
        }
        this.stats.pendingAcks = pending.size;
      }
    } finally {
      this.stats.pendingAcks = pending.size;
    }
  }

  private async queryAcks(ids: number[]): Promise<Record<string, boolean>> {
    return this.withRetries('poll acks', async () => {
      this.stats.ackPolls++;
      const { status, body, retryAfter } = await this.request(ACK_PATH, Buffer.from(JSON.stringify({ acks: ids })), {});
      if (status < 200 || status > 299) throw classifyHecFailure(status, this.redact(body), retryAfter);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      const reply = hecAckReplySchema.safeParse(parsed);
      if (!reply.success) throw new HecError({ code: 'hec_invalid_response', retryable: true, status, detail: `HTTP ${status} from the ack endpoint` });
      return reply.data.acks;
    });
  }

  private async withRetries<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    return withRetries(attempt, {
      policy: this.policy,
      timeScale: this.timeScale,
      random: this.random,
      unexpected: () => new HecError({ code: 'hec_network_error', retryable: false, detail: 'unexpected failure in the HEC sink' }),
      closed: () => this.closed,
      wait: async (_kind, ms) => {
        await this.sleeps.sleep(ms);
        this.throwIfClosed();
      },
      onRetry: (error, _kind, retry, waitMs) => {
        this.stats.retries++;
        this.logger.warn(`Splunk HEC request failed (${what}): retrying`, {
          code: error.code,
          status: error instanceof HecError ? error.status : undefined,
          hec_code: error instanceof HecError ? error.hecCode : undefined,
          retry,
          wait_ms: Math.round(waitMs),
        });
      },
    });
  }

  /** One POST; `retryAfter` is the answer's Retry-After in seconds, when it has a usable one. */
  private async request(path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string; retryAfter?: number }> {
    this.throwIfClosed();
    this.stats.requests++;
    const started = Date.now();
    let response: AxiosResponse<string>;
    try {
      response = await this.requests.run((signal) => this.http.post<string>(path, body, { headers, signal }));
    } catch (e) {
      const failure = e instanceof TransportFailure ? e : new TransportFailure(undefined, false);
      const error = this.closed
        ? new HecError({ code: 'hec_network_error', retryable: false, detail: 'the HEC sink was closed' })
        : classifyHecTransportFailure(failure.errno, failure.deadlineExceeded);
      this.logger.debug('HEC request got no answer', { path, code: error.code, ms: Date.now() - started });
      throw error;
    }
    const text = typeof response.data === 'string' ? response.data : '';
    this.logger.debug('HEC request', { path, status: response.status, bytes: body.length, ms: Date.now() - started });
    const retryAfterHeader: unknown = response.headers['retry-after'];
    const retryAfter = typeof retryAfterHeader === 'string' ? parseRetryAfter(retryAfterHeader, Date.now()) : undefined;
    return { status: response.status, body: text, retryAfter };
  }

  private throwIfClosed(): void {
    if (this.closed) throw new HecError({ code: 'hec_network_error', retryable: false, detail: 'the HEC sink was closed' });
  }

  private redact(text: string): string {
    return text.split(this.opts.token).join(REDACTED);
  }

  private own<A extends http.Agent>(agent: A): A {
    this.ownAgents.push(agent);
    return agent;
  }
}
