import type { EventStore } from './store.js';

interface Pending {
  visibleAtMs: number;
  event: object;
}

/**
 * Events that Asana shows late: each waits here until the clock reaches its visibility time, then
 * joins the store in its created_at place. The store orders by (created_at, arrival), like a keyset,
 * so an event that joins behind an offset already handed out is invisible to the stream that holds
 * that offset; only a request that starts at or before its created_at sees it.
 */
export class LateArrivals {
  /** Ordered by visibility time, then by scheduling order. */
  private readonly pending: Pending[] = [];

  get size(): number {
    return this.pending.length;
  }

  /** `event` must carry created_at; it becomes visible at `visibleAtMs`. */
  schedule(event: object, visibleAtMs: number): void {
    let i = this.pending.length;
    while (i > 0 && (this.pending[i - 1] as Pending).visibleAtMs > visibleAtMs) i--;
    this.pending.splice(i, 0, { visibleAtMs, event });
  }

  /** Moves every event visible at `nowMs` into the store; returns how many moved. */
  release(nowMs: number, store: EventStore): number {
    let n = 0;
    while (n < this.pending.length && (this.pending[n] as Pending).visibleAtMs <= nowMs) {
      store.add((this.pending[n] as Pending).event);
      n++;
    }
    if (n > 0) this.pending.splice(0, n);
    return n;
  }
}
