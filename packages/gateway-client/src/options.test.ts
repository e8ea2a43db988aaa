import { describe, expect, it } from "vitest";
import { GatewayClient } from "./client.js";
import { optionsIssue, optionsSchema as optionsSchemaForTests } from "./options.js";
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

describe("optionsIssue", () => {
  // The schema as one object: what optionsIssue must agree with while it checks only the set keys.
  const whole = (opts: Record<string, unknown>) => {
    const {
      identity: _i,
      deviceTokenStore: _d,
      logger: _l,
      lifecycle: _h,
      ...rest
    } = opts as Record<string, unknown> & {
      identity?: unknown;
      deviceTokenStore?: unknown;
      logger?: unknown;
      lifecycle?: unknown;
    };
    const parsed = optionsSchemaForTests.safeParse(rest);
    if (parsed.success) return undefined;
    const issue = parsed.error.issues[0]!;
    return { path: issue.path.join(".") || "options", message: issue.message };
  };
  const cases: Record<string, unknown>[] = [
    {},
    { url: "" },
    { url: 42 },
    { url: "ws://127.0.0.1:1" },
    { url: "ws://127.0.0.1:1", clientId: "mission-control" },
    { url: "ws://127.0.0.1:1", scopes: ["operator.read", ""] },
    { url: "ws://127.0.0.1:1", scopes: "operator.read" },
    { url: "ws://127.0.0.1:1", origin: "not a url" },
    { url: "ws://127.0.0.1:1", reconnect: { initialDelayMs: -1 } },
    { url: "ws://127.0.0.1:1", tls: { servername: 3 } },
    { url: "ws://127.0.0.1:1", headers: { a: 1 } },
    { url: "ws://127.0.0.1:1", clientMode: "server", clientId: "nope" },
    { url: "ws://127.0.0.1:1", token: "", password: "" },
    { url: "ws://127.0.0.1:1", somethingNew: true, lifecycle: {}, logger: () => {} },
    // Set keys out of the schema's order: the first problem is still the schema's first.
    { clientMode: "server", scopes: ["operator.read"], url: "ws://127.0.0.1:1", clientId: "nope" },
    { displayName: "", url: "ws://127.0.0.1:1", token: "" },
    { reconnect: false, origin: "https://mc.example.com", url: "ws://127.0.0.1:1", clientId: "gateway-client" },
    { url: undefined, token: "t" },
  ];
  it("reports the same first problem as parsing the whole options object", () => {
    for (const c of cases) expect(optionsIssue(c), JSON.stringify(c)).toEqual(whole(c));
  });
});
