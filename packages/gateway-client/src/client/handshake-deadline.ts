/**
 * The handshake's deadlines — the socket must open (TCP, TLS, upgrade), then the challenge must
 * come, then the answer to `connect` — on one timer. Each phase sets its own deadline from its
 * start; a timer already armed is kept when it fires no later than the new deadline and, on
 * firing early, waits out what is left. With the default timeouts (10 s, 10 s, 30 s) a connect
 * arms one timer instead of three (ws's socket timeout for the upgrade, then one per phase): each
 * of them was created and cleared on every connect's critical path.
 */
export class HandshakeDeadline {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #firesAt = 0;
  #deadline = 0;
  #onExpire: (() => void) | undefined;

  /** From now, `ms` for the current phase; `onExpire` runs if it passes first. Replaces the previous phase's. */
  set(ms: number, onExpire: () => void): void {
    const now = Date.now();
    this.#deadline = now + ms;
    this.#onExpire = onExpire;
    if (this.#timer !== undefined && this.#firesAt <= this.#deadline) return;
    this.#arm(ms, now);
  }

  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#onExpire = undefined;
  }

  #arm(ms: number, now: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#firesAt = now + ms;
    this.#timer = setTimeout(() => this.#fire(), ms);
  }

  #fire(): void {
    this.#timer = undefined;
    const now = Date.now();
    const left = this.#deadline - now;
    if (left > 0) {
      this.#arm(left, now);
      return;
    }
    const onExpire = this.#onExpire;
    this.#onExpire = undefined;
    onExpire?.();
  }
}
