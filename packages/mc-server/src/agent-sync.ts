// The store's copy of the gateway's agents: read on every connect, on demand (POST /api/agents/sync)
// and after the dashboard changes the local gateway's model, so agent cards never show a stale one.
import { type AgentSummary, agentsList } from "@missionctl/gateway-client";
import type { AgentInput } from "@missionctl/mc-store";
import type { AppContext } from "./context.js";

/** Maps one entry of the gateway's agents.list to the store's agent input. */
export function agentFromGateway(a: AgentSummary): Omit<AgentInput, "lastSeenAt"> {
  const str = (v: string | undefined) => (typeof v === "string" && v.trim() !== "" ? v : null);
  return {
    id: a.id,
    name: str(a.identity?.name) ?? str(a.name) ?? null,
    emoji: str(a.identity?.emoji) ?? (typeof a.emoji === "string" ? str(a.emoji) : null),
    avatar: str(a.identity?.avatar) ?? (typeof a.avatar === "string" ? str(a.avatar) : null),
    workspace: str(a.workspace) ?? null,
    status: "available",
    model: str(a.model?.primary) ?? null,
  };
}

/**
 * Pulls agents.list into the store; returns the agents with their status and the agents it could not keep.
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
  return { agents: ctx.agentStatus.list(), skipped: rejected.map((r) => ({ id: r.id, reason: r.reason })) };
}
