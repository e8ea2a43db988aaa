import { describe, expect, it } from "vitest";
import { diffConfigs } from "../diff-configs.js";
import { liveFromConfigGet, loadGatewaySource } from "./gateway.js";

// Payload shapes recorded from openclaw 2026.9.6 `config.get` (values shortened).
const applied = {
  path: "/state/openclaw.json",
  exists: true,
  parsed: {
    gateway: {
      mode: "local",
      auth: { mode: "token", token: "${OPENCLAW_GATEWAY_TOKEN}" },
      remote: { token: "__OPENCLAW_REDACTED__" },
    },
  },
  valid: true,
  issues: [],
  legacyIssues: [],
  hash: "hmac-sha256:v1:file",
  configRevisionHash: "hmac-sha256:v1:rev-1",
  appliedConfigHash: "hmac-sha256:v1:rev-1",
};
const invalid = {
  path: "/state/openclaw.json",
  exists: true,
  raw: null,
  parsed: null,
  valid: false,
  issues: [{ path: "gateway.controlUi", message: 'Unrecognized key: "allowInsecureAuth"' }],
  legacyIssues: [],
  hash: "hmac-sha256:v1:file-2",
  configRevisionHash: null,
  appliedConfigHash: "hmac-sha256:v1:rev-1",
};

describe("live gateway source", () => {
  it("an applied, valid file compares its parsed content; redacted secrets are unverifiable", () => {
    const live = liveFromConfigGet(applied, "gateway:ws://h");
    expect(live.live).toMatchObject({ valid: true, applied: true });
    const r = diffConfigs(
      {
        gateway: { mode: "local", auth: { mode: "token", token: "${OPENCLAW_GATEWAY_TOKEN}" }, remote: { token: "x" } },
      },
      live,
    );
    expect(r.summary).toMatchObject({ drift: 0, unverifiable: 1, liveMismatch: false });
  });
  it("an invalid file: the gateway runs its last good config, and nothing else is claimed", () => {
    const live = liveFromConfigGet(invalid, "gateway:ws://h");
    expect(live.live?.message).toMatch(/^the gateway is running its last good config, not this file/);
    const r = diffConfigs({ gateway: { mode: "local" } }, live);
    expect(r.changes).toEqual([]);
    expect(r.live?.issues).toEqual(invalid.issues);
    expect(r.exitCode).toBe(1);
  });
  it("a valid revision not yet applied is also reported", () => {
    const live = liveFromConfigGet({ ...applied, configRevisionHash: "hmac-sha256:v1:rev-2" }, "gateway:ws://h");
    expect(live.live).toMatchObject({ valid: true, applied: false });
    expect(live.live?.message).toMatch(/not applied yet/);
  });
  it("uses an injected client, closes it, and wraps its errors without secrets", async () => {
    let closed = 0;
    const ok = await loadGatewaySource("gateway:ws://127.0.0.1:1", {
      client: { connect: async () => ({}), request: async <T>() => applied as T, close: async () => void closed++ },
    });
    expect(ok.kind).toBe("gateway");
    const failing = loadGatewaySource("gateway:ws://127.0.0.1:1", {
      token: "tok-SECRET",
      client: {
        connect: async () => {
          throw Object.assign(new Error("x"), { code: "AUTH_TOKEN_MISMATCH", hint: "check OPENCLAW_GATEWAY_TOKEN" });
        },
        request: async <T>() => ({}) as T,
        close: async () => void closed++,
      },
    });
    await expect(failing).rejects.toThrow(
      "[config-diff] gateway:ws://127.0.0.1:1: cannot read config.get: AUTH_TOKEN_MISMATCH — check OPENCLAW_GATEWAY_TOKEN",
    );
    expect(closed).toBe(2);
    await expect(loadGatewaySource("gateway:http://x")).rejects.toMatchObject({ code: "INVALID_OPTIONS" });
  });
});
