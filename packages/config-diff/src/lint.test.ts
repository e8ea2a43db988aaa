import { describe, expect, it } from "vitest";
import { LINT_OPENCLAW_VERSION, lintConfig } from "./lint.js";

describe("lintConfig", () => {
  it("flags allowInsecureAuth as a config-invalidating key with the fix", () => {
    const f = lintConfig({ gateway: { controlUi: { allowInsecureAuth: true, allowedOrigins: [] } } }, "source");
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      pointer: "/gateway/controlUi/allowInsecureAuth",
      severity: "error",
      rule: "removed-key",
    });
    expect(f[0]!.message).toMatch(/last good config/);
    expect(f[0]!.fix).toMatch(/remove gateway\.controlUi\.allowInsecureAuth/);
  });
  it("warns about inert dangerouslyDisableDeviceAuth", () => {
    const f = lintConfig({ gateway: { controlUi: { dangerouslyDisableDeviceAuth: true } } }, "runtime");
    expect(f.map((x) => [x.rule, x.severity])).toEqual([["inert-key", "warning"]]);
  });
  it("reports unknown keys against the vendored schema of the pinned OpenClaw", () => {
    expect(LINT_OPENCLAW_VERSION).toBe("2026.9.6");
    const f = lintConfig(
      {
        $schema: "x",
        gateway: { prot: 1, auth: { mode: "token", tokn: "x" } },
        models: { providers: { any: { baseUrl: "u" } } },
      },
      "source",
    );
    expect(f.map((x) => x.pointer)).toEqual(["/gateway/prot", "/gateway/auth/tokn"]);
    expect(f[0]!.message).toContain('Unrecognized key "prot"');
  });
  it("accepts a config the real gateway accepts", () => {
    const ok = {
      gateway: {
        mode: "local",
        bind: "loopback",
        port: 1,
        auth: { mode: "token", token: "${T}" },
        controlUi: { allowedOrigins: ["http://x"] },
        trustedProxies: ["127.0.0.1"],
      },
      meta: { lastTouchedVersion: "2026.9.6" },
      logging: { file: "/tmp/x" },
      agents: { defaults: { heartbeat: { every: "0m" } } },
    };
    expect(lintConfig(ok, "runtime")).toEqual([]);
  });
});
