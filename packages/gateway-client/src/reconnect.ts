export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 500, maxDelayMs: 30_000 };

/**
 * "Full jitter" exponential backoff: a uniform delay in [0, min(max, initial · 2^attempt)], so a
 * fleet of clients that lost the same gateway does not come back in lockstep. The floor of
 * initial/2 keeps a client from spinning when the random draw is near zero.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const cap = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.max(Math.floor(opts.initialDelayMs / 2), Math.round(random() * cap));
}
