import { describe, expect, it } from "vitest";
import { isSecretHeaderName, redactSecretsInText, secretsInText } from "./redact-text.js";

describe("redactSecretsInText", () => {
  it("masks URL credentials and secret-named parameters, keeps the rest of the URL", () => {
    expect(redactSecretsInText("wss://mc:hunter22@gw.example.org:8443/ws?token=abc123&room=main#x")).toBe(
      "wss://mc:***@gw.example.org:8443/ws?token=***&room=main#x",
    );
    expect(redactSecretsInText("https://ghp_0123456789abcdef@github.com/o/r.git")).toBe(
      "https://***@github.com/o/r.git",
    );
    expect(redactSecretsInText("ssh://git@github.com/o/r")).toBe("ssh://git@github.com/o/r");
    expect(redactSecretsInText("see https://h/cb#access_token=xyz&state=1 now")).toBe(
      "see https://h/cb#access_token=***&state=1 now",
    );
    expect(redactSecretsInText("https://h/?api_key=k1&X-Amz-Signature=s2&page=2")).toBe(
      "https://h/?api_key=***&X-Amz-Signature=***&page=2",
    );
    expect(redactSecretsInText("http://127.0.0.1:18789/")).toBe("http://127.0.0.1:18789/");
    expect(redactSecretsInText("ws://h:1?deviceToken=d&bootstrapToken=b&password=p&lang=en")).toBe(
      "ws://h:1?deviceToken=***&bootstrapToken=***&password=***&lang=en",
    );
  });

  it("masks auth header values and credentials after an auth scheme", () => {
    expect(redactSecretsInText("Authorization: Bearer eyJhbGciOi.payload.sig")).toBe("Authorization: ***");
    expect(redactSecretsInText("curl -H 'X-Api-Key: k-123456789' url")).toBe("curl -H 'X-Api-Key: ***");
    expect(redactSecretsInText("Bearer sk-live-0123456789")).toBe("Bearer ***");
    expect(redactSecretsInText("Basic dXNlcjpwYXNzd29yZA==")).toBe("Basic ***");
    expect(redactSecretsInText("a Bearer of news")).toBe("a Bearer of news");
  });

  it("lists the credentials it masks, and names auth headers", () => {
    expect(secretsInText("wss://u:p%40ss@h/?token=t0k&x=1 Authorization: Bearer abcdefgh1234").sort()).toEqual(
      ["Bearer abcdefgh1234", "abcdefgh1234", "p@ss", "t0k"].sort(),
    );
    for (const h of ["Authorization", "proxy-authorization", "Cookie", "X-API-Key"])
      expect(isSecretHeaderName(h)).toBe(true);
    expect(isSecretHeaderName("Content-Type")).toBe(false);
  });
});
