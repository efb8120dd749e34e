/**
 * Retry-After in seconds, from either form HTTP allows: delay-seconds or an HTTP date.
 * Undefined when absent or unreadable, so the policy's default applies.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  // A bare number that is not a plain non-negative decimal (e.g. "-5", "1e3") is not a date either.
  if (/^[-+.\deE]+$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - nowMs) / 1000);
}
