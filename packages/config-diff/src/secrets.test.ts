import { describe, expect, it } from "vitest";
import { describeSecret, isSensitiveChange, isSensitivePath, maskValue } from "./secrets.js";

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
});
