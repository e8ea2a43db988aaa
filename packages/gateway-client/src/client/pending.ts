import { GatewayError } from "../errors.js";

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(err: GatewayError): void;
  timer?: ReturnType<typeof setTimeout>;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** The requests sent and not answered yet, each with its deadline and its caller's AbortSignal. */
export class PendingRequests {
  readonly #byId = new Map<string, Pending>();

  get size(): number {
    return this.#byId.size;
  }

  method(id: string): string | undefined {
    return this.#byId.get(id)?.method;
  }

  /** Tracks a request; it settles with its answer, at its deadline (0: none) or when `signal` aborts. */
  add(
    id: string,
    method: string,
    opts: { timeoutMs: number; signal?: AbortSignal },
    resolve: (value: unknown) => void,
    reject: (err: GatewayError) => void,
  ): void {
    const pending: Pending = { method, resolve, reject };
    const subject = `request ${method}`;
    const { timeoutMs, signal } = opts;
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      pending.timer = setTimeout(() => {
        this.settle(
          id,
          new GatewayError({ code: "REQUEST_TIMEOUT", subject, reason: `no response within ${timeoutMs} ms`, method }),
        );
      }, timeoutMs);
    }
    if (signal) {
      pending.signal = signal;
      pending.onAbort = () =>
        this.settle(
          id,
          new GatewayError({ code: "REQUEST_ABORTED", subject, reason: "aborted by the caller's signal", method }),
        );
      signal.addEventListener("abort", pending.onAbort, { once: true });
    }
    this.#byId.set(id, pending);
  }

  /** Resolves (no error) or rejects one request; a second settle of the same id does nothing. */
  settle(id: string, err: GatewayError | undefined, value?: unknown): boolean {
    const p = this.#byId.get(id);
    if (!p) return false;
    this.#byId.delete(id);
    if (p.timer) clearTimeout(p.timer);
    if (p.signal && p.onAbort) p.signal.removeEventListener("abort", p.onAbort);
    if (err) p.reject(err);
    else p.resolve(value);
    return true;
  }

  /** Rejects every request with the error `make` builds for its method. */
  rejectAll(make: (method: string) => GatewayError): void {
    for (const [id, p] of [...this.#byId]) this.settle(id, make(p.method));
  }
}
