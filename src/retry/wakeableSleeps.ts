/**
 * Sleeps that a close can cut short: a client waiting out a backoff or a Retry-After must not
 * keep a stopping process alive. After `wakeAll`, every sleep resolves at once.
 */
export class WakeableSleeps {
  private readonly sleepers = new Set<() => void>();
  private woken = false;

  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  wakeAll(): void {
    this.woken = true;
    for (const wake of this.sleepers) wake();
  }
}
