import type { HecTransport } from './hecTransport.js';

/** How a wait for one ack id ended. */
export type AckOutcome = 'indexed' | 'timed_out';

interface Waiter {
  deadline: number;
  resolve: (outcome: AckOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * One HEC channel's outstanding ack ids and the one poll loop that asks about all of them at
 * once: HEC forgets an id once it has reported it true, so each id is asked about until it is
 * true or its deadline passes. Polls start `first` ms apart and back off to `max` while nothing
 * turns true.
 */
export class AckChannel {
  private readonly waiters = new Map<number, Waiter>();
  private polling = false;
  /** Batches given this channel and not yet done with it: sending, or waiting for their ack. */
  assigned = 0;

  constructor(
    readonly id: string,
    private readonly transport: HecTransport,
    private readonly poll: { first: number; max: number; timeScale: number },
    /** A poll failed for good (after retries): every batch of the sink fails with it. */
    private readonly onPollFailure: (error: unknown) => void,
  ) {}

  /** Ack ids being waited for. */
  get pending(): number {
    return this.waiters.size;
  }

  /** Resolves once `ackId` is indexed, or with 'timed_out' when `timeoutMs` (already scaled) passes first. */
  wait(ackId: number, timeoutMs: number): Promise<AckOutcome> {
    return new Promise<AckOutcome>((resolve, reject) => {
      this.waiters.set(ackId, { deadline: Date.now() + timeoutMs, resolve, reject });
      if (!this.polling) void this.loop();
    });
  }

  /** Ends every wait with `error` (the sink stopped). */
  failAll(error: unknown): void {
    const waiting = [...this.waiters.values()];
    this.waiters.clear();
    for (const w of waiting) w.reject(error);
  }

  private async loop(): Promise<void> {
    this.polling = true;
    let interval = this.poll.first;
    try {
      while (this.waiters.size > 0) {
        await this.transport.sleep(interval * this.poll.timeScale);
        if (this.waiters.size === 0) break;
        const acks = await this.transport.queryAcks(this.id, [...this.waiters.keys()]);
        let any = false;
        for (const [id, w] of [...this.waiters]) {
          if (acks[String(id)] === true) {
            any = true;
            this.waiters.delete(id);
            w.resolve('indexed');
          }
        }
        const now = Date.now();
        for (const [id, w] of [...this.waiters]) {
          if (now < w.deadline) continue;
          this.waiters.delete(id);
          w.resolve('timed_out');
        }
        interval = any ? this.poll.first : Math.min(this.poll.max, interval * 2);
      }
    } catch (e) {
      this.onPollFailure(e);
      this.failAll(e);
    } finally {
      this.polling = false;
    }
  }
}
