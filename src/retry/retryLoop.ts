import pRetry from 'p-retry';
import { CodedError } from '../errors/codedError.js';
import { decide, type FailureKind, failureKind, type RetryPolicy } from './retryPolicy.js';

export interface RetryLoopOptions {
  policy: RetryPolicy;
  /** Multiplies every wait; tests use e.g. 0.001. */
  timeScale: number;
  /** Source of jitter, a number in [0, 1). */
  random: () => number;
  /** What anything thrown that is not a CodedError is reported as (a bug: it is not retried). */
  unexpected: (e: unknown) => CodedError;
  /** Whether the caller was closed: then nothing is retried. */
  closed: () => boolean;
  /**
   * Waits the (scaled) delay before the next attempt, and throws if the caller was closed
   * meanwhile. The Asana client waits out throttling at its shared gate instead of here.
   */
  wait: (kind: FailureKind, ms: number) => Promise<void>;
  /** Told of each retry, the `attempt`-th failure of its kind, before the wait. */
  onRetry?: (error: CodedError, kind: FailureKind, attempt: number, waitMs: number) => void;
  /** Told of the failure that ends the loop. */
  onGiveUp?: (error: CodedError, kind: FailureKind) => void;
}

/**
 * Runs `attempt` until it succeeds or the policy says stop, then throws the last CodedError.
 * p-retry runs the attempts; the policy (data, see retryPolicy.ts) decides whether and how long
 * to wait, because only it knows Retry-After and the separate budget for throttling.
 */
export async function withRetries<T>(attempt: () => Promise<T>, opts: RetryLoopOptions): Promise<T> {
  const failures: Record<FailureKind, number> = { rate_limit: 0, transient: 0, fatal: 0 };
  let retry = false;
  return pRetry(
    () =>
      attempt().catch((e: unknown) => {
        throw e instanceof CodedError ? e : opts.unexpected(e);
      }),
    {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      onFailedAttempt: async ({ error: e }) => {
        const error = e as CodedError;
        const kind = failureKind(error);
        const decision = decide(error, ++failures[kind], opts.policy, opts.random);
        retry = decision.retry && !opts.closed();
        if (!retry) {
          opts.onGiveUp?.(error, kind);
          return;
        }
        const waitMs = decision.delayMs * opts.timeScale;
        opts.onRetry?.(error, kind, failures[kind], waitMs);
        await opts.wait(kind, waitMs);
      },
      shouldRetry: () => retry,
    },
  );
}
