const WINDOW_MS = 60_000;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A sliding 60-second window per token. Every call is recorded, refused ones included, as Asana
 * counts a rejected call against the quota too, so a client that retries early stays throttled.
 */
export class SlidingWindowLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(private readonly perMinute: number) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError('rate limit must be a whole number of at least 1');
  }

  record(token: string, nowMs: number): RateDecision {
    let times = this.calls.get(token);
    if (!times) {
      times = [];
      this.calls.set(token, times);
    }
    let expired = 0;
    while (expired < times.length && (times[expired] as number) <= nowMs - WINDOW_MS) expired++;
    if (expired > 0) times.splice(0, expired);
    times.push(nowMs);
    if (times.length <= this.perMinute) return { allowed: true };
    // The next call fits once enough of the oldest calls have left the window.
    const mustLeave = times[times.length - this.perMinute] as number;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((mustLeave + WINDOW_MS - nowMs) / 1000)) };
  }
}
