import { describe, expect, it } from "vitest";
import { describeSecret, isSensitiveChange, isSensitivePath, maskValue, SecretMasker } from "./secrets.js";

describe("secrets", () => {
  it("uses OpenClaw's sensitive patterns and whitelist", () => {
    expect(isSensitivePath(["gateway", "auth", "token"])).toBe(true);
    expect(isSensitivePath(["models", "providers", "x", "apiKey"])).toBe(true);
    expect(isSensitivePath(["hooks", "webhookSecret"])).toBe(true);
    expect(isSensitivePath(["models", "providers", "x", "models", 0, "maxTokens"])).toBe(false);
    expect(isSensitivePath(["gateway", "auth", "passwordFile"])).toBe(false);
    expect(isSensitivePath(["gateway", "port"])).toBe(false);
  });
  it("masks nested secrets, SecretRef ids and URL credentials but keeps placeholders", () => {
    const v = maskValue(
      {
        apiKey: "sk-live",
        baseUrl: "https://u:pw@h/v1",
        token: "${TOK}",
        ref: { source: "env", provider: "default", id: "MY_ID" },
        n: 1,
      },
      ["models", "providers", "p"],
    );
    expect(v).toEqual({
      apiKey: "***",
      baseUrl: "https://u:***@h/v1",
      token: "${TOK}",
      ref: { source: "env", provider: "default", id: "***" },
      n: 1,
    });
  });
  it("treats SecretRef objects and their ids as sensitive", () => {
    expect(isSensitiveChange(["x", "cred"], { source: "file", id: "/a" }, undefined)).toBe(true);
    expect(isSensitiveChange(["x", "apiKey", "id"], "/a", "/b")).toBe(true);
    expect(describeSecret("${OPENCLAW_GATEWAY_TOKEN}")).toBe("placeholder ${OPENCLAW_GATEWAY_TOKEN}");
    expect(describeSecret({ source: "exec", id: "x" })).toBe("SecretRef exec:default");
  });
  it("masks by position beyond OpenClaw's patterns: tokens[], auth headers", () => {
    expect(isSensitivePath(["gateway", "auth", "tokens", 1])).toBe(true);
    expect(isSensitivePath(["x", "headers", "Authorization"])).toBe(true);
    expect(isSensitivePath(["x", "headers", "Cookie"])).toBe(true);
    expect(isSensitivePath(["agents", "defaults", "contextTokens"])).toBe(false);
    expect(
      maskValue({ tokens: ["a-secret-1", "a-secret-2"], headers: { Authorization: "Bearer x" } }, ["gateway"]),
    ).toEqual({
      tokens: ["***", "***"],
      headers: { Authorization: "***" },
    });
  });
  it("masks by value: a secret from either config wherever it reappears, URL and header credentials", () => {
    const m = new SecretMasker([
      { gateway: { auth: { token: "tok-0123456789" } } },
      { hooks: { url: "https://h/?token=hook-secret-99" }, short: { token: "on" } },
    ]);
    expect(m.isKnownSecret("tok-0123456789")).toBe(true);
    expect(m.isKnownSecret("hook-secret-99")).toBe(true);
    expect(m.isKnownSecret("on")).toBe(false); // too short to be a credential: a mode
    expect(m.maskValue({ note: "tok-0123456789", cmd: "curl -u x:tok-0123456789 h" }, ["x"])).toEqual({
      note: "***",
      cmd: "curl -u x:*** h",
    });
    expect(m.text("retry with hook-secret-99 later")).toBe("retry with *** later");
    expect(m.text("xhook-secret-99")).toBe("x***"); // at the very end, and at the start
    expect(m.text("tok-0123456789;hook-secret-99")).toBe("***;***");
    expect(m.text("hook-secret-9")).toBe("hook-secret-9"); // a prefix is not the secret
    expect(m.text("Authorization: Bearer abcdefgh")).toBe("Authorization: ***");
    expect(m.text("${OPENCLAW_GATEWAY_TOKEN}")).toBe("${OPENCLAW_GATEWAY_TOKEN}");
    expect(m.segment("tok-0123456789")).toBe("***");
    expect(m.segment("gateway")).toBe("gateway");
  });
});
