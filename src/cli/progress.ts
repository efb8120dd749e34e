import type { CollectSummary } from '../collector/collector.js';

type Progress = Readonly<CollectSummary> & { newest: string | null };

/**
 * Progress for a person at a terminal: one line rewritten in place on a TTY, or a line every
 * `everyMs` otherwise (so a redirected log does not fill up with one line per page).
 */
export function progressReporter(out: NodeJS.WritableStream & { isTTY?: boolean }, everyMs = 5_000, now = Date.now) {
  let last = 0;
  let shown = false;
  return {
    update(p: Progress): void {
      const t = now();
      const text = `progress: ${withThousands(p.events)} events in ${p.pages} pages, newest ${p.newest ?? 'none yet'}`;
      if (out.isTTY) {
        out.write(`\r${text}\x1b[K`);
        shown = true;
      } else if (t - last >= everyMs) {
        last = t;
        out.write(`INFO ${text}\n`);
      }
    },
    /** Clears the in-place line, so the next log line (the summary) starts on a clean one. */
    done(): void {
      if (shown) out.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** 1234567 → "1,234,567" without toLocaleString, whose first call loads ICU (~12 ms per start). */
export function withThousands(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
