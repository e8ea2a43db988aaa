import { type AgentSummary, agentsList } from "@missionctl/gateway-client";
import type { Hono } from "hono";
import type { AppContext } from "../context.js";
import { jsonResponse } from "../http.js";

/** Maps one entry of the gateway's agents.list to the store's agent input. */
export function agentFromGateway(a: AgentSummary): {
  id: string;
  name?: string | null;
  emoji?: string | null;
  avatar?: string | null;
  workspace?: string | null;
  status?: string | null;
} {
  const str = (v: string | undefined) => (typeof v === "string" && v.trim() !== "" ? v : null);
  return {
    id: a.id,
    name: str(a.identity?.name) ?? str(a.name) ?? null,
    emoji: str(a.identity?.emoji) ?? (typeof a.emoji === "string" ? str(a.emoji) : null),
    avatar: str(a.identity?.avatar) ?? (typeof a.avatar === "string" ? str(a.avatar) : null),
    workspace: str(a.workspace) ?? null,
    status: "available",
  };
}

/**
 * Pulls agents.list into the store; returns the store's list and the agents it could not keep.
 * One agent the store refuses (an over-long emoji or name) is reported, not allowed to fail the
 * whole sync. Used by the route and on every connect.
 */
export async function syncAgents(ctx: AppContext) {
  const { agents } = await agentsList(ctx.gateway);
  const { rejected } = ctx.store.agents.upsertValid(agents.map(agentFromGateway));
  for (const r of rejected)
    ctx.log.warn("gateway agent not stored", {
      agentId: r.id,
      reason: r.reason,
      hint: "fix the agent's identity in the gateway config; the other agents were synced",
    });
  return { agents: ctx.store.agents.list(), skipped: rejected.map((r) => ({ id: r.id, reason: r.reason })) };
}

export function registerAgentRoutes(app: Hono, ctx: AppContext): void {
  app.get("/api/agents", () => jsonResponse(JSON.stringify({ agents: ctx.store.agents.list() })));
  app.post("/api/agents/sync", async () => {
    const { agents, skipped } = await syncAgents(ctx);
    return jsonResponse(JSON.stringify({ synced: agents.length, agents, skipped }));
  });
}
