const RELATIVE = /^-(\d+)([dhm])$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

/**
 * Turns the `start_at` arg into an absolute instant: ISO-8601, or relative to `now`
 * (`-7d`, `-12h`, `-30m`). Undefined when the text is neither.
 */
export function parseStartAt(text: string, now: Date): Date | undefined {
  const rel = RELATIVE.exec(text.trim());
  if (rel) {
    const unit = rel[2] as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[unit]);
  }
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return undefined;
  // A time without an offset means UTC: Splunk hosts run in many time zones.
  const iso = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text.trim()) ? `${text.trim()}Z` : text.trim();
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
