import { describe, expect, it } from "vitest";
import { editDistance, loadConfig } from "./config.js";
import { McServerError } from "./errors.js";

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const { config, warnings } = loadConfig({ HOME: "/home/mc" });
    expect(config).toMatchObject({
      port: 4000,
      host: "127.0.0.1",
      identityDir: "/home/mc/.mission-control/identity",
      logLevel: "info",
      gatewayScopes: ["operator.read", "operator.write"],
      gatewayClientId: "gateway-client",
      gatewayClientMode: "backend",
    });
    expect(config.gatewayUrl).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("names the variable a typo probably meant", () => {
    const { warnings } = loadConfig({ MC_API_TOKN: "x", OPENCLAW_GATEWAY_TOKNE: "y", OPENCLAW_STATE_DIR: "/s" });
    expect(warnings.map((w) => [w.variable, w.suggestion])).toEqual([
      ["MC_API_TOKN", "MC_API_TOKEN"],
      ["OPENCLAW_GATEWAY_TOKNE", "OPENCLAW_GATEWAY_TOKEN"],
    ]);
    expect(warnings[0]!.message).toBe("unknown variable MC_API_TOKN is ignored — did you mean MC_API_TOKEN?");
  });

  it("warns that DATABASE_URL is not read and points at DATABASE_PATH", () => {
    const { warnings } = loadConfig({ DATABASE_URL: "sqlite:///var/lib/mc.db" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ variable: "DATABASE_URL", suggestion: "DATABASE_PATH" });
  });

  it("refuses to listen beyond loopback without MC_API_TOKEN", () => {
    let err: unknown;
    try {
      loadConfig({ HOST: "0.0.0.0" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(McServerError);
    expect((err as McServerError).code).toBe("CONFIG_UNSAFE_BIND");
    expect((err as McServerError).message).toMatch(/^\[mc-server\] HOST=0\.0\.0\.0: .* — set MC_API_TOKEN/);
    expect(loadConfig({ HOST: "0.0.0.0", MC_API_TOKEN: "a-long-enough-token-123" }).config.host).toBe("0.0.0.0");
    expect(loadConfig({ HOST: "::1" }).config.host).toBe("::1");
  });

  it("rejects invalid values naming the variable and never echoing a secret", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadConfig({ OPENCLAW_GATEWAY_URL: "http://gw:18789" })).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => loadConfig({ MC_GATEWAY_SCOPES: "operator.read,operator.everything" })).toThrow(/MC_GATEWAY_SCOPES/);
    try {
      loadConfig({ MC_API_TOKEN: "short-secret" });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/MC_API_TOKEN.*16 characters/);
      expect((e as Error).message).not.toContain("short-secret");
    }
  });

  it("parses opt-in scopes and client identity", () => {
    const { config } = loadConfig({
      MC_GATEWAY_SCOPES: "operator.read, operator.write,operator.pairing",
      MC_GATEWAY_CLIENT_ID: "cli",
      MC_GATEWAY_CLIENT_MODE: "cli",
    });
    expect(config.gatewayScopes).toEqual(["operator.read", "operator.write", "operator.pairing"]);
    expect(config.gatewayClientId).toBe("cli");
  });

  it("edit distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("refuses credentials in OPENCLAW_GATEWAY_URL and ws:// to a public host, without echoing them", () => {
    for (const url of [
      "wss://gw.example.org/?token=s3cr3t-1",
      "ws://127.0.0.1:1/?password=s3cr3t-2",
      "wss://u:s3cr3t-3@h",
    ]) {
      let err: McServerError | undefined;
      try {
        loadConfig({ OPENCLAW_GATEWAY_URL: url });
      } catch (e) {
        err = e as McServerError;
      }
      expect(err).toMatchObject({ code: "CONFIG_INVALID", variable: "OPENCLAW_GATEWAY_URL" });
      expect(err!.message).toMatch(/carries a credential/);
      expect(err!.message).not.toContain("s3cr3t");
      expect(err!.hint).toMatch(/OPENCLAW_GATEWAY_TOKEN/);
    }
    expect(() => loadConfig({ OPENCLAW_GATEWAY_URL: "ws://gw.example.org" })).toThrow(/wss:\/\//);
    expect(loadConfig({ OPENCLAW_GATEWAY_URL: "ws://127.0.0.1:18789" }).config.gatewayUrl).toBe("ws://127.0.0.1:18789");
  });

  it("parses MC_ALLOWED_HOSTS and MC_REQUEST_TIMEOUT_MS; origins are plain origins", () => {
    const { config } = loadConfig({ MC_ALLOWED_HOSTS: "mc.example.org, ops.example.org:8443" });
    expect(config.allowedHosts).toEqual([{ host: "mc.example.org" }, { host: "ops.example.org", port: 8443 }]);
    expect(config.requestTimeoutMs).toBe(30_000);
    expect(() => loadConfig({ MC_ALLOWED_HOSTS: "mc.example.org,*" })).toThrow(/MC_ALLOWED_HOSTS entry 2 wildcards/);
    expect(() => loadConfig({ MC_ALLOWED_ORIGINS: "https://u:p@mc.example.org" })).toThrow(/credentials/);
    expect(() => loadConfig({ OPENCLAW_GATEWAY_ORIGIN: "https://mc.example.org/app" })).toThrow(/must be an origin/);
  });
});
