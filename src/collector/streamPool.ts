import type { Stream } from './stream.js';

export interface StreamPoolOptions {
  /** Streams drained at the same time; a requested split holds a slot until it is applied. */
  concurrency: number;
  stopping: () => boolean;
  /** Drains one stream; never rejects (the caller records failures and makes `stopping` true). */
  run: (s: Stream) => Promise<void>;
  /** The running window worth splitting for an idle slot, if any. */
  pickSplit: (running: readonly Stream[]) => Stream | undefined;
}

/**
 * Runs streams up to `concurrency` at once, in the order given: windows oldest first, the live
 * stream, then the re-read of late events (so with one stream at a time the re-read starts once
 * the live stream is caught up). When a slot idles and nothing waits, it asks the slowest window
 * (never the live stream or the re-read) to split in two; the window's own loop applies the split
 * and adds the new half here. `finished` resolves once nothing runs and nothing waits, or on a stop.
 */
export class StreamPool {
  readonly finished: Promise<void>;
  private readonly queue: Stream[];
  private readonly running = new Set<Stream>();
  /** Slots reserved by split requests not yet applied or declined. */
  private splitsPending = 0;
  private finish!: () => void;

  constructor(
    streams: readonly Stream[],
    private readonly opts: StreamPoolOptions,
  ) {
    this.queue = streams.slice();
    this.finished = new Promise<void>((resolve) => (this.finish = resolve));
  }

  /** Fills free slots: with waiting streams, else with split requests. */
  schedule(): void {
    while (!this.opts.stopping() && this.running.size + this.splitsPending < this.opts.concurrency) {
      const next = this.queue.shift();
      if (next) {
        this.running.add(next);
        void this.opts.run(next).then(() => {
          this.running.delete(next);
          this.schedule();
        });
        continue;
      }
      const slow = this.opts.pickSplit([...this.running].filter((s) => !s.live && !s.reread && s.split === 'none'));
      if (slow === undefined) break;
      slow.split = 'requested';
      this.splitsPending++;
    }
    if (this.running.size === 0 && (this.queue.length === 0 || this.opts.stopping())) this.finish();
  }

  /** Queues a stream split off a window. */
  add(s: Stream): void {
    this.queue.push(s);
  }

  /** A split request was applied or declined: its slot is free again. */
  releaseSplit(s: Stream, outcome: 'none' | 'declined'): void {
    s.split = outcome;
    this.splitsPending--;
  }
}
