import type { Hono } from "hono";
import { syncAgents } from "../agent-sync.js";
import type { AppContext } from "../context.js";
import { ApiError } from "../errors.js";
import { jsonResponse } from "../http.js";
import { modelStatus } from "./local-gateway.js";

export function registerAgentRoutes(app: Hono, ctx: AppContext): void {
  app.get("/api/agents", () =>
    jsonResponse(
      JSON.stringify({ ...ctx.sessions.freshness(), agents: ctx.agentStatus.list(), model: modelStatus(ctx) }),
    ),
  );
  app.get("/api/agents/:id", (c) => {
    const agent = ctx.agentStatus.get(c.req.param("id"));
    if (!agent) {
      throw new ApiError(
        404,
        "AGENT_NOT_FOUND",
        `[mc-server] agent ${c.req.param("id")}: no such agent`,
        "list agents with GET /api/agents (POST /api/agents/sync reads them from the gateway)",
      );
    }
    return jsonResponse(
      JSON.stringify({
        agent,
        sessions: ctx.sessions
          .list()
          .filter((s) => s.agentId === agent.id)
          .slice(0, 100),
      }),
    );
  });
  app.post("/api/agents/sync", async () => {
    const { agents, skipped } = await syncAgents(ctx);
    return jsonResponse(JSON.stringify({ synced: agents.length, agents, skipped }));
  });
}
