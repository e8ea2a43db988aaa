import { describe, expect, it } from "vitest";
import { hasPlaceholder, parseEnvFile, placeholderNames, resolveEnv, substitute } from "./env.js";
import { toPointer } from "./pointer.js";

describe("env placeholders (OpenClaw rules)", () => {
  it("matches only uppercase names and honours the $${VAR} escape", () => {
    expect(placeholderNames("${A_1}/x/${lower}/$${ESC}")).toEqual(["A_1"]);
    expect(hasPlaceholder("$${ESC}")).toBe(false);
    expect(substitute("${BASE}/v1 $${BASE}", { BASE: "https://x" })).toEqual({
      value: "https://x/v1 ${BASE}",
      missing: [],
    });
  });
  it("leaves a missing or empty variable visible and reports it", () => {
    expect(substitute("${NOPE}-${EMPTY}", { EMPTY: "" })).toEqual({
      value: "${NOPE}-${EMPTY}",
      missing: ["NOPE", "EMPTY"],
    });
    const r = resolveEnv({ a: ["${X}", "${Y}"] }, { X: "1" }, toPointer);
    expect(r.value).toEqual({ a: ["1", "${Y}"] });
    expect([...r.unresolved]).toEqual(["/a/1"]);
  });
  it("parses dotenv files and names the bad line without its content", () => {
    expect(parseEnvFile("# c\nexport A=\"x y\"\nB=plain # comment\nC='q'\n", "f")).toEqual({
      A: "x y",
      B: "plain",
      C: "q",
    });
    expect(() => parseEnvFile("A=1\nsecret-value-here\n", ".env")).toThrow(
      /^\[config-diff\] \.env:2: expected KEY=VALUE/,
    );
    try {
      parseEnvFile("secret-value-here", ".env");
    } catch (e) {
      expect((e as Error).message).not.toContain("secret-value-here");
    }
  });
});
