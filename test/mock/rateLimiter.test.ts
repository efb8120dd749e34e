import assert from 'node:assert/strict';
import { SlidingWindowLimiter } from '../../src/mock/rateLimiter.js';

describe('mock sliding-window rate limiter', () => {
  it('allows the limit within any 60 s, then asks to wait until the oldest needed call leaves the window', () => {
    const limiter = new SlidingWindowLimiter(2);
    assert.deepEqual(limiter.record('t', 0), { allowed: true });
    assert.deepEqual(limiter.record('t', 10_000), { allowed: true });
    assert.deepEqual(limiter.record('t', 20_000), { allowed: false, retryAfterSeconds: 50 });
    assert.deepEqual(limiter.record('t', 60_000), { allowed: false, retryAfterSeconds: 20 }, 'the refused call counted');
    assert.deepEqual(limiter.record('t', 80_001), { allowed: true });
  });

  it('keeps a separate window per token', () => {
    const limiter = new SlidingWindowLimiter(1);
    assert.equal(limiter.record('a', 0).allowed, true);
    assert.equal(limiter.record('b', 0).allowed, true);
    assert.equal(limiter.record('a', 1).allowed, false);
  });
});
