import type { AgentEvent } from "./schemas.js";

// The `agent` event's data depends on its stream (openclaw 2026.9.6, verified on the wire):
// `lifecycle` carries the run's phase (start, waiting-approval, approval-resolved, end, error);
// `item` (kind "tool"), `tool` and `command_output` follow one tool call each. These readers
// keep that knowledge here, so applications get plain fields.

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** A run's lifecycle step. */
export interface AgentLifecycle {
  phase: string | null;
  /** On waiting-approval / approval-resolved: the approval and the tool call it holds. */
  approvalId: string | null;
  toolCallId: string | null;
  sessionId: string | null;
}

/** The lifecycle step an `agent` event carries, or null for the other streams. */
export function agentLifecycle(e: AgentEvent): AgentLifecycle | null {
  if (e.stream !== "lifecycle") return null;
  const d = e.data;
  return {
    phase: str(d.phase),
    approvalId: str(d.approvalId),
    toolCallId: str(d.toolCallId),
    sessionId: e.sessionId ?? str(d.sessionId),
  };
}

/** One update of a tool call: its item (title, status), its call (arguments, result) or its output. */
export interface AgentToolUpdate {
  source: "item" | "tool" | "command_output";
  toolCallId: string;
  name: string | null;
  title: string | null;
  /** "running" | "completed" | "failed" as the gateway names it, when the update says. */
  status: string | null;
  error: string | null;
  /** The call's arguments (on the `tool` stream's start). */
  args: Record<string, unknown> | null;
  /** Command output so far (`command_output`). */
  output: string | null;
  /** The stream's own phase: start / update / result / end. */
  phase: string | null;
  /** The call's result was an error. */
  isError: boolean;
}

/** The tool-call update an `agent` event carries, or null when it is not about a tool call. */
export function agentToolUpdate(e: AgentEvent): AgentToolUpdate | null {
  if (e.stream !== "item" && e.stream !== "tool" && e.stream !== "command_output") return null;
  const d = e.data;
  const toolCallId = str(d.toolCallId);
  if (!toolCallId || (e.stream === "item" && d.kind !== "tool")) return null;
  const args =
    d.args && typeof d.args === "object" && !Array.isArray(d.args) ? (d.args as Record<string, unknown>) : null;
  return {
    source: e.stream,
    toolCallId,
    name: str(d.name),
    title: str(d.title),
    status: str(d.status),
    error: str(d.error),
    args,
    output: str(d.output),
    phase: str(d.phase),
    isError: d.isError === true,
  };
}
