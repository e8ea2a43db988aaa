import { isIP } from "node:net";
import { GatewayError } from "./errors.js";
import { redactUrl } from "./redact.js";

/**
 * Hosts where plaintext ws:// is tolerated: loopback, RFC 1918, CGNAT (Tailscale), link-local,
 * IPv6 ULA/link-local, mDNS `.local` and Tailscale `.ts.net` names.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host.endsWith(".local") || host.endsWith(".ts.net")) return true;
  const kind = isIP(host);
  if (kind === 4) return isPrivateV4(host);
  if (kind === 6) {
    if (host === "::1") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    if (mapped) return isPrivateV4(mapped[1]!);
    const first = parseInt(host.split(":")[0] || "0", 16);
    if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7
    if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10
    return false;
  }
  return false;
}

function isPrivateV4(host: string): boolean {
  const [a = 0, b = 0] = host.split(".").map(Number);
  return (
    a === 127 ||
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254)
  );
}

const CREDENTIAL_PARAM = /^(token|access_token|auth|password|deviceToken|bootstrapToken)$/i;

/**
 * Validates a gateway URL. A URL carrying a credential (`?token=`, `user:pass@`) is refused rather
 * than stripped: it has already leaked into shell history, proxy logs and configs, and silently
 * fixing it would hide that. The token belongs in the `token` option (sent in the connect frame).
 */
export function checkGatewayUrl(raw: string, opts: { allowInsecureWs?: boolean } = {}): URL {
  // A client is often built per connect for the same URL: its verdict is remembered (the checks
  // below cost ~40 µs of a cold connect's critical path); only accepted URLs are kept.
  const key = `${opts.allowInsecureWs ? 1 : 0}${raw}`;
  if (accepted.has(key)) return new URL(raw);
  const url = checkUncached(raw, opts);
  if (accepted.size >= 64) accepted.clear();
  accepted.add(key);
  return url;
}

const accepted = new Set<string>();

function checkUncached(raw: string, opts: { allowInsecureWs?: boolean }): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GatewayError({
      code: "INVALID_OPTIONS",
      layer: "url",
      subject: "option url",
      reason: `${JSON.stringify(redactUrl(raw))} is not a valid URL`,
      hint: "Pass the gateway's WebSocket URL, e.g. ws://127.0.0.1:18789 or wss://gateway.example.com.",
    });
  }
  if (url.protocol === "http:" || url.protocol === "https:") {
    throw new GatewayError({
      code: "INVALID_OPTIONS",
      layer: "url",
      subject: `option url ${redactUrl(raw)}`,
      reason: `uses ${url.protocol} instead of a WebSocket scheme`,
      hint: `Use ${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}${url.pathname === "/" ? "" : url.pathname}.`,
    });
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new GatewayError({
      code: "INVALID_OPTIONS",
      layer: "url",
      subject: `option url ${redactUrl(raw)}`,
      reason: `scheme ${url.protocol} is not ws: or wss:`,
      hint: "Use ws://host:port for a local gateway or wss://host for one behind a TLS proxy.",
    });
  }
  // Only a URL with a query has parameters (URLSearchParams is costly to build on Node 20).
  const leaked = url.search ? [...url.searchParams.keys()].filter((k) => CREDENTIAL_PARAM.test(k)) : [];
  if (leaked.length > 0 || url.username || url.password) {
    throw new GatewayError({
      code: "INVALID_OPTIONS",
      layer: "url",
      subject: `option url ${redactUrl(raw)}`,
      reason: "carries a credential in the URL",
      hint:
        "Remove it from the URL and pass it as the token (or password) option: it travels inside the connect " +
        "frame, never in the URL where proxies log it.",
    });
  }
  if (url.protocol === "ws:" && !opts.allowInsecureWs && !isPrivateHost(url.hostname)) {
    throw new GatewayError({
      code: "INSECURE_URL",
      subject: `option url ${redactUrl(raw)}`,
      reason: `plaintext ws:// to the public host ${url.hostname} would expose the token`,
    });
  }
  return url;
}
