import { describe, expect, it } from "vitest";
import { checkGatewayUrl, isPrivateHost } from "./url-policy.js";

describe("URL policy", () => {
  it("allows ws:// to loopback, private, CGNAT, link-local, ULA, .local and .ts.net", () => {
    for (const h of [
      "127.0.0.1",
      "localhost",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.1",
      "192.168.1.10",
      "100.64.0.1",
      "100.127.1.1",
      "169.254.1.1",
      "[::1]",
      "[fd12::1]",
      "[fe80::1]",
      "nas.local",
      "gw.tail1234.ts.net",
    ]) {
      expect(() => checkGatewayUrl(`ws://${h}:18789`), h).not.toThrow();
    }
  });
  it("refuses ws:// to public hosts unless allowInsecureWs", () => {
    for (const h of ["8.8.8.8", "172.32.0.1", "100.128.0.1", "gateway.example.com", "[2001:db8::1]"]) {
      expect(() => checkGatewayUrl(`ws://${h}`), h).toThrow(expect.objectContaining({ code: "INSECURE_URL" }));
    }
    expect(() => checkGatewayUrl("ws://gateway.example.com", { allowInsecureWs: true })).not.toThrow();
    expect(() => checkGatewayUrl("wss://gateway.example.com")).not.toThrow();
  });
  it("refuses a credential in the URL without echoing it", () => {
    for (const u of [
      "wss://gw.example.com/?token=abc123",
      "ws://127.0.0.1:1/?password=abc123",
      "wss://user:abc123@gw.example.com",
    ]) {
      let err: any;
      try {
        checkGatewayUrl(u);
      } catch (e) {
        err = e;
      }
      expect(err?.code, u).toBe("INVALID_OPTIONS");
      expect(err.message).not.toContain("abc123");
      expect(err.hint).toMatch(/token/);
    }
  });
  it("refuses http(s) and garbage with a suggestion", () => {
    expect(() => checkGatewayUrl("https://gw.example.com")).toThrow(/wss:\/\/gw\.example\.com/);
    expect(() => checkGatewayUrl("not a url")).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS" }));
  });
  it("classifies mapped IPv4 in IPv6", () => {
    expect(isPrivateHost("::ffff:10.0.0.1")).toBe(true);
    expect(isPrivateHost("::ffff:8.8.8.8")).toBe(false);
  });
});
