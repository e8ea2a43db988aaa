import { describe, expect, it } from "vitest";
import { GatewayClient } from "./client.js";
import { redact } from "./redact.js";

describe("options", () => {
  it("validates client id/mode against the gateway's enums before sending anything", () => {
    expect(() => new GatewayClient({ url: "ws://127.0.0.1:1", clientId: "mission-control" })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", hint: expect.stringContaining("gateway-client") }),
    );
    expect(() => new GatewayClient({ url: "ws://127.0.0.1:1", clientMode: "server" })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS" }),
    );
    expect(() => new GatewayClient({ url: "ws://127.0.0.1:1", minProtocol: 5, maxProtocol: 4 })).toThrow(/minProtocol/);
    expect(() => new GatewayClient({ url: "ws://127.0.0.1:1", tls: { fingerprint: "nope" } })).toThrow(/fingerprint/);
    expect(new GatewayClient({ url: "ws://127.0.0.1:1", clientId: "cli", clientMode: "cli" }).state).toBe("idle");
  });
});

describe("redact", () => {
  it("replaces auth, tokens, passwords and signatures at any depth", () => {
    const frame = {
      type: "req",
      method: "connect",
      params: {
        auth: { token: "t1" },
        device: { signature: "s1", id: "dev" },
        x: [{ password: "p1" }, { deviceToken: "d1" }],
      },
    };
    const out = JSON.stringify(redact(frame));
    expect(out).not.toMatch(/t1|s1|p1|d1/);
    expect(out).toContain('"id":"dev"');
    expect(frame.params.auth.token).toBe("t1");
  });
});
