/**
 * The tick watchdog: the gateway sends a frame at least every `policy.tickIntervalMs` (a `tick`
 * event when idle); twice that without any frame means the link or the gateway stalled.
 */
export class TickWatchdog {
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastFrameAt = 0;

  /** Any inbound frame counts as a sign of life. */
  seen(): void {
    this.#lastFrameAt = Date.now();
  }

  start(tickIntervalMs: number, onSilence: (silentForMs: number) => void): void {
    this.stop();
    const limit = 2 * tickIntervalMs;
    this.#timer = setInterval(
      () => {
        const silentFor = Date.now() - this.#lastFrameAt;
        if (silentFor > limit) onSilence(silentFor);
      },
      Math.max(20, Math.min(Math.floor(tickIntervalMs / 2), 5_000)),
    );
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
