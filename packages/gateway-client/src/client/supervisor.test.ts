import { describe, expect, it } from "vitest";
import { GatewayError, type GatewayErrorCode } from "../errors.js";
import { MAX_STARTING_RETRIES, nextStep, type ReconnectPolicy } from "./supervisor.js";

const err = (code: GatewayErrorCode, extra: { retryAfterMs?: number; retryable?: boolean } = {}) =>
  new GatewayError({ code, subject: "connect to ws://h", reason: "r", ...extra });
const backoff = { initialDelayMs: 500, maxDelayMs: 30_000 };
const on: ReconnectPolicy = { backoff, persistent: false, pairingIntervalMs: undefined };
const off: ReconnectPolicy = { backoff: undefined, persistent: false, pairingIntervalMs: undefined };
const ctx = { failures: 0, startingRetries: 0, waiting: true };

describe("reconnect policy", () => {
  it("retries retryable failures with backoff, honouring retryAfterMs", () => {
    const step = nextStep(err("CONNECTION_REFUSED"), ctx, on);
    expect(step).toMatchObject({ retry: true, state: "reconnecting", countsAsFailure: true, startingWindow: false });
    expect(nextStep(err("GATEWAY_STARTING", { retryAfterMs: 500 }), ctx, on)).toMatchObject({
      retry: true,
      delayMs: 500,
      startingWindow: true,
      countsAsFailure: false,
    });
  });

  it("stops on what a retry cannot fix, unless persistent (then every maxDelayMs, state failed)", () => {
    expect(nextStep(err("AUTH_TOKEN_MISMATCH"), ctx, on)).toEqual({ retry: false, state: "failed" });
    expect(nextStep(err("AUTH_TOKEN_MISMATCH"), ctx, { ...on, persistent: true })).toMatchObject({
      retry: true,
      state: "failed",
      delayMs: 30_000,
    });
    // A short backoff for a quick return after a restart; errors a human fixes retried slowly.
    const service = {
      backoff: { initialDelayMs: 500, maxDelayMs: 5_000 },
      persistent: true,
      persistentIntervalMs: 30_000,
    };
    expect(nextStep(err("AUTH_TOKEN_MISMATCH"), ctx, { ...service, pairingIntervalMs: undefined })).toMatchObject({
      retry: true,
      delayMs: 30_000,
    });
    const refused = nextStep(
      err("CONNECTION_REFUSED"),
      { ...ctx, failures: 12 },
      { ...service, pairingIntervalMs: undefined },
    );
    expect(refused).toMatchObject({ retry: true, state: "reconnecting" });
    expect((refused as { delayMs: number }).delayMs).toBeLessThanOrEqual(5_000);
  });

  it("waits through the start-up window for connect() even with reconnect off, within a bound", () => {
    expect(nextStep(err("GATEWAY_STARTING", { retryAfterMs: 500 }), ctx, off)).toMatchObject({ retry: true });
    expect(nextStep(err("GATEWAY_STARTING", { retryAfterMs: 500 }), { ...ctx, waiting: false }, off).retry).toBe(false);
    const spent = { ...ctx, startingRetries: MAX_STARTING_RETRIES };
    expect(nextStep(err("GATEWAY_STARTING", { retryAfterMs: 500 }), spent, off).retry).toBe(false);
  });

  it("pairing required: waits for the caller, or polls at pairingIntervalMs in state pairing_required", () => {
    expect(nextStep(err("PAIRING_REQUIRED"), ctx, on)).toEqual({ retry: false, state: "pairing_required" });
    expect(nextStep(err("PAIRING_REQUIRED"), ctx, { ...on, pairingIntervalMs: 5_000 })).toMatchObject({
      retry: true,
      state: "pairing_required",
      delayMs: 5_000,
    });
  });
});
