import { describe, expect, it } from "vitest";
import { encodeRequestFrame, MAX_PARAMS_DEPTH, nestsDeeperThan } from "./encode.js";

const nested = (n: number) => JSON.parse(`${"[".repeat(n)}${"]".repeat(n)}`);

describe("request frames", () => {
  it("measures depth without recursion, also a million levels deep", () => {
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: {} }] }, 3)).toBe(true);
    expect(nestsDeeperThan(nested(1_000_000), MAX_PARAMS_DEPTH)).toBe(true);
    expect(nestsDeeperThan("text", 0)).toBe(false);
  });

  it("refuses params too deep or not serialisable with INVALID_OPTIONS, not a RangeError", () => {
    expect(() => encodeRequestFrame("1", "health", nested(1_000_000))).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", message: expect.stringContaining("nest deeper than 128") }),
    );
    expect(() => encodeRequestFrame("1", "health", { n: 1n })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", message: expect.stringContaining("cannot be serialised") }),
    );
    expect(JSON.parse(encodeRequestFrame("7", "health", undefined))).toEqual({
      type: "req",
      id: "7",
      method: "health",
    });
  });
});
