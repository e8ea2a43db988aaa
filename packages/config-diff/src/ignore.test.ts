import { describe, expect, it } from "vitest";
import { compileRules, matchIgnore, parseIgnoreFile } from "./ignore.js";

describe("ignore rules", () => {
  it("last match wins and ! un-ignores", () => {
    const rules = compileRules([{ pattern: "/gateway/auth/**" }, { pattern: "!/gateway/auth/token" }], "flag");
    expect(matchIgnore(rules, "/gateway/auth/rateLimit/x")?.pattern).toBe("/gateway/auth/**");
    expect(matchIgnore(rules, "/gateway/auth/token")).toBeUndefined();
  });
  it("validates the ignore file with precise messages", () => {
    expect(
      parseIgnoreFile("ignore:\n  - /meta/**\n  - pointer: /x\n    reason: y\narrays:\n  /a: ordered\n", "f.yaml"),
    ).toEqual({
      ignore: ["/meta/**", { pointer: "/x", reason: "y" }],
      arrays: { "/a": "ordered" },
    });
    expect(() => parseIgnoreFile("ignore:\n  - gateway.auth\nbogus: 1\n", ".config-diff.yaml")).toThrow(
      /\.config-diff\.yaml: invalid ignore file: .*(bogus|ignore\.0)/,
    );
    expect(() => parseIgnoreFile("ignore: [\n", "y.yaml")).toThrow(/y\.yaml:\d+:\d+: invalid YAML/);
  });
});
