import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "mc_session";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Compares secrets in constant time (equal-length digests, so the length leaks nothing either). */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The dashboard's cookie value: an HMAC of a fixed label keyed by MC_API_TOKEN. It proves the
 * browser once presented the token, survives restarts, and dies when the token is rotated;
 * the token itself never sits in the cookie.
 */
export function sessionValue(apiToken: string): string {
  return createHmac("sha256", apiToken).update("missionctl-dashboard-session-v1").digest("base64url");
}

export function bearerFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1]!.trim() : undefined;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export type AuthResult = { ok: true; via: "none" | "bearer" | "cookie" } | { ok: false; reason: "missing" | "wrong" };

export function authenticate(
  apiToken: string | undefined,
  headers: { authorization?: string; cookie?: string },
): AuthResult {
  if (!apiToken) return { ok: true, via: "none" };
  const bearer = bearerFrom(headers.authorization);
  if (bearer !== undefined)
    return safeEqual(bearer, apiToken) ? { ok: true, via: "bearer" } : { ok: false, reason: "wrong" };
  const cookie = readCookie(headers.cookie, SESSION_COOKIE);
  if (cookie !== undefined)
    return safeEqual(cookie, sessionValue(apiToken)) ? { ok: true, via: "cookie" } : { ok: false, reason: "wrong" };
  return { ok: false, reason: "missing" };
}

/**
 * CSRF: a mutating request from a browser carries Origin (or at least Sec-Fetch-Site); it must
 * be this server's own origin (same host as the Host header) or one listed in MC_ALLOWED_ORIGINS.
 * Requests with neither header come from non-browser clients, which cannot be tricked into it.
 */
export function originAllowed(
  headers: { origin?: string; host?: string; secFetchSite?: string },
  allowed: string[],
): boolean {
  const origin = headers.origin;
  if (origin && origin !== "null") {
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return false;
    }
    if (allowed.includes(u.origin)) return true;
    return !!headers.host && u.host.toLowerCase() === headers.host.toLowerCase();
  }
  if (origin === "null") return false;
  const site = headers.secFetchSite;
  return !site || site === "same-origin" || site === "none";
}
