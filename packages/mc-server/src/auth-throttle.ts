import { isIP } from "node:net";

export interface AuthThrottleOptions {
  /** Failed attempts allowed per client address within `windowMs`. Default 10. */
  maxFailures?: number;
  /** Default 60 s. */
  windowMs?: number;
  /** Addresses tracked at most (oldest forgotten first), so a spray of addresses cannot grow memory. */
  maxTracked?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  windowStart: number;
}

/**
 * Failed logins and bearer tokens per client address. Once an address has failed `maxFailures`
 * times within the window, its further attempts are refused with 429 and Retry-After until the
 * window ends, without comparing the token at all (so a throttled guess learns nothing).
 */
export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxTracked: number;
  private readonly now: () => number;

  constructor(opts: AuthThrottleOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxTracked = opts.maxTracked ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Seconds to wait when `key` is throttled now, else 0. `factor` scales the limit (a proxy's shared budget). */
  retryAfterSeconds(key: string, factor = 1): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const left = e.windowStart + this.windowMs - this.now();
    if (left <= 0) {
      this.entries.delete(key);
      return 0;
    }
    return e.failures >= this.maxFailures * factor ? Math.ceil(left / 1000) : 0;
  }

  fail(key: string): void {
    const at = this.now();
    let e = this.entries.get(key);
    if (!e || at - e.windowStart >= this.windowMs) {
      this.entries.delete(key);
      e = { failures: 0, windowStart: at };
      if (this.entries.size >= this.maxTracked) this.entries.delete(this.entries.keys().next().value!);
    }
    e.failures++;
    // Most recently failed last: the address evicted first is the one quietest for longest.
    this.entries.delete(key);
    this.entries.set(key, e);
  }

  /** A success from this address clears its count. */
  succeed(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

const isLoopbackAddress = (a: string) => a === "::1" || a.startsWith("127.") || a.startsWith("::ffff:127.");

/** How many times a client's budget all the clients behind one proxy share (see clientAddresses). */
export const PROXY_BUDGET_FACTOR = 10;

/**
 * The addresses failures are counted against. `client` is the peer's address, or — when the peer
 * is a proxy on loopback (Caddy on the same host) — the last X-Forwarded-For entry, the address
 * that proxy saw. Anyone on loopback can write that header, so a forwarded request also counts
 * against `proxy` (the peer), whose budget is PROXY_BUDGET_FACTOR times larger: a fresh spoofed
 * address per guess still hits a limit. IPv6 addresses count per /64, the block one client holds.
 */
export function clientAddresses(
  peer: string | undefined,
  forwardedFor: string | undefined,
): { client: string; proxy?: string } {
  const direct = normalise(peer ?? "unknown");
  if (forwardedFor && isLoopbackAddress(peer ?? "")) {
    const last = forwardedFor.split(",").pop()?.trim() ?? "";
    if (isIP(last)) return { client: normalise(last), proxy: direct };
  }
  return { client: direct };
}

/** The address a client's own failures count against (see clientAddresses). */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined): string {
  return clientAddresses(peer, forwardedFor).client;
}

function normalise(address: string): string {
  const addr = address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
  if (isIP(addr) === 6) {
    const groups = expandV6(addr);
    if (groups) return `${groups.slice(0, 4).join(":")}::/64`;
  }
  return addr;
}

function expandV6(a: string): string[] | undefined {
  const [head, tail] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined ? (tail ? tail.split(":") : []) : [];
  if (tail === undefined && h.length !== 8) return undefined;
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""));
}
