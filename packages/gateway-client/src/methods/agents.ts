import * as z from "zod";
import { defineMethod } from "./define.js";

// Agents: the gateway's configured agents and their runs (openclaw 2026.9.6).

/** One entry of agents.list. */
export const agentSummarySchema = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    identity: z
      .object({
        name: z.string().optional(),
        emoji: z.string().optional(),
        avatar: z.string().optional(),
        avatarUrl: z.string().optional(),
        theme: z.string().optional(),
      })
      .loose()
      .optional(),
    workspace: z.string().optional(),
    kind: z.string().optional(),
    /** "degraded" when the agent cannot run; absent when it is fine. */
    status: z.string().optional(),
    model: z
      .object({ primary: z.string().optional(), fallbacks: z.array(z.string()).optional() })
      .loose()
      .optional(),
  })
  .loose();

export type AgentSummary = z.infer<typeof agentSummarySchema>;

/** `agents.list`: every configured agent and the default one (operator.read). */
export const agentsList = defineMethod({
  method: "agents.list",
  scope: "operator.read",
  params: z.strictObject({}),
  result: z
    .object({
      defaultId: z.string().optional(),
      mainKey: z.string().optional(),
      scope: z.string().optional(),
      agents: z.array(agentSummarySchema),
    })
    .loose(),
});

/**
 * `agent.wait`: resolves when the run ends, or with status "timeout" after timeoutMs (that is a
 * successful answer, not an error). Answers at once for a finished run (operator.write).
 */
export const agentWait = defineMethod({
  method: "agent.wait",
  scope: "operator.write",
  params: z.strictObject({ runId: z.string().min(1), timeoutMs: z.number().int().nonnegative().optional() }),
  result: z
    .object({
      runId: z.string().optional(),
      /** "ok" | "error" | "timeout" */
      status: z.string(),
      endedAt: z.number().optional(),
      error: z.string().optional(),
      terminalReply: z.object({ disposition: z.string().optional(), text: z.string().optional() }).loose().optional(),
    })
    .loose(),
});
