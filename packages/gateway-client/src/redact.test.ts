import { describe, expect, it } from "vitest";
import { REDACTED, redactUrl } from "./redact.js";

describe("redactUrl", () => {
  it("removes userinfo and secret query parameters, keeps the rest", () => {
    expect(redactUrl("wss://admin:hunter2@gw.example.com/ws?token=abc&room=1&apikey=k")).toBe(
      `wss://gw.example.com/ws?token=${encodeURIComponent(REDACTED)}&room=1&apikey=${encodeURIComponent(REDACTED)}`,
    );
    expect(redactUrl("ws://127.0.0.1:18789")).toBe("ws://127.0.0.1:18789/");
    expect(redactUrl("not a url")).toBe("<unparsable url>");
  });

  it("redacts a URL object the same way without changing it", () => {
    const raw = "wss://admin:hunter2@gw.example.com/ws?token=abc&room=1";
    const url = new URL(raw);
    expect(redactUrl(url)).toBe(redactUrl(raw));
    expect(url.href).toBe(raw);
    const plain = new URL("ws://127.0.0.1:18789/");
    expect(redactUrl(plain)).toBe("ws://127.0.0.1:18789/");
  });
});
