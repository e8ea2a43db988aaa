import { describe, expect, it } from "vitest";
import { sanitizeForTerminal } from "./terminal-text.js";

describe("sanitizeForTerminal", () => {
  it("turns the window-title and erase-line sequences into visible text", () => {
    const out = sanitizeForTerminal("\u001b]0;pwned\u0007ok\u001b[2K");
    expect(out).toBe("\\u001b]0;pwned\\u0007ok\\u001b[2K");
    expect([...out].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false);
  });

  it("escapes DEL, C1 controls (8-bit CSI), line separators and bidi overrides", () => {
    expect(sanitizeForTerminal("a\u007fb\u009b2Jc\u2028d\u202egnp.exe")).toBe(
      "a\\u007fb\\u009b2Jc\\u2028d\\u202egnp.exe",
    );
  });

  it("keeps tabs; keeps line feeds only for multiline text; a carriage return never survives", () => {
    expect(sanitizeForTerminal("a\tb\nc\rd")).toBe("a\tb\\u000ac\\u000dd");
    expect(sanitizeForTerminal("a\tb\nc\rd", { multiline: true })).toBe("a\tb\nc\\u000dd");
  });

  it("is idempotent and keeps JSON valid", () => {
    const json = JSON.stringify({ name: "x\u009by" });
    const once = sanitizeForTerminal(json, { multiline: true });
    expect(sanitizeForTerminal(once, { multiline: true })).toBe(once);
    expect(JSON.parse(once)).toEqual({ name: "x\u009by" });
  });
});
