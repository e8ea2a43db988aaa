export interface BackoffOptions {
  /** Delay before the second attempt. Default 1 s. */
  baseDelayMs?: number;
  /** Upper bound of any delay. Default 5 min. */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay before the next attempt after `attempts` failed ones: exponential
 * (base · 2^(attempts-1)), capped, with "equal jitter" (half fixed, half random)
 * so workers that failed together do not retry together, yet never retry at once.
 */
export function computeBackoffMs(attempts: number, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 300_000;
  const random = options.random ?? Math.random;
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  const capped = Math.min(max, base * 2 ** exponent);
  return Math.round(capped / 2 + (capped / 2) * random());
}
