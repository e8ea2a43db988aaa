import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import type { AuthResult } from "./auth.js";
import { clientAddress } from "./auth-throttle.js";
import type { AppContext } from "./context.js";
import { errorBody, jsonResponse } from "./http.js";

export type GatedAuthResult = AuthResult | { ok: false; reason: "throttled"; retryAfterSeconds: number };

function incomingOf(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/** The address failed attempts are counted against (see clientAddress). */
export function clientKey(c: Context): string {
  const incoming = incomingOf(c);
  const xff = incoming ? incoming.headers["x-forwarded-for"] : c.req.header("x-forwarded-for");
  return clientAddress(incoming?.socket?.remoteAddress, Array.isArray(xff) ? xff.join(",") : xff);
}

/**
 * Checks a credential unless this client address is throttled; a wrong one counts against it,
 * a right one clears its count. A missing credential (a browser before login) does not count.
 */
export function gatedAuth(ctx: AppContext, c: Context, check: () => AuthResult): GatedAuthResult {
  const key = clientKey(c);
  const wait = ctx.authThrottle.retryAfterSeconds(key);
  if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: wait };
  const result = check();
  if (result.ok) {
    if (result.via !== "none") ctx.authThrottle.succeed(key);
  } else if (result.reason === "wrong") {
    ctx.authThrottle.fail(key);
    const now = ctx.authThrottle.retryAfterSeconds(key);
    if (now > 0) ctx.log.warn("auth throttled", { client: key, retryAfterSeconds: now });
  }
  return result;
}

export function throttledResponse(retryAfterSeconds: number): Response {
  return jsonResponse(
    errorBody(
      "AUTH_THROTTLED",
      "[mc-server] auth: too many failed token attempts from this address",
      `wait ${retryAfterSeconds} s (Retry-After), then use the value of MC_API_TOKEN`,
      { retryAfterSeconds },
    ),
    429,
    { "retry-after": String(retryAfterSeconds) },
  );
}
