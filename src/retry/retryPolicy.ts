import { z } from 'zod';
import type { CodedError } from '../errors/codedError.js';
import { PARSED_RARELY } from '../model/parseOptions.js';

/**
 * How the Asana client and the HEC sink answer failures, kept as data so an input's settings or
 * a test can change it without touching the retry loop (retryLoop.ts). Delays are in real
 * milliseconds; the loop multiplies them by its `timeScale`.
 */
export const retryPolicySchema = z.object({
  /** Retries of transient failures (5xx, timeouts, resets, unreadable bodies) for one page. */
  maxRetries: z.number().int().min(0),
  baseDelayMs: z.number().min(0),
  backoffFactor: z.number().min(1),
  maxDelayMs: z.number().min(0),
  /** Share of each backoff delay that is random: 0 none, 1 anywhere between 0 and the delay. */
  jitter: z.number().min(0).max(1),
  /** 429 answers waited out for one page; they do not use up `maxRetries`. */
  maxRateLimitRetries: z.number().int().min(0),
  /** Wait after a 429 that carries no usable Retry-After. */
  defaultRetryAfterMs: z.number().min(0),
  /**
   * A longer Retry-After is not waited out in this process: the run stops with `rate_limited`
   * and the next scheduled run resumes from the checkpoint, instead of holding splunkd's child.
   */
  maxRetryAfterMs: z.number().min(0),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/** Transient failures: about 1 to 1.5 minutes in all (2+4+8+16+32+32 s, up to half shaved off by jitter). */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 6,
  baseDelayMs: 2_000,
  backoffFactor: 2,
  maxDelayMs: 32_000,
  jitter: 0.5,
  maxRateLimitRetries: 10,
  defaultRetryAfterMs: 30_000,
  maxRetryAfterMs: 300_000,
});

/** Merges overrides onto the defaults; a nonsensical value (negative, NaN) throws here, at start-up. */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return retryPolicySchema.parse({ ...DEFAULT_RETRY_POLICY, ...defined }, PARSED_RARELY);
}

export interface RetryDecision {
  retry: boolean;
  /** Wait before the next attempt, in real (unscaled) milliseconds. */
  delayMs: number;
}

/** Throttling (429) is counted apart from other failures: waiting as asked is always right, within limits. */
export type FailureKind = 'rate_limit' | 'transient' | 'fatal';

export function failureKind(error: CodedError): FailureKind {
  if (!error.retryable) return 'fatal';
  return error.throttled ? 'rate_limit' : 'transient';
}

/** How long a throttling answer asks everyone sharing the token to hold off, in real milliseconds. */
export function rateLimitWaitMs(error: CodedError, policy: RetryPolicy): number {
  const asked = error.retryAfterMs;
  return asked !== undefined && Number.isFinite(asked) && asked >= 0 ? asked : policy.defaultRetryAfterMs;
}

/** Backoff for the n-th transient failure (1-based), before jitter. */
export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const raw = policy.baseDelayMs * policy.backoffFactor ** Math.max(0, attempt - 1);
  return Math.min(policy.maxDelayMs, raw);
}

/**
 * Whether to try again after `error`, the `attempt`-th failure of its kind (see `failureKind`)
 * for this page, and how long to wait first. `random` returns a number in [0, 1).
 */
export function decide(error: CodedError, attempt: number, policy: RetryPolicy, random: () => number = Math.random): RetryDecision {
  switch (failureKind(error)) {
    case 'fatal':
      return { retry: false, delayMs: 0 };
    case 'rate_limit': {
      const wait = rateLimitWaitMs(error, policy);
      const retry = attempt <= policy.maxRateLimitRetries && wait <= policy.maxRetryAfterMs;
      return { retry, delayMs: retry ? wait : 0 };
    }
    case 'transient': {
      if (attempt > policy.maxRetries) return { retry: false, delayMs: 0 };
      const full = backoffMs(attempt, policy);
      const r = Math.min(Math.max(random(), 0), 1);
      return { retry: true, delayMs: full * (1 - policy.jitter * r) };
    }
  }
}
