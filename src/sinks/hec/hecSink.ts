import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Delivery, EventSink } from '../../collector/ports.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import type { AuditLogEvent } from '../../model/auditLog.js';
import { type RetryPolicy, resolveRetryPolicy } from '../../retry/retryPolicy.js';
import { AckChannel } from './ackChannel.js';
import { type Batch, type HecMetadata, splitBatches, toHecLine } from './hecEvent.js';
import { HecError } from './hecErrors.js';
import { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_EVENTS, DEFAULT_IN_FLIGHT_BYTES, DEFAULT_IN_FLIGHT_EVENTS } from './hecDefaults.js';
import { HecTransport } from './hecTransport.js';

const gzip = promisify(zlib.gzip);

export interface HecSinkOptions {
  /** HEC base URL, e.g. https://splunk.example.com:8088 (no /services/collector). */
  url: string;
  token: string;
  /** Indexer acknowledgment: send a channel, and report batches delivered only once Splunk says indexed. */
  ack: boolean;
  metadata: HecMetadata;
  maxBatchEvents?: number;
  /** Uncompressed bytes per request. */
  maxBatchBytes?: number;
  /** Most events sent (or being sent) and not yet acknowledged; default DEFAULT_IN_FLIGHT.events. */
  maxInFlightEvents?: number;
  /** Most uncompressed bytes of them, held for resending; default DEFAULT_IN_FLIGHT.bytes. */
  maxInFlightBytes?: number;
  /** Channels batches are spread over (with ack), default 1. */
  channels?: number;
  /** Most ack ids outstanding on one channel, default DEFAULT_MAX_PENDING_PER_CHANNEL. */
  maxPendingAcksPerChannel?: number;
  /** Whole-request deadline, default 30000. */
  timeoutMs?: number;
  /** A batch not acknowledged this long after HEC accepted it is sent again; default 180000. */
  ackTimeoutMs?: number;
  /** Resends of one batch before the sink gives up with hec_ack_timeout; default 3. */
  maxResends?: number;
  /** Longest a batch may wait for its acknowledgment in all, resends included; default 900000. */
  maxAckWaitMs?: number;
  /** First and longest wait between ack polls of a channel; default 500 and 2000. */
  ackPollMs?: { first: number; max: number };
  /**
   * Retries of 503s, network errors and timeouts, as data: the same policy and retry loop as the
   * Asana client's (retry/). A 429 or 503 with Retry-After is waited out as asked, within
   * `maxRateLimitRetries` and `maxRetryAfterMs`.
   */
  policy?: Partial<RetryPolicy>;
  /** Multiplies every wait (backoff, ack polls, ack timeouts); tests use e.g. 0.01. */
  timeScale?: number;
  gzip?: boolean;
  /** The first channel's id; default a random UUID, new for every process. */
  channel?: string;
  logger?: Logger;
  /** Agents given here (proxy- and CA-aware ones from net/proxyAgents.ts) are the caller's to destroy; the sink's own are freed by close(). */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  /** Called once by close(), e.g. to destroy the given agents. */
  onClose?: () => void;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  /** Largest HEC answer body read; default 64 KiB. */
  maxAnswerBytes?: number;
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
  /** Batches accepted but not yet acknowledged (when the sink stopped on a failure: at that moment). */
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

/**
 * What is kept in flight by default: enough for 1,500 pages a minute of 100 events with acks
 * that take several seconds (25 pages a second x 5 s = 12,500 events), and a bounded memory
 * (the bodies are kept gzip-compressed for resending).
 */
export const DEFAULT_IN_FLIGHT = Object.freeze({ events: DEFAULT_IN_FLIGHT_EVENTS, bytes: DEFAULT_IN_FLIGHT_BYTES });
/** Far below Splunk's own per-channel limit (limits.conf [http_input] max_number_of_acked_requests_pending_query_per_ack_channel, 1,000,000 by default). */
export const DEFAULT_MAX_PENDING_PER_CHANNEL = 1_000;
export const DEFAULT_ACK_TIMEOUT_MS = 180_000;
export const DEFAULT_MAX_RESENDS = 3;
export const DEFAULT_MAX_ACK_WAIT_MS = 900_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_ACK_POLL = { first: 500, max: 2_000 };

interface Prepared {
  batch: Batch;
  /** With ack: the channel the batch was given when it got its room; it counts against that channel until done. */
  channel?: AckChannel;
  /** Uncompressed size, what the in-flight byte bound counts. */
  bytes: number;
  body: Buffer;
}

/**
 * Delivers events to Splunk's HTTP Event Collector, pipelined. `write` returns as soon as the
 * events fit in the in-flight bounds (events, bytes, ack ids per channel), with a Delivery that
 * settles on HTTP 200 without acknowledgment, or once `/services/collector/ack` reports every
 * batch of the write indexed with it. Meanwhile the collector fetches and writes the next pages;
 * it saves each stream's checkpoint only as far as its deliveries go (collector/deliveryWatermark.ts).
 * A batch not acknowledged in time is sent again, a bounded number of times within a bounded
 * wait; then every delivery fails with hec_ack_timeout and the sink refuses further writes.
 */
export class HecSink implements EventSink {
  readonly stats: HecSinkStats = { events: 0, batches: 0, requests: 0, retries: 0, ackPolls: 0, resends: 0, pendingAcks: 0 };
  readonly maxUndeliveredEvents: number;

  private readonly opts: HecSinkOptions;
  private readonly transport: HecTransport;
  private readonly channels: AckChannel[] = [];
  private readonly logger: Logger;
  private readonly timeScale: number;
  private readonly maxInFlightBytes: number;
  private readonly maxPendingPerChannel: number;
  private readonly ownAgents: http.Agent[] = [];
  private readonly roomWaiters = new Set<() => void>();
  private inFlightEvents = 0;
  private inFlightBytes = 0;
  private failure: unknown;
  private closed = false;
  private ackCheck: Promise<unknown> | undefined;
  /** Without ack, batches go one after another, so HEC receives them in order. */
  private postTail: Promise<unknown> = Promise.resolve();

  constructor(opts: HecSinkOptions) {
    this.opts = opts;
    this.timeScale = opts.timeScale ?? 1;
    this.logger = opts.logger ?? silentLogger;
    this.maxUndeliveredEvents = opts.maxInFlightEvents ?? DEFAULT_IN_FLIGHT.events;
    this.maxInFlightBytes = opts.maxInFlightBytes ?? DEFAULT_IN_FLIGHT.bytes;
    this.maxPendingPerChannel = opts.maxPendingAcksPerChannel ?? DEFAULT_MAX_PENDING_PER_CHANNEL;
    if (opts.token.trim() === '' || /\s/.test(opts.token)) throw new Error('HecSink: the token is empty or contains whitespace');
    const url = new URL(opts.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('HecSink: url must be http(s)');

    this.transport = new HecTransport(
      {
        url: opts.url,
        token: opts.token,
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        gzip: opts.gzip !== false,
        policy: resolveRetryPolicy({ ...HEC_RETRY_POLICY, ...opts.policy }),
        timeScale: this.timeScale,
        random: opts.random ?? Math.random,
        logger: this.logger,
        httpAgent: opts.httpAgent ?? this.own(new http.Agent({ keepAlive: true, maxSockets: 4 })),
        // rejectUnauthorized set explicitly: Node only reads NODE_TLS_REJECT_UNAUTHORIZED when it is not.
        httpsAgent: opts.httpsAgent ?? this.own(new https.Agent({ keepAlive: true, maxSockets: 4, rejectUnauthorized: true })),
        maxAnswerBytes: opts.maxAnswerBytes,
      },
      this.stats,
      () => this.failure !== undefined,
    );
    if (opts.ack) {
      const poll = { ...(opts.ackPollMs ?? DEFAULT_ACK_POLL), timeScale: this.timeScale };
      const count = Math.max(1, opts.channels ?? 1);
      for (let i = 0; i < count; i++) {
        const id = i === 0 && opts.channel !== undefined ? opts.channel : randomUUID();
        this.channels.push(new AckChannel(id, this.transport, poll, (e) => this.fail(e)));
      }
    }
  }

  /** The first channel's id (undefined without ack). */
  get channel(): string | undefined {
    return this.channels[0]?.id;
  }

  async write(events: readonly AuditLogEvent[]): Promise<Delivery | undefined> {
    if (events.length === 0) return undefined;
    // A run that failed on something passing (HEC busy for minutes) ended with nothing in
    // flight; the next run (poll --follow) starts afresh. A final failure stays.
    if (this.failure instanceof HecError && this.failure.retryable && this.inFlightEvents === 0 && !this.closed) {
      this.failure = undefined;
      this.stats.pendingAcks = 0;
    }
    this.throwIfStopped();
    if (this.opts.ack) {
      // A token with acknowledgment off would index the first batch and only then fail: ask
      // first. Id 0 of a fresh channel names no batch, so the answer is just false.
      this.ackCheck ??= this.transport.queryAcks((this.channels[0] as AckChannel).id, [0]).catch((e: unknown) => {
        this.ackCheck = undefined;
        throw e;
      });
      await this.ackCheck;
    }
    const lines = events.map((e) => toHecLine(e, this.opts.metadata));
    const batches = splitBatches(lines, {
      maxEvents: this.opts.maxBatchEvents ?? DEFAULT_BATCH_EVENTS,
      maxBytes: this.opts.maxBatchBytes ?? DEFAULT_BATCH_BYTES,
    });
    const deliveries: Promise<void>[] = [];
    for (const batch of batches) {
      const raw = Buffer.from(batch.body, 'utf8');
      const prepared: Prepared = { batch, bytes: raw.length, body: this.opts.gzip === false ? raw : await gzip(raw) };
      await this.room(prepared);
      const delivered = this.deliver(prepared);
      // The collector handles the outcome through the Delivery; this keeps an early failure of
      // one batch, before the write returns, from counting as unhandled.
      delivered.catch(() => undefined);
      deliveries.push(delivered);
    }
    const all = Promise.all(deliveries).then(() => undefined);
    all.catch(() => undefined);
    return { delivered: all };
  }

  /** Ends requests in flight and waits, fails undelivered batches, and frees the sink's own sockets. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new HecError({ code: 'hec_network_error', retryable: false, detail: 'the HEC sink was closed' }));
    this.transport.close();
    for (const agent of this.ownAgents) agent.destroy();
    this.opts.onClose?.();
  }

  /** Waits until the batch fits every in-flight bound (a batch alone always fits), then takes its room. */
  private async room(p: Prepared): Promise<void> {
    for (;;) {
      this.throwIfStopped();
      const empty = this.inFlightEvents === 0;
      const fits = empty || (this.inFlightEvents + p.batch.events <= this.maxUndeliveredEvents && this.inFlightBytes + p.bytes <= this.maxInFlightBytes);
      const channel = this.opts.ack ? this.freestChannel() : undefined;
      const channelFree = channel === undefined || channel.assigned < this.maxPendingPerChannel || empty;
      if (fits && channelFree) {
        p.channel = channel;
        break;
      }
      await new Promise<void>((resolve) => this.roomWaiters.add(resolve));
    }
    this.inFlightEvents += p.batch.events;
    this.inFlightBytes += p.bytes;
    if (p.channel) p.channel.assigned++;
  }

  private release(p: Prepared): void {
    this.inFlightEvents -= p.batch.events;
    this.inFlightBytes -= p.bytes;
    if (p.channel) p.channel.assigned--;
    this.wakeRoom();
  }

  private wakeRoom(): void {
    const waiters = [...this.roomWaiters];
    this.roomWaiters.clear();
    for (const w of waiters) w();
  }

  /** Sends a batch and, with ack, waits for its acknowledgment, resending within the bounds. */
  private async deliver(p: Prepared): Promise<void> {
    try {
      if (!this.opts.ack) {
        const posted = this.postTail.then(() => this.transport.postEvents(p.body, undefined));
        this.postTail = posted.catch(() => undefined);
        await posted;
      } else {
        await this.deliverAcknowledged(p);
      }
      this.stats.batches++;
      this.stats.events += p.batch.events;
    } catch (e) {
      this.fail(e);
      throw this.failure;
    } finally {
      this.release(p);
    }
  }

  private async deliverAcknowledged(p: Prepared): Promise<void> {
    const ackTimeoutMs = (this.opts.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS) * this.timeScale;
    const maxResends = this.opts.maxResends ?? DEFAULT_MAX_RESENDS;
    const firstSentAt = Date.now();
    const giveUpAt = firstSentAt + (this.opts.maxAckWaitMs ?? DEFAULT_MAX_ACK_WAIT_MS) * this.timeScale;
    for (let sends = 1; ; sends++) {
      const channel = p.channel as AckChannel;
      const ackId = (await this.transport.postEvents(p.body, channel.id)) as number;
      this.throwIfStopped();
      this.stats.pendingAcks++;
      // A wait ended by a failure elsewhere leaves the batch counted: the health line then shows what was pending.
      const outcome = await channel.wait(ackId, Math.max(0, Math.min(ackTimeoutMs, giveUpAt - Date.now())));
      if (outcome === 'indexed') {
        this.stats.pendingAcks--;
        return;
      }
      if (sends > maxResends || Date.now() >= giveUpAt) {
        const minutes = ((Date.now() - firstSentAt) / this.timeScale / 60_000).toFixed(1);
        throw new HecError({
          code: 'hec_ack_timeout',
          retryable: false,
          detail: `a batch of ${p.batch.events} events was sent ${sends} times over ${minutes} minutes and never acknowledged; ${this.stats.pendingAcks} batches await acknowledgment`,
        });
      }
      this.stats.pendingAcks--;
      this.stats.resends++;
      this.logger.warn('Splunk did not acknowledge a batch in time: sending it again', { code: 'hec_ack_timeout', ack_id: ackId, resend: sends });
    }
  }

  /** The channel with the fewest batches given to it. */
  private freestChannel(): AckChannel {
    let best = this.channels[0] as AckChannel;
    for (const c of this.channels) if (c.assigned < best.assigned) best = c;
    return best;
  }

  /** The first final failure stops the sink: every batch still waiting fails with it. */
  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const c of this.channels) c.failAll(error);
    this.wakeRoom();
  }

  private throwIfStopped(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new HecError({ code: 'hec_network_error', retryable: false, detail: 'the HEC sink was closed' });
  }

  private own<A extends http.Agent>(agent: A): A {
    this.ownAgents.push(agent);
    return agent;
  }
}
