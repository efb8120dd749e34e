import type http from 'node:http';
import type https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Logger } from '../../logging/logger.js';
import { maskSecret } from '../../logging/redactor.js';
import { DeadlineRequests, TransportFailure } from '../../net/deadlineRequests.js';
import { parseRetryAfter } from '../../retry/retryAfter.js';
import { withRetries } from '../../retry/retryLoop.js';
import type { RetryPolicy } from '../../retry/retryPolicy.js';
import { WakeableSleeps } from '../../retry/wakeableSleeps.js';
import { ChannelCookies } from './channelCookies.js';
import { ANSWER_TOO_LARGE, classifyHecFailure, classifyHecTransportFailure } from './classifyHecResponse.js';
import { HecError } from './hecErrors.js';
import { HEC_CODES, hecAckReplySchema, parseHecReply } from './hecReply.js';

const EVENT_PATH = '/services/collector/event';
const ACK_PATH = '/services/collector/ack';
const REDACTED = '[redacted]';
/** HEC answers with a few dozen bytes of JSON; anything this large is not HEC, and is not read further. */
export const MAX_ANSWER_BYTES = 64 * 1024;

export interface HecTransportOptions {
  url: string;
  token: string;
  timeoutMs: number;
  gzip: boolean;
  policy: RetryPolicy;
  timeScale: number;
  random: () => number;
  logger: Logger;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** Largest answer body read, default MAX_ANSWER_BYTES. */
  maxAnswerBytes?: number;
}

/** Counters the transport adds to (the sink's stats object). */
export interface TransportCounters {
  requests: number;
  retries: number;
  ackPolls: number;
}

/**
 * HEC's two endpoints over HTTP, each call retried under the one retry engine (retry/): a busy
 * HEC's Retry-After is waited out, transient failures back off, final ones throw a HecError.
 * Answers are capped at `maxAnswerBytes` so a peer that streams an endless body cannot fill memory.
 */
export class HecTransport {
  private readonly http: AxiosInstance;
  private readonly requests: DeadlineRequests;
  private readonly sleeps = new WakeableSleeps();
  private readonly cookies = new ChannelCookies();
  private closed = false;

  constructor(
    private readonly opts: HecTransportOptions,
    private readonly counters: TransportCounters,
    /** Whether the sink has stopped: nothing is retried then. */
    private readonly stopped: () => boolean,
  ) {
    this.requests = new DeadlineRequests(opts.timeoutMs);
    this.http = axios.create({
      baseURL: opts.url.replace(/\/+$/, ''),
      httpAgent: opts.httpAgent,
      httpsAgent: opts.httpsAgent,
      proxy: false,
      maxRedirects: 0,
      maxContentLength: opts.maxAnswerBytes ?? MAX_ANSWER_BYTES,
      timeout: opts.timeoutMs,
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      headers: {
        Authorization: `Splunk ${opts.token}`,
        'Content-Type': 'application/json',
        'User-Agent': 'TA-asana-audit-log',
      },
    });
  }

  /** Sends one batch until HEC takes it or a failure is final; returns its ack id when `channel` is given. */
  async postEvents(body: Buffer, channel: string | undefined): Promise<number | undefined> {
    const headers: Record<string, string> = {
      ...(this.opts.gzip ? { 'Content-Encoding': 'gzip' } : {}),
      ...(channel ? { 'X-Splunk-Request-Channel': channel } : {}),
    };
    return this.retrying('send events', async () => {
      const { status, body: text, retryAfter } = await this.request(EVENT_PATH, body, headers, channel);
      if (status < 200 || status > 299) throw classifyHecFailure(status, this.redact(text), retryAfter, (t) => this.redact(t));
      const reply = parseHecReply(text);
      if (!reply) throw new HecError({ code: 'hec_invalid_response', retryable: true, status, detail: `HTTP ${status}` });
      if (reply.code !== HEC_CODES.success) throw classifyHecFailure(400, this.redact(text), undefined, (t) => this.redact(t));
      if (channel === undefined) return undefined;
      if (reply.ackId === undefined) {
        throw new HecError({ code: 'hec_ack_disabled', retryable: false, status, detail: 'HEC accepted the events but returned no ackId' });
      }
      return reply.ackId;
    });
  }

  /** Which of a channel's ack ids are indexed. */
  async queryAcks(channel: string, ids: readonly number[]): Promise<Record<string, boolean>> {
    return this.retrying('poll acks', async () => {
      this.counters.ackPolls++;
      const { status, body, retryAfter } = await this.request(
        ACK_PATH,
        Buffer.from(JSON.stringify({ acks: ids })),
        { 'X-Splunk-Request-Channel': channel },
        channel,
      );
      if (status < 200 || status > 299) throw classifyHecFailure(status, this.redact(body), retryAfter, (t) => this.redact(t));
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

  /** Sleeps that close() cuts short (ack poll intervals use it too). */
  sleep(ms: number): Promise<void> {
    return this.sleeps.sleep(ms);
  }

  close(): void {
    this.closed = true;
    this.sleeps.wakeAll();
    this.requests.abortAll();
  }

  private retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    return withRetries(attempt, {
      policy: this.opts.policy,
      timeScale: this.opts.timeScale,
      random: this.opts.random,
      unexpected: () => new HecError({ code: 'hec_network_error', retryable: false, detail: 'unexpected failure in the HEC sink' }),
      closed: () => this.closed || this.stopped(),
      wait: async (_kind, ms) => {
        await this.sleeps.sleep(ms);
        this.throwIfClosed();
      },
      onRetry: (error, _kind, retry, waitMs) => {
        this.counters.retries++;
        this.opts.logger.warn(`Splunk HEC request failed (${what}): retrying`, {
          code: error.code,
          status: error instanceof HecError ? error.status : undefined,
          hec_code: error instanceof HecError ? error.hecCode : undefined,
          retry,
          wait_ms: Math.round(waitMs),
        });
      },
    });
  }

  /**
   * One POST; `retryAfter` is the answer's Retry-After in seconds, when it has a usable one. A
   * channel's requests carry the cookies a load balancer set on its earlier answers.
   */
  private async request(
    path: string,
    body: Buffer,
    extraHeaders: Record<string, string>,
    channel?: string,
  ): Promise<{ status: number; body: string; retryAfter?: number }> {
    this.throwIfClosed();
    const cookie = channel === undefined ? undefined : this.cookies.header(channel);
    const headers = cookie === undefined ? extraHeaders : { ...extraHeaders, Cookie: cookie };
    this.counters.requests++;
    const started = Date.now();
    let response: AxiosResponse<string>;
    try {
      response = await this.requests.run((signal) =>
        this.http.post<string>(path, body, { headers, signal }).catch((e: unknown) => {
          // axios stops reading at maxContentLength; say so by a code of our own, not by its message.
          if (axios.isAxiosError(e) && /^maxContentLength size of \d+ exceeded$/.test(e.message))
            throw Object.assign(new Error('answer too large'), { code: ANSWER_TOO_LARGE });
          throw e;
        }),
      );
    } catch (e) {
      const failure = e instanceof TransportFailure ? e : new TransportFailure(undefined, false);
      const error = this.closed
        ? new HecError({ code: 'hec_network_error', retryable: false, detail: 'the HEC sink was closed' })
        : classifyHecTransportFailure(failure.errno, failure.deadlineExceeded, this.opts.maxAnswerBytes ?? MAX_ANSWER_BYTES);
      this.opts.logger.debug('HEC request got no answer', { path, code: error.code, ms: Date.now() - started });
      throw error;
    }
    if (channel !== undefined) this.cookies.take(channel, response.headers['set-cookie']);
    const text = typeof response.data === 'string' ? response.data : '';
    this.opts.logger.debug('HEC request', { path, status: response.status, bytes: body.length, ms: Date.now() - started });
    const retryAfterHeader: unknown = response.headers['retry-after'];
    const retryAfter = typeof retryAfterHeader === 'string' ? parseRetryAfter(retryAfterHeader, Date.now()) : undefined;
    return { status: response.status, body: text, retryAfter };
  }

  private throwIfClosed(): void {
    if (this.closed) throw new HecError({ code: 'hec_network_error', retryable: false, detail: 'the HEC sink was closed' });
  }

  private redact(text: string): string {
    return maskSecret(text, this.opts.token, REDACTED);
  }
}
