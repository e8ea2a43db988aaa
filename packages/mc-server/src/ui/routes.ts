import { randomBytes } from "node:crypto";
import type { Context, Hono } from "hono";
import { authenticate } from "../auth.js";
import { gatedAuth, throttledResponse } from "../auth-gate.js";
import type { AppContext } from "../context.js";
import { modelStatus } from "../routes/local-gateway.js";
import { sessionCapabilities, sessionDetail } from "../routes/sessions.js";
import { presentTask } from "../task-view.js";
import { clientBundle } from "./bundle.js";
import { renderLogin, renderPage, renderSessionPage, type ScriptRef } from "./page.js";

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

function htmlResponse(html: string, nonce: string, status = 200): Response {
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy":
        // The one script is the bundle (/assets/app.js), no inline script; styles carry the nonce.
        `default-src 'none'; script-src 'self'; style-src 'nonce-${nonce}'; connect-src 'self'; ` +
        "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      ...SECURITY_HEADERS,
    },
  });
}

export function registerUiRoutes(app: Hono, ctx: AppContext): void {
  // Start bundling (or reading) the browser code now, not on the first visit.
  clientBundle().catch((err) => ctx.log.error("dashboard script unavailable", { error: String(err) }));
  const script = async (): Promise<ScriptRef> => ({ src: `/assets/app.js?v=${(await clientBundle()).hash}` });

  /** The login form instead of the page when the session cookie is missing or wrong. */
  const gate = async (c: Context, nonce: string): Promise<Response | null> => {
    const auth = gatedAuth(ctx, c, () => authenticate(ctx.config.apiToken, { cookie: c.req.header("cookie") }));
    if (!auth.ok && auth.reason === "throttled") return throttledResponse(auth.retryAfterSeconds);
    if (!auth.ok) return htmlResponse(renderLogin(nonce, await script()), nonce, 200);
    return null;
  };

  app.get("/", async (c) => {
    const nonce = randomBytes(16).toString("base64");
    const refused = await gate(c, nonce);
    if (refused) return refused;
    const html = renderPage(
      {
        state: {
          status: ctx.gateway.status(),
          agents: ctx.agentStatus.list(),
          tasks: ctx.store.tasks.list({ limit: 500 }).items.map((t) => presentTask(ctx, t)),
          // The live session index (kept current from the gateway), not a cache only a refresh would fill.
          sessions: {
            ...ctx.sessions.freshness(),
            gatewayState: ctx.gateway.state,
            sessions: ctx.sessions.list(),
          },
          approvals: { ...ctx.approvals.access(), approvals: ctx.approvals.list({}) },
          model: modelStatus(ctx),
        },
        version: ctx.version,
        authRequired: !!ctx.config.apiToken,
      },
      nonce,
      await script(),
    );
    return htmlResponse(html, nonce);
  });

  // The session page: its address is the session key, so a reload (or a shared link) opens it again.
  app.get("/sessions/:key", async (c) => {
    const nonce = randomBytes(16).toString("base64");
    const refused = await gate(c, nonce);
    if (refused) return refused;
    const key = c.req.param("key");
    const detail = key.length <= 512 ? sessionDetail(ctx, key) : null;
    const state = {
      key,
      status: ctx.gateway.status(),
      detail: detail ?? {
        ...ctx.sessions.freshness(),
        session: null,
        activeRun: null,
        approvals: [],
        outbox: [],
        task: null,
        can: sessionCapabilities(ctx),
      },
      messages: "loading" as const,
      hasMore: false,
      nextOffset: null,
      live: detail?.activeRun ?? null,
      outcome: null,
      stopOutcome: null,
      sending: null,
    };
    return htmlResponse(renderSessionPage(state, !!ctx.config.apiToken, nonce, await script()), nonce);
  });

  // The script holds no data and no secret: served without a session, cached for good per hash.
  app.get("/assets/app.js", async (c) => {
    const bundle = await clientBundle();
    const current = c.req.query("v") === bundle.hash;
    return new Response(bundle.code, {
      headers: {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": current ? "public, max-age=31536000, immutable" : "no-cache",
        etag: `"${bundle.hash}"`,
        ...SECURITY_HEADERS,
      },
    });
  });
  app.get("/favicon.ico", () => new Response(null, { status: 204 }));
}
