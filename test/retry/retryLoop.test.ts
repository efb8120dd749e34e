import assert from 'node:assert/strict';
import { AsanaApiError } from '../../src/asana/asanaApiError.js';
import { CodedError } from '../../src/errors/codedError.js';
import { withRetries, type RetryLoopOptions } from '../../src/retry/retryLoop.js';
import { type FailureKind, resolveRetryPolicy } from '../../src/retry/retryPolicy.js';
import { classifyHecFailure } from '../../src/sinks/hec/classifyHecResponse.js';
import { HecError } from '../../src/sinks/hec/hecErrors.js';

const policy = resolveRetryPolicy({
  maxRetries: 2,
  baseDelayMs: 100,
  backoffFactor: 2,
  maxDelayMs: 1_000,
  jitter: 0,
  maxRateLimitRetries: 1,
  defaultRetryAfterMs: 500,
  maxRetryAfterMs: 5_000,
});

/** Replays `script` (an error to throw, or a value to return) one entry per attempt, recording each wait. */
function replay<T>(script: Array<unknown>, overrides: Partial<RetryLoopOptions> = {}) {
  const waits: Array<{ kind: FailureKind; ms: number }> = [];
  let attempts = 0;
  const run = withRetries(
    async () => {
      const next = script[attempts++];
      if (next instanceof Error) throw next;
      return next as T;
    },
    {
      policy,
      timeScale: 0.01,
      random: () => 0.5,
      unexpected: () => new CodedError('internal_error'),
      closed: () => false,
      wait: async (kind, ms) => {
        waits.push({ kind, ms });
      },
      ...overrides,
    },
  );
  return { run, waits, attempts: () => attempts };
}

describe('retry loop (shared by the Asana client and the HEC sink)', () => {
  it('backs off transient failures by the policy, scaled by the time base, then returns the value', async () => {
    const r = replay<string>([new AsanaApiError({ code: 'server_error', retryable: true }), new HecError({ code: 'hec_timeout', retryable: true }), 'page']);
    assert.equal(await r.run, 'page');
    assert.deepEqual(r.waits, [
      { kind: 'transient', ms: 1 },
      { kind: 'transient', ms: 2 },
    ]);
  });

  it('waits exactly the Retry-After of a throttling answer, from Asana or from HEC alike', async () => {
    const asana = replay([new AsanaApiError({ code: 'rate_limited', retryable: true, retryAfterSeconds: 3 }), 'ok']);
    assert.equal(await asana.run, 'ok');
    const hec = replay([classifyHecFailure(503, '{"text":"Server is busy","code":9}', 3, (t) => t), 'ok']);
    assert.equal(await hec.run, 'ok');
    assert.deepEqual(asana.waits, [{ kind: 'rate_limit', ms: 30 }]);
    assert.deepEqual(hec.waits, asana.waits);
  });

  it('backs off a busy HEC that names no Retry-After, as before', async () => {
    const r = replay([classifyHecFailure(503, '{"text":"Server is busy","code":9}', undefined, (t) => t), 'ok']);
    assert.equal(await r.run, 'ok');
    assert.deepEqual(r.waits, [{ kind: 'transient', ms: 1 }]);
  });

  it('throws the last error once the budget of its kind is spent', async () => {
    const busy = () => new HecError({ code: 'hec_busy', retryable: true });
    const r = replay([busy(), busy(), busy(), 'never']);
    await assert.rejects(r.run, (e: unknown) => e instanceof HecError && e.code === 'hec_busy');
    assert.equal(r.attempts(), 3);
  });

  it('never retries a failure that is not retryable, nor anything once closed', async () => {
    const fatal = replay([new AsanaApiError({ code: 'unauthorized', retryable: false }), 'never']);
    await assert.rejects(fatal.run, { code: 'unauthorized' });
    assert.equal(fatal.attempts(), 1);
    const closed = replay([new AsanaApiError({ code: 'server_error', retryable: true }), 'never'], { closed: () => true });
    await assert.rejects(closed.run, { code: 'server_error' });
    assert.equal(closed.attempts(), 1);
  });

  it('reports anything thrown without a code as the caller says, without retrying it', async () => {
    const r = replay([new TypeError('a bug'), 'never']);
    await assert.rejects(r.run, { code: 'internal_error' });
    assert.equal(r.attempts(), 1);
  });
});
