/**
 * Writes chunks to a stream and resolves only once the operating system has the bytes and the
 * stream has drained: callers save a checkpoint right after, so claiming success early would
 * lose events if the process died. The first write error (such as EPIPE) fails that write and
 * every later one.
 */
export class FlushedWriter {
  private failure: Error | undefined;
  // Kept on for the writer's whole life: an 'error' with no listener would crash the process
  // instead of failing the write that caused it.
  private readonly onStreamError = (err: Error) => {
    this.failure ??= err;
  };

  constructor(private readonly out: NodeJS.WritableStream) {
    out.on('error', this.onStreamError);
  }

  /** Stops listening to the stream; it stays open, since it belongs to the caller. */
  detach(): void {
    this.out.off('error', this.onStreamError);
  }

  send(chunk: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const out = this.out;
    return new Promise<void>((resolve, reject) => {
      let flushed = false;
      let drained = true;
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        out.off('drain', onDrain);
        out.off('error', onError);
        out.off('close', onClose);
        if (err) {
          this.failure ??= err;
          reject(err);
        } else resolve();
      };
      const onDrain = () => {
        drained = true;
        if (flushed) settle();
      };
      const onError = (err: Error) => settle(err);
      const onClose = () => (flushed ? settle() : settle(new Error('the output closed before the events were flushed')));
      out.on('error', onError);
      out.on('close', onClose);
      const ok = out.write(chunk, (err?: Error | null) => {
        if (err) return settle(err);
        flushed = true;
        if (drained) settle();
      });
      if (!ok) {
        drained = false;
        out.on('drain', onDrain);
      }
    });
  }
}
