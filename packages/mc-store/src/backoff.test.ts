import { describe, expect, it } from "vitest";
import { computeBackoffMs } from "./backoff.js";

describe("computeBackoffMs", () => {
  it("doubles per attempt within [half, full] of the exponential delay", () => {
    expect(computeBackoffMs(1, { random: () => 0 })).toBe(500);
    expect(computeBackoffMs(1, { random: () => 0.999999 })).toBe(1000);
    expect(computeBackoffMs(3, { random: () => 0 })).toBe(2000);
    expect(computeBackoffMs(3, { random: () => 0.999999 })).toBe(4000);
  });

  it("is capped", () => {
    expect(computeBackoffMs(50, { random: () => 0.999999, maxDelayMs: 60_000 })).toBe(60_000);
    expect(computeBackoffMs(1_000)).toBeLessThanOrEqual(300_000);
  });

  it("spreads workers that failed together", () => {
    const delays = new Set(Array.from({ length: 20 }, () => computeBackoffMs(5)));
    expect(delays.size).toBeGreaterThan(1);
  });
});
