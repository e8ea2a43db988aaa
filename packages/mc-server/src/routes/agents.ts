import type { Hono } from "hono";
import type { AppContext } from "../context.js";
import { jsonResponse } from "../http.js";

/** Maps one entry of the gateway's agents.list to the store's agent input. */
export function agentFromGateway(a: Record<string, unknown>): {
  id: string;
  name?: string | null;
  emoji?: string | null;
  avatar?: string | null;
  workspace?: string | null;
  status?: string | null;
} {
  const identity = (a.identity && typeof a.identity === "object" ? a.identity : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : null);
  return {
    id: String(a.id),
    name: str(identity.name) ?? str(a.name) ?? null,
    emoji: str(identity.emoji) ?? str(a.emoji) ?? null,
    avatar: str(identity.avatar) ?? str(a.avatar) ?? null,
    workspace: str(a.workspace) ?? null,
    status: "available",
  };
}

/** Pulls agents.list into the store; returns the store's list. Used by the route and on every connect. */
export async function syncAgents(ctx: AppContext) {
  const payload = await ctx.gateway.request<{ agents?: unknown[] }>("agents.list", {});
  const list = (Array.isArray(payload?.agents) ? payload.agents : []).filter(
    (a): a is Record<string, unknown> => !!a && typeof a === "object" && typeof (a as { id?: unknown }).id === "string",
  );
  ctx.store.agents.upsertMany(list.map(agentFromGateway));
  return ctx.store.agents.list();
}

export function registerAgentRoutes(app: Hono, ctx: AppContext): void {
  app.get("/api/agents", () => jsonResponse(JSON.stringify({ agents: ctx.store.agents.list() })));
  app.post("/api/agents/sync", async () => {
    const agents = await syncAgents(ctx);
    return jsonResponse(JSON.stringify({ synced: agents.length, agents }));
  });
}
