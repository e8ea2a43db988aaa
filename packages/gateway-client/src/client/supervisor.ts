import { type BackoffOptions, backoffDelay } from "@missionctl/shared";
import type { GatewayError } from "../errors.js";

/** Retries of the 1013 "gateway starting" window that connect() waits through by itself. */
export const MAX_STARTING_RETRIES = 40;

/** How the client keeps a connection alive (GatewayClientOptions.reconnect, resolved). */
export interface ReconnectPolicy {
  /** Backoff between attempts after retryable failures; undefined: reconnect is off. */
  backoff: BackoffOptions | undefined;
  /**
   * Keep trying, every backoff.maxDelayMs, after errors a retry cannot fix (wrong token, origin,
   * protocol…): for a service whose operator fixes the gateway side without restarting it.
   */
  persistent: boolean;
  /** Interval of persistent retries; default backoff.maxDelayMs. */
  persistentIntervalMs?: number;
  /** While the device waits for approval, reconnect this often (each attempt keeps the request alive). */
  pairingIntervalMs: number | undefined;
}

export interface FailureContext {
  /** Failed attempts since the last hello-ok (the backoff exponent). */
  failures: number;
  /** 1013 retries since the last hello-ok or connect(). */
  startingRetries: number;
  /** Whether a connect() call is waiting for the outcome. */
  waiting: boolean;
}

/** What happens after a failed attempt or a dropped connection. */
export type NextStep =
  | { retry: false; state: "failed" | "pairing_required" }
  | {
      retry: true;
      state: "failed" | "pairing_required" | "reconnecting";
      delayMs: number;
      /** A retry of the start-up window: connect() keeps waiting instead of rejecting. */
      startingWindow: boolean;
      /** The backoff exponent moves on. */
      countsAsFailure: boolean;
    };

/** The one reconnect decision of the client; pure, so the whole policy is testable without sockets. */
export function nextStep(err: GatewayError, ctx: FailureContext, policy: ReconnectPolicy): NextStep {
  if (err.code === "PAIRING_REQUIRED") {
    return policy.pairingIntervalMs === undefined
      ? { retry: false, state: "pairing_required" }
      : {
          retry: true,
          state: "pairing_required",
          delayMs: policy.pairingIntervalMs,
          startingWindow: false,
          countsAsFailure: false,
        };
  }
  const startingWindow = err.code === "GATEWAY_STARTING" && ctx.startingRetries < MAX_STARTING_RETRIES;
  const reconnect = err.retryable && (policy.backoff !== undefined || (startingWindow && ctx.waiting));
  if (reconnect) {
    const delayMs = err.retryAfterMs ?? backoffDelay(ctx.failures, policy.backoff);
    return {
      retry: true,
      state: "reconnecting",
      delayMs,
      startingWindow,
      countsAsFailure: err.retryAfterMs === undefined,
    };
  }
  if (policy.persistent && policy.backoff) {
    const delayMs = Math.max(err.retryAfterMs ?? 0, policy.persistentIntervalMs ?? policy.backoff.maxDelayMs);
    return { retry: true, state: "failed", delayMs, startingWindow: false, countsAsFailure: false };
  }
  return { retry: false, state: "failed" };
}
