import type { Hono } from "hono";
import type { AppContext } from "../context.js";
import { jsonResponse } from "../http.js";

export function registerHealthRoutes(app: Hono, ctx: AppContext): void {
  // Liveness for systemd/Docker/Caddy health checks: open even when MC_API_TOKEN is set.
  app.get("/api/health", () => {
    let database: { ok: boolean; error?: string } = { ok: true };
    try {
      ctx.store.tasks.list({ limit: 1 });
    } catch (err) {
      database = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    const body = {
      ok: database.ok,
      version: ctx.version,
      uptimeMs: Date.now() - ctx.startedAt,
      database,
      gateway: { state: ctx.gateway.state },
      sseClients: ctx.hub.size,
      sseDropped: ctx.hub.dropped,
    };
    return jsonResponse(JSON.stringify(body), database.ok ? 200 : 503);
  });
}
