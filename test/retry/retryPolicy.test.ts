import assert from 'node:assert/strict';
import { AsanaApiError, type AsanaErrorCode } from '../../src/asana/asanaApiError.js';
import { DEFAULT_RETRY_POLICY, backoffMs, decide, resolveRetryPolicy, type RetryPolicy } from '../../src/retry/retryPolicy.js';

const policy: RetryPolicy = resolveRetryPolicy({
  maxRetries: 3,
  baseDelayMs: 100,
  backoffFactor: 2,
  maxDelayMs: 300,
  jitter: 0.5,
  maxRateLimitRetries: 2,
  defaultRetryAfterMs: 7_000,
  maxRetryAfterMs: 60_000,
});

function err(code: AsanaErrorCode, retryable: boolean, retryAfterSeconds?: number): AsanaApiError {
  return new AsanaApiError({ code, retryable, retryAfterSeconds });
}

describe('retry policy', () => {
  it('backs off exponentially up to the cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoffMs(n, policy)),
      [100, 200, 300, 300, 300],
    );
  });

  it('shaves at most the jitter share off the backoff, using the injected random source', () => {
    const server = err('server_error', true);
    assert.deepEqual(
      decide(server, 2, policy, () => 0),
      { retry: true, delayMs: 200 },
    );
    assert.deepEqual(
      decide(server, 2, policy, () => 0.5),
      { retry: true, delayMs: 150 },
    );
    const nearlyOne = decide(server, 2, policy, () => 0.999999).delayMs;
    assert.ok(nearlyOne > 100 && nearlyOne < 101, String(nearlyOne));
  });

  it('stops retrying transient failures after maxRetries', () => {
    const timeout = err('timeout', true);
    assert.equal(decide(timeout, 3, policy, () => 0).retry, true);
    assert.deepEqual(
      decide(timeout, 4, policy, () => 0),
      { retry: false, delayMs: 0 },
    );
  });

  it('never retries a non-retryable error', () => {
    for (const code of ['unauthorized', 'forbidden', 'tls_error', 'invalid_response'] as const) {
      assert.deepEqual(
        decide(err(code, false), 1, policy, () => 0),
        { retry: false, delayMs: 0 },
        code,
      );
    }
  });

  it('waits exactly the Retry-After on a 429, without jitter', () => {
    assert.deepEqual(
      decide(err('rate_limited', true, 12), 1, policy, () => 0.7),
      { retry: true, delayMs: 12_000 },
    );
    assert.deepEqual(decide(err('rate_limited', true, 0.25), 1, policy), { retry: true, delayMs: 250 });
  });

  it('falls back to the default wait when a 429 has no Retry-After', () => {
    assert.deepEqual(decide(err('rate_limited', true), 1, policy), { retry: true, delayMs: 7_000 });
  });

  it('gives up on a 429 after maxRateLimitRetries or when the wait is longer than maxRetryAfterMs', () => {
    assert.equal(decide(err('rate_limited', true, 1), 2, policy).retry, true);
    assert.equal(decide(err('rate_limited', true, 1), 3, policy).retry, false);
    assert.equal(decide(err('rate_limited', true, 61), 1, policy).retry, false);
  });

  it('defaults to a handful of retries spread over one to two minutes', () => {
    const d = DEFAULT_RETRY_POLICY;
    assert.ok(d.maxRetries >= 3 && d.maxRetries <= 8);
    let longest = 0;
    let shortest = 0;
    for (let n = 1; n <= d.maxRetries; n++) {
      longest += backoffMs(n, d);
      shortest += backoffMs(n, d) * (1 - d.jitter);
    }
    assert.ok(longest >= 60_000 && longest <= 120_000, `longest ${longest}`);
    assert.ok(shortest >= 30_000, `shortest ${shortest}`);
  });

  it('rejects a nonsensical policy when it is resolved, not on first failure', () => {
    assert.throws(() => resolveRetryPolicy({ maxRetries: -1 }));
    assert.throws(() => resolveRetryPolicy({ jitter: 2 }));
    assert.throws(() => resolveRetryPolicy({ baseDelayMs: Number.NaN }));
    assert.deepEqual(resolveRetryPolicy({ maxRetries: undefined }), { ...DEFAULT_RETRY_POLICY });
  });
});
