export interface BackoffOptions {
  /** The delay cap of the first retry; it doubles per attempt. */
  initialDelayMs: number;
  /** The cap of every delay. */
  maxDelayMs: number;
  /**
   * "full" (default): uniform in [initial/2, cap], so a fleet of clients that lost the same
   * gateway does not come back in lockstep; the floor keeps a client from spinning. "equal":
   * half fixed, half random, for workers whose retries must never come at once.
   */
  jitter?: "full" | "equal";
}

/** The gateway client's reconnect backoff: 0.5 s doubling up to 30 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 500, maxDelayMs: 30_000 };

/**
 * The one backoff of the monorepo: the delay before retry number `attempt` (0 = the first),
 * exponential (initial · 2^attempt) up to maxDelayMs, with jitter. `random` is injectable for tests.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const cap = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  if (opts.jitter === "equal") return Math.round(cap / 2 + (cap / 2) * random());
  return Math.max(Math.floor(opts.initialDelayMs / 2), Math.round(random() * cap));
}
