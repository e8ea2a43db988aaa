import { describe, expect, it } from "vitest";
import { AuthThrottle, clientAddress, clientAddresses } from "./auth-throttle.js";

describe("auth throttle", () => {
  it("throttles an address after maxFailures until its window ends, and forgets it on success", () => {
    let now = 1_000_000;
    const t = new AuthThrottle({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 2; i++) t.fail("a");
    expect(t.retryAfterSeconds("a")).toBe(0);
    t.fail("a");
    expect(t.retryAfterSeconds("a")).toBe(60);
    expect(t.retryAfterSeconds("b")).toBe(0);
    now += 45_500;
    expect(t.retryAfterSeconds("a")).toBe(15);
    now += 15_000;
    expect(t.retryAfterSeconds("a")).toBe(0);
    t.fail("b");
    t.succeed("b");
    expect(t.size).toBe(0);
  });

  it("keeps a bounded number of addresses", () => {
    const t = new AuthThrottle({ maxTracked: 100 });
    for (let i = 0; i < 1_000; i++) t.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(t.size).toBe(100);
  });

  it("counts against the peer, the proxy's client when the peer is loopback, IPv6 per /64", () => {
    expect(clientAddress("192.0.2.9", "198.51.100.1")).toBe("192.0.2.9");
    expect(clientAddress("127.0.0.1", "203.0.113.5, 198.51.100.1")).toBe("198.51.100.1");
    expect(clientAddress("::ffff:127.0.0.1", "198.51.100.2")).toBe("198.51.100.2");
    expect(clientAddress("127.0.0.1", "not-an-ip")).toBe("127.0.0.1");
    expect(clientAddress("::ffff:192.0.2.1", undefined)).toBe("192.0.2.1");
    expect(clientAddress("2001:db8:1:2:3:4:5:6", undefined)).toBe("2001:db8:1:2::/64");
    expect(clientAddress("2001:db8:1:2::9", undefined)).toBe("2001:db8:1:2::/64");
  });

  it("a forwarded request also names the loopback peer as the proxy; a direct one names none", () => {
    expect(clientAddresses("127.0.0.1", "198.51.100.1")).toEqual({ client: "198.51.100.1", proxy: "127.0.0.1" });
    expect(clientAddresses("::1", "198.51.100.1")).toEqual({ client: "198.51.100.1", proxy: "0:0:0:0::/64" });
    expect(clientAddresses("192.0.2.9", "198.51.100.1")).toEqual({ client: "192.0.2.9" });
    expect(clientAddresses("127.0.0.1", undefined)).toEqual({ client: "127.0.0.1" });
  });

  it("a larger shared budget: factor 10 throttles after 10 × maxFailures", () => {
    const t = new AuthThrottle({ maxFailures: 2 });
    for (let i = 0; i < 19; i++) t.fail("proxy 127.0.0.1");
    expect(t.retryAfterSeconds("proxy 127.0.0.1", 10)).toBe(0);
    t.fail("proxy 127.0.0.1");
    expect(t.retryAfterSeconds("proxy 127.0.0.1", 10)).toBeGreaterThan(0);
  });
});
