import * as z from "zod";
import { defineMethod } from "./define.js";

// Approvals (openclaw 2026.9.6): an agent's exec command or a plugin action waits for an
// operator's decision. Listing and resolving need operator.approvals; requested/resolved events
// go to connections holding it.

/** The decisions the gateway accepts. */
export const APPROVAL_DECISIONS = ["allow-once", "allow-always", "deny"] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

const context = {
  agentId: z.string().nullable().optional(),
  sessionKey: z.string().nullable().optional(),
  runId: z.string().nullable().optional(),
  toolCallId: z.string().nullable().optional(),
  /** The decisions this request accepts (all three when absent). */
  allowedDecisions: z.array(z.string()).nullable().optional(),
};

/** What an exec approval asks to run. */
export const execApprovalRequestSchema = z
  .object({
    command: z.string().optional(),
    commandArgv: z.array(z.string()).optional(),
    cwd: z.string().nullable().optional(),
    host: z.string().nullable().optional(),
    security: z.string().nullable().optional(),
    ask: z.string().nullable().optional(),
    resolvedPath: z.string().nullable().optional(),
    /** Decisions the policy rules out for this command (e.g. allow-always for a one-off). */
    unavailableDecisions: z.array(z.string()).optional(),
    ...context,
  })
  .loose();

/** What a plugin approval asks for. */
export const pluginApprovalRequestSchema = z
  .object({
    pluginId: z.string().nullable().optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    detail: z.string().nullable().optional(),
    severity: z.string().nullable().optional(),
    toolName: z.string().nullable().optional(),
    ...context,
  })
  .loose();

const pending = <R extends z.ZodType>(request: R) =>
  z
    .object({
      id: z.string(),
      request,
      createdAtMs: z.number().optional(),
      expiresAtMs: z.number().optional(),
      approvalKind: z.string().optional(),
    })
    .loose();

/** A pending approval, in list answers and `*.approval.requested` events. */
export const execApprovalSchema = pending(execApprovalRequestSchema);
export const pluginApprovalSchema = pending(pluginApprovalRequestSchema);

const resolved = <R extends z.ZodType>(request: R) =>
  z
    .object({
      id: z.string(),
      decision: z.string(),
      resolvedBy: z.string().nullable().optional(),
      ts: z.number().optional(),
      request: request.optional(),
    })
    .loose();

/** A decision, as `*.approval.resolved` events carry it. */
export const execApprovalResolvedSchema = resolved(execApprovalRequestSchema);
export const pluginApprovalResolvedSchema = resolved(pluginApprovalRequestSchema);

export type ExecApproval = z.infer<typeof execApprovalSchema>;
export type PluginApproval = z.infer<typeof pluginApprovalSchema>;
export type ExecApprovalResolved = z.infer<typeof execApprovalResolvedSchema>;
export type PluginApprovalResolved = z.infer<typeof pluginApprovalResolvedSchema>;

const resolveParams = z.strictObject({ id: z.string().min(1), decision: z.enum(APPROVAL_DECISIONS) });
const resolveResult = z.object({ ok: z.boolean().optional() }).loose();

/** `exec.approval.list`: the exec approvals waiting for a decision that this connection may see. */
export const execApprovalList = defineMethod({
  method: "exec.approval.list",
  scope: "operator.approvals",
  params: z.strictObject({}),
  result: z.array(execApprovalSchema),
});

/** `exec.approval.resolve`: first answer wins; an unknown or expired id is INVALID_REQUEST. */
export const execApprovalResolve = defineMethod({
  method: "exec.approval.resolve",
  scope: "operator.approvals",
  params: resolveParams.extend({ grantExpiresInDays: z.number().int().min(1).max(3650).optional() }),
  result: resolveResult,
});

/** `plugin.approval.list`: the plugin approvals waiting for a decision that this connection may see. */
export const pluginApprovalList = defineMethod({
  method: "plugin.approval.list",
  scope: "operator.approvals",
  params: z.strictObject({}),
  result: z.array(pluginApprovalSchema),
});

/** `plugin.approval.resolve`: the decision must be one of the request's allowedDecisions. */
export const pluginApprovalResolve = defineMethod({
  method: "plugin.approval.resolve",
  scope: "operator.approvals",
  params: resolveParams,
  result: resolveResult,
});
