import * as z from "zod";
import { defineMethod } from "./define.js";

// Sessions: the gateway's session index and the controls of one session (openclaw 2026.9.6).

const nonEmpty = z.string().min(1);

/** One row of sessions.list (also the snapshot in some sessions.changed events). */
export const sessionRowSchema = z
  .object({
    key: z.string(),
    sessionId: z.string().optional(),
    agentId: z.string().optional(),
    kind: z.string().optional(),
    label: z.string().optional(),
    displayName: z.string().optional(),
    /** The last run's outcome: "running", "done", "failed", "killed" (aborted). */
    status: z.string().optional(),
    createdAt: z.number().optional(),
    updatedAt: z.number().nullable().optional(),
    lastInteractionAt: z.number().optional(),
    /** Authoritative: a run is active in this session. */
    hasActiveRun: z.boolean().optional(),
    /** When present, the complete set of active run ids (an empty array: idle). */
    activeRunIds: z.array(z.string()).nullable().optional(),
    lastRunId: z.string().nullable().optional(),
    /** The gateway's reason when the last run failed. */
    lastRunError: z.string().nullable().optional(),
    /** The last run was aborted (status "killed"). */
    abortedLastRun: z.boolean().optional(),
    startedAt: z.number().nullable().optional(),
    endedAt: z.number().nullable().optional(),
    runtimeMs: z.number().nullable().optional(),
    inputTokens: z.number().optional(),
    outputTokens: z.number().optional(),
    totalTokens: z.number().optional(),
    estimatedCostUsd: z.number().optional(),
    lastMessagePreview: z.string().nullable().optional(),
    parentSessionKey: z.string().nullable().optional(),
    model: z.string().optional(),
    modelProvider: z.string().optional(),
    archived: z.boolean().optional(),
  })
  .loose();

export type SessionRow = z.infer<typeof sessionRowSchema>;

/** The key of one of an agent's sessions: `agent:<agentId>:<name>` (the gateway creates it on first use). */
export function agentSessionKey(agentId: string, name: string): string {
  return `agent:${agentId}:${name}`;
}

/** The agent and the name in an `agent:<agentId>:<name>` session key; undefined for other keys. */
export function parseAgentSessionKey(key: string): { agentId: string; name: string } | undefined {
  const m = /^agent:([^:]+):(.+)$/i.exec(key);
  return m ? { agentId: m[1]!, name: m[2]! } : undefined;
}

const listParams = z.strictObject({
  limit: z.number().int().positive().optional(),
  offset: z.number().int().nonnegative().optional(),
  activeMinutes: z.number().int().positive().optional(),
  activeOnly: z.boolean().optional(),
  sortBy: z.enum(["updatedAt", "lastInteractionAt", "activity"]).optional(),
  agentId: nonEmpty.optional(),
  label: nonEmpty.max(512).optional(),
  search: z.string().optional(),
  includeGlobal: z.boolean().optional(),
  includeUnknown: z.boolean().optional(),
  includeDerivedTitles: z.boolean().optional(),
  includeLastMessage: z.boolean().optional(),
  excludeSubagents: z.boolean().optional(),
  excludeCron: z.boolean().optional(),
  excludeSystem: z.boolean().optional(),
  archived: z.union([z.boolean(), z.literal("all")]).optional(),
});

const listResult = z
  .object({
    sessions: z.array(sessionRowSchema),
    count: z.number().optional(),
    totalCount: z.number().optional(),
    hasMore: z.boolean().optional(),
    nextOffset: z.number().nullable().optional(),
    ts: z.number().optional(),
  })
  .loose();

/** `sessions.list`: the session index, newest first, 100 per page by default (operator.read). */
export const sessionsList = defineMethod({
  method: "sessions.list",
  scope: "operator.read",
  params: listParams,
  result: listResult,
});

/**
 * `sessions.subscribe`: `sessions.changed` events for this connection until it closes; with list
 * params it also answers the first page (operator.read). The gateway sends sessions.changed only
 * to subscribed connections.
 */
export const sessionsSubscribe = defineMethod({
  method: "sessions.subscribe",
  scope: "operator.read",
  params: listParams,
  result: z.object({ subscribed: z.boolean().optional(), sessions: z.array(sessionRowSchema).optional() }).loose(),
});

/** `sessions.send`: a message into an existing session, like chat.send by key (operator.write). */
export const sessionsSend = defineMethod({
  method: "sessions.send",
  scope: "operator.write",
  params: z.strictObject({
    key: nonEmpty,
    message: z.string(),
    agentId: nonEmpty.optional(),
    thinking: z.string().optional(),
    timeoutMs: z.number().int().positive().optional(),
    idempotencyKey: nonEmpty.optional(),
    attachments: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
  result: z.object({ runId: z.string(), status: z.string() }).loose(),
});

/** `sessions.abort`: stops the session's active run, or the run named by runId (operator.write). */
export const sessionsAbort = defineMethod({
  method: "sessions.abort",
  scope: "operator.write",
  params: z.strictObject({
    key: nonEmpty.optional(),
    runId: nonEmpty.optional(),
    agentId: nonEmpty.optional(),
    clearQueued: z.boolean().optional(),
  }),
  result: z
    .object({
      ok: z.boolean().optional(),
      abortedRunId: z.string().nullable().optional(),
      status: z.string().optional(),
    })
    .loose(),
});

/**
 * `sessions.create`: a new session entry, by key or with a generated one
 * (`agent:<agentId>:dashboard:<uuid>`); no run starts without `message` (operator.write).
 */
export const sessionsCreate = defineMethod({
  method: "sessions.create",
  scope: "operator.write",
  params: z.strictObject({
    key: nonEmpty.optional(),
    agentId: nonEmpty.optional(),
    label: nonEmpty.max(512).optional(),
    displayName: nonEmpty.max(500).optional(),
    idempotencyKey: nonEmpty.optional(),
    message: z.string().optional(),
  }),
  result: z
    .object({
      ok: z.boolean().optional(),
      key: z.string(),
      sessionId: z.string().optional(),
      runStarted: z.boolean().optional(),
      runError: z.unknown().optional(),
    })
    .loose(),
});

/** `sessions.reset`: a fresh transcript under the same key (operator.admin). */
export const sessionsReset = defineMethod({
  method: "sessions.reset",
  scope: "operator.admin",
  params: z.strictObject({
    key: nonEmpty,
    agentId: nonEmpty.optional(),
    reason: z.enum(["new", "reset"]).optional(),
    expectedSessionId: nonEmpty.optional(),
  }),
  result: z
    .object({ ok: z.boolean().optional(), key: z.string(), entry: z.record(z.string(), z.unknown()).optional() })
    .loose(),
});
