import type { AgentEvent, ChatEvent } from "@missionctl/gateway-client";
import type { AppContext, OutboxItem } from "./context.js";
import { taskIdFromSessionKey } from "./context.js";

/** The text of a gateway chat message: a string, or content parts of type "text". */
export function messageText(message: unknown): string {
  if (!message || typeof message !== "object") return typeof message === "string" ? message : "";
  const content = (message as { content?: unknown }).content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((p) =>
        p && typeof p === "object" && (p as { type?: unknown }).type === "text"
          ? String((p as { text?: unknown }).text ?? "")
          : "",
      )
      .join("");
  }
  return "";
}

/**
 * A run the gateway refused or cut because it was shutting down ("Gateway is draining; new
 * tasks are not accepted"): nothing the agent did, so the delivery is retried, not failed.
 */
export function isTransientRunError(text: string): boolean {
  return /draining|shutting down|gateway (is )?restarting|service restart/i.test(text);
}

/**
 * The assistant message a run with this id left in chat.history, if any. An error the gateway
 * wrote while draining for a restart does not count: that run never reached the agent.
 */
export function findRunReply(messages: unknown, runId: string): Record<string, unknown> | undefined {
  if (!Array.isArray(messages)) return undefined;
  return messages.find((m) => {
    if (!m || typeof m !== "object") return false;
    const msg = m as { role?: unknown; stopReason?: unknown; errorMessage?: unknown; __openclaw?: { runId?: unknown } };
    if (msg.role !== "assistant" || msg.__openclaw?.runId !== runId) return false;
    const failed = msg.stopReason === "error" || msg.stopReason === "aborted";
    return !(failed && isTransientRunError(`${messageText(m)} ${String(msg.errorMessage ?? "")}`));
  }) as Record<string, unknown> | undefined;
}

/**
 * Follows the gateway's `chat` and `agent` events for task sessions and turns them into task
 * events: run started, reply (task → review), error (task → failed with the gateway's message).
 * Every outcome is applied at most once per run: a failed run sends two `chat` error events,
 * and a reply can be seen both live and in chat.history after a reconnect.
 */
export class RunFollower {
  private readonly started = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly interruptedKeys = new Set<string>();
  private readonly unsubs: (() => void)[] = [];

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    this.unsubs.push(
      this.ctx.gateway.on("chat", (p) => this.onChat(p)),
      this.ctx.gateway.on("agent", (p) => this.onAgent(p)),
    );
  }

  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  /** The outbox item behind an event, found by the task in its session key and the run id. */
  private itemFor(payload: { runId: string; sessionKey?: string }): OutboxItem | undefined {
    const runId = payload.runId;
    const taskId = taskIdFromSessionKey(payload.sessionKey);
    if (!taskId) return undefined;
    try {
      return this.ctx.store.outbox.listByTask(taskId).find((i) => i.idempotencyKey === runId || i.runId === runId);
    } catch {
      return undefined; // task deleted meanwhile
    }
  }

  private onAgent(p: AgentEvent): void {
    if (p.stream === "lifecycle" && p.data.phase === "start") {
      const item = this.itemFor(p);
      if (item) this.markStarted(item, { sessionId: p.sessionId ?? p.data.sessionId ?? null });
    }
  }

  private onChat(p: ChatEvent): void {
    const state = p.state;
    if (state !== "final" && state !== "error" && state !== "status") return;
    const item = this.itemFor(p);
    if (!item) return;
    if (state === "status") this.markStarted(item, { phase: p.phase ?? null });
    else if (state === "final")
      this.complete(item, { text: messageText(p.message), stopReason: p.stopReason ?? null, source: "event" });
    else {
      const message = String(p.errorMessage ?? p.error ?? "the agent run failed");
      if (isTransientRunError(message)) this.interrupted(item, message);
      else this.fail(item, message, "event");
    }
  }

  /** The gateway dropped the run while shutting down: deliver again once it is back. */
  private interrupted(item: OutboxItem, message: string): void {
    const key = item.idempotencyKey;
    if (this.finished.has(key) || this.interruptedKeys.has(key)) return;
    this.interruptedKeys.add(key);
    this.started.delete(key);
    const { store, log } = this.ctx;
    try {
      const current = store.outbox.get(item.id);
      if (current.state === "sent" || current.state === "pending") {
        store.outbox.markFailed(item.id, {
          error: `interrupted by the gateway: ${message}`,
          retryAt: new Date(Date.now() + 2_000),
        });
      }
      this.append(item.taskId, "run.interrupted", { runId: key, error: message });
      log.warn("task run interrupted by the gateway; delivering again", {
        taskId: item.taskId,
        runId: key,
        error: message,
      });
    } catch (err) {
      log.error("could not re-queue an interrupted run", {
        taskId: item.taskId,
        runId: key,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** Called when a delivery is (re)sent: a new run with this key may be interrupted again. */
  resetInterrupted(runId: string): void {
    this.interruptedKeys.delete(runId);
  }

  private markStarted(item: OutboxItem, extra: Record<string, unknown>): void {
    const key = item.idempotencyKey;
    if (this.started.has(key) || this.finished.has(key)) return;
    this.started.add(key);
    this.append(item.taskId, "run.started", { runId: key, ...extra });
  }

  /** The run finished with a reply: record it, task → review, outbox item acknowledged. */
  complete(item: OutboxItem, reply: { text: string; stopReason?: string | null; source: "event" | "history" }): void {
    const key = item.idempotencyKey;
    if (this.finished.has(key)) return;
    if (reply.stopReason === "error" || reply.stopReason === "aborted") {
      // Only a failed run is judged by its text: an agent's reply may well quote the word "draining".
      if (isTransientRunError(reply.text)) this.interrupted(item, reply.text);
      else this.fail(item, reply.text || `the run ended with ${reply.stopReason}`, reply.source);
      return;
    }
    this.finished.add(key);
    this.started.delete(key);
    const { store, log } = this.ctx;
    try {
      const current = store.outbox.get(item.id);
      if (current.state !== "acknowledged")
        store.outbox.markAcknowledged(item.id, { payload: { outcome: "reply", text: reply.text } });
      const task = store.tasks.get(item.taskId);
      // A later dispatch of the same task owns the task's status now.
      if (task.status !== "in_progress" || task.sessionKey !== item.payload.sessionKey || !this.isLatest(item)) return;
      this.append(item.taskId, "run.reply", { runId: key, text: reply.text, source: reply.source });
      store.tasks.transition(item.taskId, "review", {
        actor: "gateway",
        reason: "the agent run finished",
        payload: { runId: key },
      });
      log.info("task run finished", { taskId: item.taskId, runId: key, source: reply.source });
    } catch (err) {
      log.error("could not record a finished run", {
        taskId: item.taskId,
        runId: key,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** The run failed: record the gateway's message, task → failed. */
  fail(item: OutboxItem, message: string, source: "event" | "history" | "dispatch"): void {
    const key = item.idempotencyKey;
    if (this.finished.has(key)) return;
    this.finished.add(key);
    this.started.delete(key);
    const { store, log } = this.ctx;
    try {
      const current = store.outbox.get(item.id);
      if (current.state !== "acknowledged" && source !== "dispatch")
        store.outbox.markAcknowledged(item.id, { payload: { outcome: "error", error: message } });
      const task = store.tasks.get(item.taskId);
      if (task.status !== "in_progress" || !this.isLatest(item)) return;
      this.append(item.taskId, "run.error", { runId: key, error: message, source });
      store.tasks.transition(item.taskId, "failed", { actor: "gateway", reason: message, payload: { runId: key } });
      log.warn("task run failed", { taskId: item.taskId, runId: key, error: message });
    } catch (err) {
      log.error("could not record a failed run", {
        taskId: item.taskId,
        runId: key,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  isFinished(runId: string): boolean {
    return this.finished.has(runId);
  }

  private isLatest(item: OutboxItem): boolean {
    const items = this.ctx.store.outbox.listByTask(item.taskId);
    return items.every((i) => i.id <= item.id);
  }

  private append(taskId: string, type: string, payload: Record<string, unknown>): void {
    try {
      this.ctx.store.taskEvents.append(taskId, { actor: "gateway", type, payload });
    } catch (err) {
      this.ctx.log.warn("could not append a task event", {
        taskId,
        type,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
