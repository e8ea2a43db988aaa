import type { ChatMessage } from "./chat.js";
import { messageText } from "./chat.js";

// How a session's transcript (chat.history) answers one chat.send (openclaw 2026.9.6, observed
// on the wire across gateway restarts, drains and recoveries).

const GATEWAY_INTERRUPTION = new RegExp(
  [
    "draining",
    "shutting down",
    "gateway (is )?restarting",
    "service restart",
    "interrupted by a gateway restart",
    "CoordinatorContention",
    "another OpenClaw process owns",
  ].join("|"),
  "i",
);

/**
 * A run the gateway refused or cut for reasons of its own, before the agent did anything: it
 * was shutting down ("Gateway is draining; new tasks are not accepted", "Gateway is
 * restarting"), or, just after a restart, its state database was still held by its previous
 * process ("StateDatabaseCoordinatorContentionError: another OpenClaw process owns
 * state-lifecycle"). Sending the message again is right; failing the task is not.
 */
export function isGatewayInterruption(text: string): boolean {
  return GATEWAY_INTERRUPTION.test(text);
}

/** What a session's transcript says about one chat.send. */
export type TurnOutcome =
  /** An answer of the agent (whichever run wrote it: the gateway may continue a turn under its own run id). */
  | { kind: "reply"; text: string; runId: string | null }
  /** The agent's run failed for a reason of its own (the model refused, …). */
  | { kind: "error"; error: string; runId: string | null }
  /** The turn ended without a reply because the gateway stopped or refused it: send the message again. */
  | { kind: "interrupted"; error: string; runId: string | null }
  /** The message is in the session (or queued) and nothing answered it yet. */
  | { kind: "open" }
  /** The message is not in the session. */
  | { kind: "absent" };

/** What turnOutcome and sessionIsBusy read of a chat.history answer. */
export interface TranscriptView {
  messages?: readonly unknown[] | undefined;
  pendingInputs?: unknown;
  sessionInfo?: unknown;
}

/** Stop reasons of an assistant message that hands over to a tool: the turn goes on after it. */
const TOOL_STOPS = new Set(["toolUse", "tool_use", "tool_calls", "toolCalls"]);
/** The transcript entry the gateway writes when a run failed before it replied. */
const FAILED_BEFORE_REPLY = "run-failed-before-reply";

type Entry = ChatMessage & { customType?: unknown };

const runIdOf = (m: Entry): string | null => (typeof m.__openclaw?.runId === "string" ? m.__openclaw.runId : null);

/** The transcript stores a chat.send's message under `<idempotencyKey>:user`. */
function sentKeyOf(m: Entry): string | null {
  return m.role === "user" && typeof m.idempotencyKey === "string" && m.idempotencyKey.endsWith(":user")
    ? m.idempotencyKey.slice(0, -":user".length)
    : null;
}

interface PendingInput {
  runId?: unknown;
  state?: unknown;
}

function pendingOf(history: TranscriptView | null | undefined): PendingInput[] {
  const items = (history?.pendingInputs as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? items.filter((p): p is PendingInput => !!p && typeof p === "object") : [];
}

/**
 * An accepted input waits to run while it is "queued" (chat.history's pendingInputs states are
 * queued, cancelled, interrupted). An "interrupted" one belonged to a turn that died with the
 * gateway and will not run by itself; a "cancelled" one will not run either.
 */
const isLive = (p: PendingInput) => p.state === undefined || p.state === "queued";

/**
 * The outcome of the chat.send made with `idempotencyKey`, read from its session: the first
 * answer after its message, up to the next message sent under a key `isBoundary` accepts (the
 * caller's next delivery to this session). The session, not the run id, decides: a turn the
 * gateway continued after a restart answers under a run id of its own, after a user message of
 * its own, and is still this message's answer. An empty final and the text before a tool call
 * are not replies; a "This turn ended before a reply" entry or an error written while the
 * gateway stopped (isGatewayInterruption) means the message must be sent again.
 */
export function turnOutcome(
  history: TranscriptView | null | undefined,
  idempotencyKey: string,
  isBoundary: (key: string) => boolean,
): TurnOutcome {
  const messages = history?.messages;
  // Accepted but not in the transcript yet: queued behind another turn (open), or left behind by
  // a turn that died with the gateway (interrupted: it will not run by itself).
  const input = pendingOf(history).find((p) => p.runId === idempotencyKey);
  const notStored = (): TurnOutcome =>
    !input
      ? { kind: "absent" }
      : isLive(input)
        ? { kind: "open" }
        : { kind: "interrupted", error: `the gateway left the message ${String(input.state)}, not run`, runId: null };
  if (!Array.isArray(messages)) return notStored();
  let start = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Entry | null;
    if (m && typeof m === "object" && sentKeyOf(m) === idempotencyKey) {
      start = i;
      break;
    }
  }
  if (start === -1) return notStored();
  let interrupted: TurnOutcome | null = null;
  for (let i = start + 1; i < messages.length; i++) {
    const m = messages[i] as Entry | null;
    if (!m || typeof m !== "object") continue;
    const key = sentKeyOf(m);
    if (key !== null && key !== idempotencyKey && isBoundary(key)) break;
    const body = messageText(m);
    if (typeof m.customType === "string" || m.role === "custom") {
      if (m.customType === FAILED_BEFORE_REPLY || /ended before a reply/i.test(body)) {
        const why = body.replace(/^.*ended before a reply:\s*/is, "") || body;
        if (isGatewayInterruption(why)) interrupted ??= { kind: "interrupted", error: why, runId: runIdOf(m) };
        else return { kind: "error", error: why, runId: runIdOf(m) };
      }
      continue;
    }
    if (m.role !== "assistant") continue;
    const failed = m.stopReason === "error" || m.stopReason === "aborted";
    if (failed) {
      const error = `${body} ${typeof m.errorMessage === "string" ? m.errorMessage : ""}`.trim();
      if (isGatewayInterruption(error)) interrupted ??= { kind: "interrupted", error, runId: runIdOf(m) };
      else return { kind: "error", error: error || `the run ended with ${String(m.stopReason)}`, runId: runIdOf(m) };
      continue;
    }
    if (body.trim() === "" || TOOL_STOPS.has(String(m.stopReason))) continue;
    return { kind: "reply", text: body, runId: runIdOf(m) };
  }
  return interrupted ?? { kind: "open" };
}

/**
 * A turn is running in the session, or waiting to: an active run (chat.history's sessionInfo),
 * the gateway's "running" status (kept across its restart until it has continued the turn), or
 * inputs it accepted and has not run yet.
 */
export function sessionIsBusy(history: TranscriptView | null | undefined): boolean {
  const pending = pendingOf(history);
  if (pending.some(isLive)) return true;
  // A total beyond the items listed: inputs on another page, counted as waiting.
  const total = (history?.pendingInputs as { total?: unknown } | undefined)?.total;
  if (typeof total === "number" && total > pending.length) return true;
  const info = history?.sessionInfo as { hasActiveRun?: unknown; activeRunIds?: unknown; status?: unknown } | undefined;
  if (!info || typeof info !== "object") return false;
  return (
    info.hasActiveRun === true ||
    (Array.isArray(info.activeRunIds) && info.activeRunIds.length > 0) ||
    info.status === "running"
  );
}
