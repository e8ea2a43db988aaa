import { type ChatMessage, messageText, messageToolCalls } from "@missionctl/gateway-client";

/** A tool call as the transcript shows it: the tool and what it was asked, in one line. */
export interface ToolCallView {
  id: string | null;
  name: string;
  /** The command for exec, else the arguments, shortened. */
  summary: string;
}

/** One transcript entry, as the dashboard renders it (the protocol's shapes stay in gateway-client). */
export interface MessageView {
  /** The gateway's message id, or a position-based id when it has none. */
  id: string;
  seq: number | null;
  role: "user" | "assistant" | "tool" | "system";
  runId: string | null;
  at: string | null;
  text: string;
  toolCalls: ToolCallView[];
  /** On a tool result: which call it answers, and whether it failed. */
  tool: { callId: string | null; name: string | null; isError: boolean } | null;
  stopReason: string | null;
  /** The error an assistant message records for a failed or aborted run. */
  error: string | null;
  model: string | null;
  usage: { input: number | null; output: number | null; total: number | null } | null;
}

const SUMMARY_MAX = 240;
/** Tool output and long replies stay readable in a list; the full text is one request away. */
export const TOOL_TEXT_MAX = 4_000;

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function argsSummary(name: string, args: unknown): string {
  if (args && typeof args === "object") {
    const a = args as Record<string, unknown>;
    for (const key of ["command", "cmd", "path", "query", "url"]) {
      if (typeof a[key] === "string") return shorten(a[key] as string, SUMMARY_MAX);
    }
    try {
      return shorten(JSON.stringify(args), SUMMARY_MAX);
    } catch {
      return name;
    }
  }
  return typeof args === "string" ? shorten(args, SUMMARY_MAX) : "";
}

/** The tool calls in an assistant message, one line each. */
export function toolCallsOf(message: ChatMessage): ToolCallView[] {
  return messageToolCalls(message).map((c) => ({ id: c.id, name: c.name, summary: argsSummary(c.name, c.arguments) }));
}

function roleOf(role: string | undefined): MessageView["role"] {
  if (role === "user" || role === "assistant" || role === "system") return role;
  if (role === "toolResult" || role === "tool") return "tool";
  return "system";
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Normalises one chat.history / session.message message for the dashboard. */
export function toMessageView(message: ChatMessage, fallbackIndex: number): MessageView {
  const meta = message.__openclaw ?? {};
  const role = roleOf(message.role);
  const seq = num(meta.seq);
  const rawText = messageText(message);
  const usage = message.usage;
  const failed = message.stopReason === "error" || message.stopReason === "aborted";
  return {
    id: typeof meta.id === "string" ? meta.id : `pos-${seq ?? fallbackIndex}`,
    seq,
    role,
    runId: typeof meta.runId === "string" ? meta.runId : null,
    at: typeof message.timestamp === "number" ? new Date(message.timestamp).toISOString() : null,
    text: role === "tool" && rawText.length > TOOL_TEXT_MAX ? `${rawText.slice(0, TOOL_TEXT_MAX)}…` : rawText,
    toolCalls: role === "assistant" ? toolCallsOf(message) : [],
    tool:
      role === "tool"
        ? { callId: message.toolCallId ?? null, name: message.toolName ?? null, isError: message.isError === true }
        : null,
    stopReason: message.stopReason ?? null,
    error: failed ? (message.errorMessage ?? (rawText || message.stopReason) ?? null) : null,
    model: message.model ? `${message.provider ? `${message.provider}/` : ""}${message.model}` : null,
    usage: usage ? { input: num(usage.input), output: num(usage.output), total: num(usage.totalTokens) } : null,
  };
}
