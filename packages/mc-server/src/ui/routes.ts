import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import { authenticate } from "../auth.js";
import { gatedAuth, throttledResponse } from "../auth-gate.js";
import type { AppContext } from "../context.js";
import { renderLogin, renderPage } from "./page.js";

function htmlResponse(html: string, nonce: string, status = 200): Response {
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
    },
  });
}

export function registerUiRoutes(app: Hono, ctx: AppContext): void {
  app.get("/", (c) => {
    const nonce = randomBytes(16).toString("base64");
    const auth = gatedAuth(ctx, c, () => authenticate(ctx.config.apiToken, { cookie: c.req.header("cookie") }));
    if (!auth.ok && auth.reason === "throttled") return throttledResponse(auth.retryAfterSeconds);
    if (!auth.ok) return htmlResponse(renderLogin(nonce), nonce, 200);
    const cached = ctx.store.sessions.list();
    const html = renderPage(
      {
        status: ctx.gateway.status(),
        agents: ctx.store.agents.list(),
        tasks: ctx.store.tasks.list({ limit: 500 }).items,
        sessions: {
          source: "cache",
          gatewayState: ctx.gateway.state,
          sessions: cached.map((s) => ({ ...s.data, key: s.key })),
        },
        version: ctx.version,
        authRequired: !!ctx.config.apiToken,
      },
      nonce,
    );
    return htmlResponse(html, nonce);
  });
  app.get("/favicon.ico", () => new Response(null, { status: 204 }));
}
