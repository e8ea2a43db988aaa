import type { Hono } from "hono";
import * as z from "zod";
import { SESSION_COOKIE, safeEqual, sessionValue } from "../auth.js";
import { gatedAuth, throttledResponse } from "../auth-gate.js";
import type { AppContext } from "../context.js";
import { ApiError } from "../errors.js";
import { jsonResponse, readJson } from "../http.js";

const Login = z.strictObject({ token: z.string().min(1, "is required").max(1024) });

/**
 * The dashboard's login: POST the API token once, get an HttpOnly SameSite=Strict cookie that
 * EventSource and fetch send by themselves. API clients use `Authorization: Bearer` instead.
 */
export function registerSessionRoutes(app: Hono, ctx: AppContext): void {
  app.post("/api/session", async (c) => {
    const apiToken = ctx.config.apiToken;
    if (!apiToken) return jsonResponse(JSON.stringify({ authenticated: true, required: false }));
    const body = await readJson(c, Login);
    const result = gatedAuth(ctx, c, () =>
      safeEqual(body.token, apiToken) ? { ok: true, via: "bearer" } : { ok: false, reason: "wrong" },
    );
    if (!result.ok && result.reason === "throttled") return throttledResponse(result.retryAfterSeconds);
    if (!result.ok) {
      throw new ApiError(
        401,
        "API_TOKEN_INVALID",
        "[mc-server] login: the token does not match MC_API_TOKEN",
        "paste the value of MC_API_TOKEN from the server's environment",
      );
    }
    const secure = c.req.header("x-forwarded-proto") === "https" || c.req.url.startsWith("https:");
    const cookie =
      `${SESSION_COOKIE}=${sessionValue(apiToken)}; Path=/; HttpOnly; ` +
      `SameSite=Strict${secure ? "; Secure" : ""}; Max-Age=${60 * 60 * 12}`;
    return jsonResponse(JSON.stringify({ authenticated: true, required: true }), 200, { "set-cookie": cookie });
  });

  app.delete("/api/session", () =>
    jsonResponse(JSON.stringify({ authenticated: false }), 200, {
      "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
    }),
  );
}
