/** One page of a stream, written to the sink: where the stream stands once it is delivered. */
export interface WrittenPage<P> {
  position: P;
  /** Events the page wrote (0 for a page that only moved the cursor). */
  events: number;
  /** created_at of its newest event, for the lag figure; -Infinity when it wrote none. */
  newestMs: number;
  /** Whether the position differs from the page before: only then is a save worth it. */
  changed: boolean;
}

/**
 * A stream's pages written but not yet delivered, oldest first. The watermark is the position of
 * the newest page that is delivered together with every page before it of the same stream: the
 * only position a checkpoint may hold, because resuming from a later one would skip a page that
 * may never arrive. Deliveries settle in any order; the watermark moves only in page order.
 */
export class DeliveryWatermark<P> {
  private readonly queue: Array<{ page: WrittenPage<P>; delivered: boolean }> = [];
  private held = 0;

  constructor(
    /** Told of the pages the watermark just passed, oldest first; the last one's position is the new watermark. */
    private readonly onAdvance: (pages: WrittenPage<P>[]) => void,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /** A page written; without a delivery it counts as delivered now (it still waits for earlier pages). */
  push(page: WrittenPage<P>, delivery?: Promise<void>): void {
    const entry = { page, delivered: delivery === undefined };
    this.queue.push(entry);
    this.held += page.events;
    if (delivery === undefined) {
      this.advance();
      return;
    }
    delivery.then(
      () => {
        entry.delivered = true;
        this.advance();
      },
      (e: unknown) => this.onFailure(e),
    );
  }

  /** Events written but not yet passed by the watermark. */
  get pendingEvents(): number {
    return this.held;
  }

  get idle(): boolean {
    return this.queue.length === 0;
  }

  /** Rewrites the positions still queued (a window split shrinks what they cover). */
  mapPositions(f: (position: P) => P): void {
    for (const entry of this.queue) entry.page = { ...entry.page, position: f(entry.page.position) };
  }

  private advance(): void {
    const passed: WrittenPage<P>[] = [];
    while (this.queue[0]?.delivered) {
      const page = (this.queue.shift() as { page: WrittenPage<P> }).page;
      this.held -= page.events;
      passed.push(page);
    }
    if (passed.length > 0) this.onAdvance(passed);
  }
}
