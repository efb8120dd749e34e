import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import Bottleneck from 'bottleneck';
import type { FetchOptions, PageSource } from '../collector/ports.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { maskSecret } from '../logging/redactor.js';
import { classifyHttpFailure, classifyTransportFailure } from './classifyResponse.js';
import { AsanaApiError } from './asanaApiError.js';
import { parsePage } from './parsePage.js';
import { CodedError } from '../errors/codedError.js';
import { type Naming, SETTING_NAMES } from '../errors/naming.js';
import { withRetries } from '../retry/retryLoop.js';
import { rateLimitWaitMs, resolveRetryPolicy, type RetryPolicy } from '../retry/retryPolicy.js';
import { FILTER_NAMES, type Page, type PageQuery } from '../model/auditLog.js';
import { DeadlineRequests, TransportFailure } from '../net/deadlineRequests.js';
import { WakeableSleeps } from '../retry/wakeableSleeps.js';

export interface AuditLogClientOptions {
  /** e.g. https://app.asana.com/api/1.0 */
  baseUrl: string;
  token: string;
  /** Cap for every request this client sends, retries included, spread evenly over the minute. */
  maxRequestsPerMinute: number;
  /** Default 8; Asana allows 50 GETs in flight per token. */
  maxConcurrent?: number;
  /** Whole-request deadline (connect, headers and body), default 30000. */
  timeoutMs?: number;
  policy?: Partial<RetryPolicy>;
  /** Multiplies every wait (backoff, Retry-After, limiter spacing); tests use e.g. 0.001. */
  timeScale?: number;
  logger?: Logger;
  /** Agents given here are the caller's to destroy; the client's own agents are freed by close(). */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
  userAgent?: string;
  /** Source of jitter, a number in [0, 1); injectable for deterministic tests. */
  random?: () => number;
  /** What the retry WARNs call the things to change: setting names (default), or the CLI's flags. */
  naming?: Naming;
}

export interface AuditLogClientStats {
  /** HTTP requests sent. */
  requests: number;
  /** Attempts repeated after a failure, 429s included. */
  retries: number;
  /** Times a request held back because a 429 had closed the shared gate. */
  throttledWaits: number;
  /** 429 answers received. */
  rateLimited: number;
}

const DEFAULT_MAX_CONCURRENT = 8;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_USER_AGENT = 'TA-asana-audit-log';
/** Far above any real page (100 events); bounds memory if a proxy streams something else. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const REDACTED = '[redacted]';

/** Returned by a limiter job that found the gate closed when its turn came: it sent nothing. */
const GATED = Symbol('gated');

interface PreparedRequest {
  url: string;
  /** For logs: the path and query, which hold no secret. */
  path: string;
  query: string;
  sentOffset: boolean;
  /** Bottleneck priority: 0 goes first, 9 last. */
  priority: number;
}

/** Bottleneck's default priority, for every request but the background re-read. */
const NORMAL_PRIORITY = 5;
/** The re-read of late events queues behind everything else. */
const BACKGROUND_PRIORITY = 9;

/**
 * The Audit Log API over HTTP. One limiter and one rate-limit gate serve every call in flight:
 * when Asana answers 429, no request from any caller leaves until the Retry-After has passed.
 */
export class AuditLogClient implements PageSource {
  readonly stats: AuditLogClientStats = { requests: 0, retries: 0, throttledWaits: 0, rateLimited: 0 };

  private readonly baseUrl: string;
  /** Native-private so inspecting or logging the client object cannot show it. */
  readonly #token: string;
  private readonly timeoutMs: number;
  private readonly timeScale: number;
  private readonly policy: RetryPolicy;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly naming: Naming;
  private readonly http: AxiosInstance;
  private readonly limiter: Bottleneck;
  private readonly ownAgents: Array<http.Agent | https.Agent> = [];
  private readonly requests: DeadlineRequests;
  private readonly sleeps = new WakeableSleeps();
  /** Epoch ms before which nothing may be sent (set by a 429). */
  private gateUntil = 0;
  private closed = false;

  constructor(opts: AuditLogClientOptions) {
    this.baseUrl = checkBaseUrl(opts.baseUrl);
    this.#token = checkToken(opts.token);
    const maxConcurrent = opts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.timeScale = opts.timeScale ?? 1;
    checkPositive('maxRequestsPerMinute', opts.maxRequestsPerMinute);
    checkPositive('maxConcurrent', maxConcurrent, true);
    checkPositive('timeoutMs', this.timeoutMs);
    this.requests = new DeadlineRequests(this.timeoutMs);
    checkPositive('timeScale', this.timeScale);
    this.policy = resolveRetryPolicy(opts.policy);
    this.logger = opts.logger ?? silentLogger;
    this.random = opts.random ?? Math.random;
    this.naming = opts.naming ?? SETTING_NAMES;

    const httpAgent = opts.httpAgent ?? this.own(new http.Agent({ keepAlive: true, maxSockets: maxConcurrent }));
    const httpsAgent = opts.httpsAgent ?? this.own(new https.Agent({ keepAlive: true, maxSockets: maxConcurrent, rejectUnauthorized: true }));
    this.http = axios.create({
      httpAgent,
      httpsAgent,
      // Proxies are configured through the agents; axios's own env-var proxy support is bypassed so
      // one place decides where the token goes.
      proxy: false,
      maxRedirects: 0,
      timeout: this.timeoutMs,
      maxContentLength: MAX_BODY_BYTES,
      // Every status and every body reaches our own classification; axios only moves bytes.
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      // The Authorization header is added per request, so the instance's defaults hold no secret.
      headers: {
        Accept: 'application/json',
        'User-Agent': opts.userAgent ?? DEFAULT_USER_AGENT,
      },
    });

    this.limiter = new Bottleneck({
      maxConcurrent,
      minTime: minSpacingMs(opts.maxRequestsPerMinute) * this.timeScale,
    });
  }

  async fetchPage(query: PageQuery, options: FetchOptions = {}): Promise<Page> {
    this.throwIfClosed();
    const request = this.prepare(query, options.background ? BACKGROUND_PRIORITY : NORMAL_PRIORITY);
    return withRetries(() => this.attempt(request), {
      policy: this.policy,
      timeScale: this.timeScale,
      random: this.random,
      unexpected: internalError,
      closed: () => this.closed,
      wait: async (kind, ms) => {
        // A 429 already closed the shared gate for this long; the next attempt waits there.
        if (kind === 'transient') await this.sleeps.sleep(ms);
        this.throwIfClosed();
      },
      onRetry: (error, kind, retry, waitMs) => {
        this.stats.retries++;
        this.logger.warn(kind === 'rate_limit' ? 'Asana rate limit: waiting before retrying' : 'Asana request failed: retrying', {
          code: error.code,
          status: statusOf(error),
          retry,
          wait_ms: Math.round(waitMs),
          path: request.path,
          cause: error.describe(this.naming),
        });
      },
      onGiveUp: (error, kind) => {
        if (kind !== 'rate_limit') return;
        this.logger.warn('Asana rate limit: not waiting it out in this run', {
          code: error.code,
          retry_after_s: error.retryAfterMs === undefined ? undefined : error.retryAfterMs / 1000,
          path: request.path,
          cause: error.describe(this.naming),
        });
      },
    });
  }

  /** Stops the limiter, ends requests in flight and waits, and frees the client's own sockets. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sleeps.wakeAll();
    this.requests.abortAll();
    await this.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    await this.limiter.disconnect().catch(() => undefined);
    for (const agent of this.ownAgents) agent.destroy();
  }

  /** One attempt: waits out the gate, takes a limiter slot, sends unless the gate closed meanwhile. */
  private async attempt(request: PreparedRequest): Promise<Page> {
    for (;;) {
      await this.passGate();
      let outcome: Page | typeof GATED;
      try {
        // The gate is checked again inside the slot: a job queued before a 429 arrived must not go out.
        outcome = await this.limiter.schedule(
          { priority: request.priority },
          (): Promise<Page | typeof GATED> => (this.gateIsClosed() ? Promise.resolve(GATED) : this.send(request)),
        );
      } catch (e) {
        if (e instanceof CodedError) throw e;
        throw this.closed ? closedError() : internalError();
      }
      if (outcome !== GATED) return outcome;
    }
  }

  private async send(request: PreparedRequest): Promise<Page> {
    this.throwIfClosed();
    this.stats.requests++;
    const started = Date.now();
    let response: AxiosResponse<string>;
    try {
      response = await this.requests.run((signal) => this.http.get<string>(request.url, { signal, headers: { Authorization: `Bearer ${this.#token}` } }));
    } catch (e) {
      const failure = e instanceof TransportFailure ? e : new TransportFailure(undefined, false);
      const error = this.closed
        ? closedError()
        : classifyTransportFailure({ code: failure.errno, deadlineExceeded: failure.deadlineExceeded, target: this.baseUrl });
      this.logger.debug('Asana request got no answer', {
        path: request.path,
        query: request.query,
        code: error.code,
        ms: Date.now() - started,
      });
      throw error;
    }

    const { status } = response;
    const bodyText = typeof response.data === 'string' ? response.data : '';
    this.logger.debug('Asana request', { path: request.path, query: request.query, status, ms: Date.now() - started });
    if (status >= 200 && status <= 299) return parsePage(bodyText, headerOf(response, 'content-type'));

    const error = classifyHttpFailure({
      status,
      bodyText: this.redact(bodyText),
      redact: (text) => this.redact(text),
      retryAfter: headerOf(response, 'retry-after'),
      sentOffset: request.sentOffset,
      nowMs: Date.now(),
      target: this.baseUrl,
    });
    if (error.code === 'rate_limited') {
      this.stats.rateLimited++;
      const holdMs = Math.min(rateLimitWaitMs(error, this.policy), this.policy.maxRetryAfterMs) * this.timeScale;
      this.gateUntil = Math.max(this.gateUntil, Date.now() + Math.ceil(holdMs));
    }
    throw error;
  }

  private async passGate(): Promise<void> {
    let counted = false;
    for (let now = Date.now(); now < this.gateUntil; now = Date.now()) {
      if (!counted) {
        this.stats.throttledWaits++;
        counted = true;
      }
      await this.sleeps.sleep(this.gateUntil - now);
      this.throwIfClosed();
    }
  }

  private gateIsClosed(): boolean {
    return Date.now() < this.gateUntil;
  }

  private prepare(query: PageQuery, priority: number): PreparedRequest {
    const params = new URLSearchParams();
    if (query.startAt !== undefined) params.set('start_at', query.startAt);
    if (query.endAt !== undefined) params.set('end_at', query.endAt);
    for (const name of FILTER_NAMES) {
      const value = query.filters[name];
      if (value !== undefined && value !== '') params.set(name, value);
    }
    params.set('limit', String(query.limit));
    if (query.offset !== undefined) params.set('offset', query.offset);
    const path = `/workspaces/${encodeURIComponent(query.workspaceGid)}/audit_log_events`;
    const search = params.toString();
    return { url: `${this.baseUrl}${path}?${search}`, path, query: search, sentOffset: query.offset !== undefined, priority };
  }

  private throwIfClosed(): void {
    if (this.closed) throw closedError();
  }

  /** An error page could echo the request back; the token must not ride along into messages or logs. */
  private redact(text: string): string {
    return maskSecret(text, this.#token, REDACTED);
  }

  private own<A extends http.Agent>(agent: A): A {
    this.ownAgents.push(agent);
    return agent;
  }
}

/**
 * Even spacing of N a minute lets N + 1 requests fall inside one 60 s window when its ends land
 * on two of them, and network jitter can squeeze a gap further: 1 % headroom keeps every window
 * at or under N.
 */
export function minSpacingMs(requestsPerMinute: number): number {
  return (60_000 / requestsPerMinute) * 1.01;
}

function headerOf(response: AxiosResponse, name: string): string | undefined {
  const value: unknown = response.headers[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

function statusOf(error: CodedError): number | undefined {
  return error instanceof AsanaApiError ? error.status : undefined;
}

function closedError(): AsanaApiError {
  return new AsanaApiError({
    code: 'network_error',
    retryable: true,
    detail: 'the client was closed before the request completed',
  });
}

/** Something other than a request failure went wrong (a bug or a limiter fault); nothing of it is passed on. */
function internalError(): AsanaApiError {
  return new AsanaApiError({ code: 'network_error', retryable: false, detail: 'the request scheduler failed' });
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error('AuditLogClient: baseUrl is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('AuditLogClient: baseUrl must be http(s)');
  return baseUrl.replace(/\/+$/, '');
}

function checkToken(token: string): string {
  // Said without the value: this message can end up in a log.
  if (typeof token !== 'string' || token.trim() === '') throw new Error('AuditLogClient: the token is empty');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a control character in the token is what this rejects.
  if (/[\u0000-\u001f\u007f]|\s/.test(token)) throw new Error('AuditLogClient: the token contains whitespace or control characters');
  return token;
}

function checkPositive(name: string, value: number, integer = false): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`AuditLogClient: ${name} must be a positive ${integer ? 'integer' : 'number'}`);
  }
}
