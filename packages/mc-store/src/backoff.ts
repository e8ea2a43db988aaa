import { backoffDelay } from "@missionctl/shared";

export interface BackoffOptions {
  /** Delay before the second attempt. Default 1 s. */
  baseDelayMs?: number;
  /** Upper bound of any delay. Default 5 min. */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay before the next attempt after `attempts` failed ones: the monorepo's one backoff
 * (@missionctl/shared) with "equal jitter" (half fixed, half random), so workers that failed
 * together do not retry together, yet never retry at once.
 */
export function computeBackoffMs(attempts: number, options: BackoffOptions = {}): number {
  return backoffDelay(
    attempts - 1,
    { initialDelayMs: options.baseDelayMs ?? 1_000, maxDelayMs: options.maxDelayMs ?? 300_000, jitter: "equal" },
    options.random,
  );
}
