import { describe, expect, it } from "vitest";
import { compilePointerGlob, getAt, parsePointer, toDotted, toPointer } from "./pointer.js";

describe("pointers", () => {
  it("encodes RFC 6901 escapes both ways", () => {
    expect(toPointer(["a/b", "c~d", 0])).toBe("/a~1b/c~0d/0");
    expect(parsePointer("/a~1b/c~0d/0")).toEqual(["a/b", "c~d", "0"]);
  });
  it("prints the dotted form OpenClaw uses", () => {
    expect(toDotted(["gateway", "controlUi", "allowedOrigins", 0])).toBe("gateway.controlUi.allowedOrigins[0]");
    expect(toDotted(["headers", "X Team"])).toBe('headers["X Team"]');
  });
  it("reads values by segments", () => {
    expect(getAt({ a: [{ b: 1 }] }, ["a", 0, "b"])).toEqual({ found: true, value: 1 });
    expect(getAt({ a: [] }, ["a", 0]).found).toBe(false);
  });
  it("matches globs with *, ** and prefix semantics", () => {
    expect(compilePointerGlob("/meta/**").matches("/meta")).toBe(true);
    expect(compilePointerGlob("/meta/**").matches("/meta/migrations/x")).toBe(true);
    expect(compilePointerGlob("/meta/**").matches("/metadata")).toBe(false);
    expect(compilePointerGlob("/models/providers/*/apiKey").matches("/models/providers/main/apiKey")).toBe(true);
    expect(compilePointerGlob("/models/providers/*/apiKey").matches("/models/providers/main/baseUrl")).toBe(false);
    expect(compilePointerGlob("/gateway/auth").matches("/gateway/auth/rateLimit/maxAttempts")).toBe(true);
    expect(compilePointerGlob("/**/token").matches("/gateway/remote/token")).toBe(true);
    expect(compilePointerGlob("/a/b*").matches("/a/bcd")).toBe(true);
    expect(() => compilePointerGlob("gateway.auth")).toThrow(/starts with "\/"/);
  });
});
