/**
 * What survives of a failed HTTP call: the library's error code and whether our deadline fired.
 * The library's error object itself is dropped on purpose: it carries the request's headers,
 * Authorization included.
 */
export class TransportFailure {
  constructor(
    readonly errno: string | undefined,
    readonly deadlineExceeded: boolean,
  ) {}
}

/**
 * HTTP calls with a whole-request deadline (connect, headers and body) that a close can abort
 * all at once. Shared by the Asana client and the HEC sink.
 */
export class DeadlineRequests {
  private readonly controllers = new Set<AbortController>();

  constructor(private readonly timeoutMs: number) {}

  /** Runs `send` with a signal that fires at the deadline or on `abortAll`; fails only with a TransportFailure. */
  async run<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.controllers.add(controller);
    let deadlineExceeded = false;
    const deadline = setTimeout(() => {
      deadlineExceeded = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      return await send(controller.signal);
    } catch (e) {
      throw new TransportFailure(errorCodeOf(e), deadlineExceeded);
    } finally {
      clearTimeout(deadline);
      this.controllers.delete(controller);
    }
  }

  abortAll(): void {
    for (const controller of this.controllers) controller.abort();
  }
}

/** A Node or library error code (`ECONNRESET`, `ERR_TLS_CERT_ALTNAME_INVALID`, ...), own or of its cause. */
export function errorCodeOf(e: unknown): string | undefined {
  const own = codeProperty(e);
  if (own !== undefined) return own;
  return typeof e === 'object' && e !== null ? codeProperty((e as { cause?: unknown }).cause) : undefined;
}

function codeProperty(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
