import { describe, expect, it } from "vitest";
import { hostAllowed, parseAllowedHost } from "./allowed-hosts.js";

describe("allowed hosts", () => {
  it("parses MC_ALLOWED_HOSTS entries and refuses what is not a host name", () => {
    expect(parseAllowedHost(" MC.Example.org ")).toEqual({ host: "mc.example.org" });
    expect(parseAllowedHost("mc.example.org:8443")).toEqual({ host: "mc.example.org", port: 8443 });
    expect(parseAllowedHost("[2001:db8::1]:4000")).toEqual({ host: "2001:db8::1", port: 4000 });
    expect(parseAllowedHost("2001:db8::1")).toEqual({ host: "2001:db8::1" });
    expect(parseAllowedHost("::")).toEqual({ host: "::" });
    expect(parseAllowedHost("*.example.org")).toMatch(/wildcards/);
    expect(parseAllowedHost("https://mc.example.org")).toMatch(/no scheme/);
    expect(parseAllowedHost("mc.example.org/path")).toMatch(/no scheme, path/);
    expect(parseAllowedHost("mc.example.org:99999")).toMatch(/invalid port/);
    expect(parseAllowedHost("-bad-.example")).toMatch(/not a valid host name/);
  });

  it("answers loopback and the bound address on the arrival port, and the listed names", () => {
    const policy = { allowed: [{ host: "mc.example.org" }, { host: "ops.example.org", port: 8443 }] };
    expect(hostAllowed("127.0.0.1:4000", 4000, policy)).toBe(true);
    expect(hostAllowed("localhost:4000", 4000, policy)).toBe(true);
    expect(hostAllowed("[::1]:4000", 4000, policy)).toBe(true);
    expect(hostAllowed("localhost:4001", 4000, policy)).toBe(false);
    expect(hostAllowed("localhost", 80, policy)).toBe(true);
    expect(hostAllowed("mc.example.org", 4000, policy)).toBe(true);
    expect(hostAllowed("ops.example.org:8443", 4000, policy)).toBe(true);
    expect(hostAllowed("ops.example.org", 4000, policy)).toBe(false);
    expect(hostAllowed("evil.example:4000", 4000, policy)).toBe(false);
    expect(hostAllowed("192.0.2.7:4000", 4000, policy)).toBe(false);
    expect(hostAllowed("192.0.2.7:4000", 4000, { ...policy, bindAddress: "192.0.2.7" })).toBe(true);
    expect(hostAllowed(undefined, 4000, policy)).toBe(false);
    expect(hostAllowed("a b", 4000, policy)).toBe(false);
  });
});
