import { describe, expect, it } from "vitest";
import { configInput, diffConfigs } from "./diff-configs.js";
import { toJsonPatch } from "./render/json-patch.js";

describe("diffConfigs", () => {
  it("reports the reference deployment's drift and nothing else", () => {
    const src = {
      gateway: {
        controlUi: {
          allowedOrigins: ["https://javisi.ewutelo.cloud", "https://mc.ewutelo.cloud"],
          allowInsecureAuth: true,
        },
      },
    };
    const rt = {
      gateway: { controlUi: { allowedOrigins: [], allowInsecureAuth: true } },
      meta: { lastTouchedVersion: "2026.9.6" },
    };
    const r = diffConfigs(src, rt);
    expect(r.changes.filter((c) => c.disposition === "drift").map((c) => [c.kind, c.pointer, c.before])).toEqual([
      ["removed", "/gateway/controlUi/allowedOrigins/0", "https://javisi.ewutelo.cloud"],
      ["removed", "/gateway/controlUi/allowedOrigins/1", "https://mc.ewutelo.cloud"],
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.rules.find((x) => x.pattern === "/meta/**")?.suppressed).toBe(1);
  });
  it("treats the redaction sentinel as unverifiable and --fail-on unverifiable fails", () => {
    const src = { gateway: { auth: { token: "abc" } } };
    const rt = { gateway: { auth: { token: "__OPENCLAW_REDACTED__" } } };
    const r = diffConfigs(src, rt);
    expect(r.summary).toMatchObject({ drift: 0, unverifiable: 1 });
    expect(r.exitCode).toBe(0);
    expect(diffConfigs(src, rt, { failOn: ["unverifiable"] }).exitCode).toBe(1);
  });
  it("env modes: literal compares as written, resolve substitutes, presence tolerates placeholder vs literal", () => {
    const src = { models: { providers: { p: { baseUrl: "${BASE}/v1" } } } };
    const rt = { models: { providers: { p: { baseUrl: "https://x/v1" } } } };
    expect(diffConfigs(src, rt).summary.drift).toBe(1);
    expect(diffConfigs(src, rt, { envMode: "resolve", env: { BASE: "https://x" } }).summary.drift).toBe(0);
    const missing = diffConfigs(src, rt, { envMode: "resolve", env: {} });
    expect(missing.summary).toMatchObject({ drift: 0, unverifiable: 1 });
    expect(missing.changes[0]!.note).toContain("BASE");
    expect(diffConfigs(src, rt, { envMode: "presence" }).summary).toMatchObject({ drift: 0, unverifiable: 1 });
  });
  it("never shows a resolved env value, only the placeholder as written", () => {
    const r = diffConfigs(
      { logging: { file: "${DIR}/a.log" } },
      { logging: { file: "/other/a.log" } },
      { envMode: "resolve", env: { DIR: "/private-dir" } },
    );
    expect(JSON.stringify(r)).not.toContain("/private-dir");
    expect(r.changes[0]!.before).toBe("${DIR}/a.log");
  });
  it("applies user ignores, per-path array order and counts suppressions", () => {
    const src = { gateway: { trustedProxies: ["a", "b"], auth: { rateLimit: { maxAttempts: 1 } } } };
    const rt = { gateway: { trustedProxies: ["b", "a"], auth: { rateLimit: { maxAttempts: 2 } } } };
    const r = diffConfigs(src, rt, {
      ignore: ["/gateway/auth/rateLimit"],
      arrays: { "/gateway/trustedProxies": "ordered" },
    });
    expect(r.changes.map((c) => [c.pointer, c.disposition])).toEqual([
      ["/gateway/auth/rateLimit/maxAttempts", "ignored"],
      ["/gateway/trustedProxies/0", "drift"],
      ["/gateway/trustedProxies/1", "drift"],
    ]);
    expect(r.rules.find((x) => x.origin === "flag")).toMatchObject({
      pattern: "/gateway/auth/rateLimit",
      suppressed: 1,
    });
  });
  it("reports normalized rewrites instead of drift", () => {
    const r = diffConfigs({ gateway: { bind: "0.0.0.0" } }, { gateway: { bind: "lan" } });
    expect(r.changes).toMatchObject([
      { pointer: "/gateway/bind", disposition: "normalized", rule: "bind-host-alias", before: "0.0.0.0", after: "lan" },
    ]);
    expect(r.exitCode).toBe(0);
    expect(
      diffConfigs({ gateway: { bind: "0.0.0.0" } }, { gateway: { bind: "lan" } }, { normalize: false }).summary.drift,
    ).toBe(1);
  });
  it("a live source that runs its last good config fails even without changes", () => {
    const live = {
      valid: false,
      applied: false,
      issues: [{ path: "gateway.controlUi", message: 'Unrecognized key: "x"' }],
      legacyIssues: [],
      message: "the gateway is running its last good config, not this file",
    };
    const r = diffConfigs({}, configInput({}, "gateway:ws://h", "gateway", live));
    expect(r.summary.liveMismatch).toBe(true);
    expect(r.exitCode).toBe(1);
  });
  it("json-patch turns the source into the runtime and masks values", () => {
    const src = { a: { list: ["x", "y"] }, gone: 1, token: "s3cret" };
    const rt = { a: { list: ["y", "z"] }, token: "other", extra: { nested: { apiKey: "k3y", n: 1 } } };
    const ops = toJsonPatch(diffConfigs(src, rt));
    expect(ops).toEqual([
      { op: "remove", path: "/a/list/0" },
      { op: "remove", path: "/gone" },
      { op: "replace", path: "/token", value: "***" },
      { op: "add", path: "/a/list/-", value: "z" },
      { op: "add", path: "/extra", value: { nested: { apiKey: "***", n: 1 } } },
    ]);
  });
});
