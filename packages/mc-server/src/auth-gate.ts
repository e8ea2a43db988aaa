import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import type { AuthResult } from "./auth.js";
import { clientAddresses, PROXY_BUDGET_FACTOR } from "./auth-throttle.js";
import type { AppContext } from "./context.js";
import { errorBody, jsonResponse } from "./http.js";

export type GatedAuthResult = AuthResult | { ok: false; reason: "throttled"; retryAfterSeconds: number };

function incomingOf(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/** The addresses failed attempts are counted against (see clientAddresses). */
export function clientKeys(c: Context): { client: string; proxy?: string } {
  return clientAddresses(clientOf(c).remoteAddress, clientOf(c).forwardedFor);
}

/** The connection's address and X-Forwarded-For, from Node's request when there is one. */
export function clientOf(c: Context): { remoteAddress: string | undefined; forwardedFor: string | undefined } {
  const incoming = incomingOf(c);
  const xff = incoming ? incoming.headers["x-forwarded-for"] : c.req.header("x-forwarded-for");
  return { remoteAddress: incoming?.socket?.remoteAddress, forwardedFor: Array.isArray(xff) ? xff.join(",") : xff };
}

/**
 * Checks a credential unless this client address (or the proxy it came through) is throttled; a
 * wrong one counts against both, a right one clears the client's count. A missing credential (a
 * browser before login) does not count.
 */
export function gatedAuth(ctx: AppContext, c: Context, check: () => AuthResult): GatedAuthResult {
  return gatedAuthFor(ctx, clientOf(c), check);
}

/** gatedAuth for a request known by its address and X-Forwarded-For (the Node fast lane). */
export function gatedAuthFor(
  ctx: AppContext,
  from: { remoteAddress: string | undefined; forwardedFor: string | undefined },
  check: () => AuthResult,
): GatedAuthResult {
  const { client, proxy } = clientAddresses(from.remoteAddress, from.forwardedFor);
  const throttle = ctx.authThrottle;
  const proxyKey = proxy === undefined ? undefined : `proxy ${proxy}`;
  const waitFor = () =>
    Math.max(
      throttle.retryAfterSeconds(client),
      proxyKey === undefined ? 0 : throttle.retryAfterSeconds(proxyKey, PROXY_BUDGET_FACTOR),
    );
  const wait = waitFor();
  if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: wait };
  const result = check();
  if (result.ok) {
    if (result.via !== "none") throttle.succeed(client);
  } else if (result.reason === "wrong") {
    throttle.fail(client);
    if (proxyKey !== undefined) throttle.fail(proxyKey);
    const now = waitFor();
    if (now > 0) ctx.log.warn("auth throttled", { client, ...(proxy ? { proxy } : {}), retryAfterSeconds: now });
  }
  return result;
}

export function throttledRefusal(retryAfterSeconds: number): {
  status: number;
  body: string;
  headers: Record<string, string>;
} {
  return {
    status: 429,
    body: errorBody(
      "AUTH_THROTTLED",
      "[mc-server] auth: too many failed token attempts from this address",
      `wait ${retryAfterSeconds} s (Retry-After), then use the value of MC_API_TOKEN`,
      { retryAfterSeconds },
    ),
    headers: { "retry-after": String(retryAfterSeconds) },
  };
}

export function throttledResponse(retryAfterSeconds: number): Response {
  const r = throttledRefusal(retryAfterSeconds);
  return jsonResponse(r.body, r.status, r.headers);
}
