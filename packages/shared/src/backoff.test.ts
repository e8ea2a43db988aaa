import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

// Moved from gateway-client's options.test.ts with the backoff it tests.
describe("backoff", () => {
  it("grows exponentially from 0.5 s with full jitter and caps at 30 s", () => {
    expect(backoffDelay(0, undefined, () => 1)).toBe(500);
    expect(backoffDelay(3, undefined, () => 1)).toBe(4000);
    expect(backoffDelay(20, undefined, () => 1)).toBe(30_000);
    expect(backoffDelay(20, undefined, () => 0)).toBe(250);
    const samples = Array.from({ length: 200 }, () => backoffDelay(6));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...samples)).toBeLessThanOrEqual(30_000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });
});

describe("backoff with equal jitter", () => {
  it("is half fixed, half random (mc-store's outbox retries)", () => {
    const o = { initialDelayMs: 1_000, maxDelayMs: 300_000, jitter: "equal" as const };
    expect(backoffDelay(0, o, () => 0)).toBe(500);
    expect(backoffDelay(0, o, () => 0.999999)).toBe(1000);
    expect(backoffDelay(2, o, () => 0)).toBe(2000);
    expect(backoffDelay(40, { ...o, maxDelayMs: 60_000 }, () => 0.999999)).toBe(60_000);
  });
});
