import { isIP } from "node:net";

/** One entry of MC_ALLOWED_HOSTS: a host name or address, with a port or any port. */
export interface AllowedHost {
  host: string;
  port?: number;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** `mc.example.org`, `mc.example.org:8443`, `192.0.2.7`, `[2001:db8::1]:4000` → an entry; otherwise the reason. */
export function parseAllowedHost(entry: string): AllowedHost | string {
  const raw = entry.trim().toLowerCase();
  if (raw === "" || raw.includes("*")) return "wildcards are not accepted: list each host name";
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(raw) || /[/?#@\s]/.test(raw))
    return "must be a host name, optionally host:port (no scheme, path or credentials)";
  // A bare IPv6 literal (`::1`, what HOST may hold) has no room for a port.
  const split = isIP(raw) === 6 ? { host: raw } : splitHostPort(raw);
  if (!split) return "must be a host name, optionally host:port";
  const { host, port } = split;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) return "has an invalid port";
  if (
    !isIP(host) &&
    !host
      .replace(/\.$/, "")
      .split(".")
      .every((l) => LABEL.test(l))
  )
    return "is not a valid host name";
  return port === undefined ? { host: host.replace(/\.$/, "") } : { host: host.replace(/\.$/, ""), port };
}

/** Splits a Host header value; IPv6 literals come in brackets. Undefined when it is not host[:port]. */
export function splitHostPort(value: string): { host: string; port?: number } | undefined {
  const v = value.trim().toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(v) ?? /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(v);
  if (!m) return undefined;
  return m[2] === undefined ? { host: m[1]! } : { host: m[1]!, port: Number(m[2]) };
}

const isLoopbackName = (host: string) =>
  host === "localhost" || host === "localhost." || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);

export interface HostPolicy {
  /** MC_ALLOWED_HOSTS. */
  allowed: readonly AllowedHost[];
  /** HOST when it is one specific address (not 0.0.0.0 / ::): reaching it by its address is fine. */
  bindAddress?: string;
}

/**
 * DNS rebinding defence: a browser page on a name the attacker controls, resolved to 127.0.0.1,
 * sends that name in Host. Only loopback names and addresses (and the address this server is
 * bound to) with the port the request arrived on, and the names in MC_ALLOWED_HOSTS, are answered.
 * `port` is the local port of the connection (undefined when unknown: any port is then accepted).
 */
export function hostAllowed(
  hostHeader: string | undefined,
  localPort: number | undefined,
  policy: HostPolicy,
): boolean {
  if (!hostHeader) return false;
  const split = splitHostPort(hostHeader);
  if (!split) return false;
  const host = split.host.replace(/\.$/, "");
  for (const a of policy.allowed) {
    if (a.host === host && (a.port === undefined || a.port === (split.port ?? 80))) return true;
  }
  const ownAddress = isLoopbackName(host) || (policy.bindAddress !== undefined && host === policy.bindAddress);
  if (!ownAddress) return false;
  return localPort === undefined || (split.port ?? 80) === localPort;
}
