import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { scratchDirs } from "../../../tests/scratch-dir.js";
import { parseJson5, readStdinBounded, resolveIncludes } from "./load.js";

const scratch = scratchDirs();

describe("parseJson5", () => {
  it("parses comments, unquoted keys and trailing commas", () => {
    expect(parseJson5("// c\n{ a: 1, b: [2,], }", "f")).toEqual({ a: 1, b: [2] });
  });
  it("names file:line:col and never echoes the text", () => {
    let err: Error | undefined;
    try {
      parseJson5('{\n  token: "s3cr3t-value" x\n}', "/etc/openclaw.json");
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(/^\[config-diff\] \/etc\/openclaw\.json:2:\d+: invalid JSON5 syntax — /);
    expect(err?.message).not.toContain("s3cr3t");
    expect(err).toMatchObject({ code: "PARSE_ERROR", line: 2 });
  });
});

describe("resolveIncludes (OpenClaw rules)", () => {
  const dir = scratch("cd-inc-");
  const cfg = join(dir, "openclaw.json");
  writeFileSync(join(dir, "a.json5"), "{ list: [1], obj: { x: 1 }, s: 'a' }");
  writeFileSync(join(dir, "b.json5"), "{ list: [2], obj: { y: 2 }, s: 'b' }");
  it("replaces, deep-merges arrays of includes (arrays concatenate) and applies siblings last", () => {
    const v = resolveIncludes(
      { one: { $include: "./a.json5" }, many: { $include: ["./a.json5", "./b.json5"], s: "sib" } },
      { configPath: cfg },
    );
    expect(v).toEqual({
      one: { list: [1], obj: { x: 1 }, s: "a" },
      many: { list: [1, 2], obj: { x: 1, y: 2 }, s: "sib" },
    });
  });
  it("refuses paths outside the config directory, symlink escapes and cycles", () => {
    expect(() => resolveIncludes({ $include: "../x.json5" }, { configPath: cfg })).toThrow(
      /escapes the config directory/,
    );
    const outside = scratch("cd-out-");
    writeFileSync(join(outside, "o.json5"), "{}");
    symlinkSync(join(outside, "o.json5"), join(dir, "link.json5"));
    expect(() => resolveIncludes({ $include: "./link.json5" }, { configPath: cfg })).toThrow(/symlink/);
    writeFileSync(join(dir, "loop.json5"), "{ $include: './loop.json5' }");
    expect(() => resolveIncludes({ $include: "./loop.json5" }, { configPath: cfg })).toThrow(/circular include/);
  });
  it("stops at depth 10", () => {
    const d = scratch("cd-depth-");
    mkdirSync(d, { recursive: true });
    for (let i = 0; i < 12; i++) writeFileSync(join(d, `l${i}.json5`), `{ $include: './l${i + 1}.json5' }`);
    writeFileSync(join(d, "l12.json5"), "{ end: true }");
    expect(() => resolveIncludes({ $include: "./l0.json5" }, { configPath: join(d, "openclaw.json") })).toThrow(
      /maximum include depth \(10\)/,
    );
    expect(resolveIncludes({ $include: "./l3.json5" }, { configPath: join(d, "openclaw.json") })).toEqual({
      end: true,
    });
  });
});

describe("bounded standard input", () => {
  it("reads what is piped, refuses more than the cap, gives up on a silent pipe", async () => {
    const ok = new PassThrough();
    const p = readStdinBounded(ok, { maxBytes: 64, timeoutMs: 5_000 });
    ok.end('{"a":1}');
    expect(await p).toBe('{"a":1}');
    const big = new PassThrough();
    const q = readStdinBounded(big, { maxBytes: 8, timeoutMs: 5_000 });
    big.write("0123456789");
    await expect(q).rejects.toMatchObject({ code: "FILE_TOO_LARGE" });
    expect(big.destroyed).toBe(true);
    const silent = new PassThrough();
    await expect(readStdinBounded(silent, { maxBytes: 8, timeoutMs: 50 })).rejects.toMatchObject({
      code: "READ_TIMEOUT",
      message: expect.stringContaining("<stdin>: could not be read within 50 ms"),
    });
  });
  it("a config nested too deep is INPUT_TOO_DEEP, whether JSON5 can parse it or not", () => {
    expect(() => parseJson5(`${"[".repeat(200)}${"]".repeat(200)}`, "f")).toThrow(
      expect.objectContaining({ code: "INPUT_TOO_DEEP" }),
    );
    expect(() => parseJson5(`${"[".repeat(200_000)}${"]".repeat(200_000)}`, "f")).toThrow(
      expect.objectContaining({ code: "INPUT_TOO_DEEP" }),
    );
  });
});
