import {
  type AgentEvent,
  agentLifecycle,
  type ChatEvent,
  isGatewayInterruption,
  messageText,
  type TurnOutcome,
} from "@missionctl/gateway-client";
import { deliveryKeys } from "@missionctl/mc-store";
import type { AppContext, OutboxItem } from "./context.js";
import { taskIdFromSessionKey } from "./context.js";

/** What a RunFollower needs from the outbox worker. */
export interface RunHooks {
  /** Look at the session's transcript for this delivery soon (an event it cannot judge alone). */
  check(item: OutboxItem, why: string): void;
  /** A delivery is due again (re-delivery after an interrupted turn). */
  kick(): void;
}

type Settled = Exclude<TurnOutcome, { kind: "open" } | { kind: "absent" }>;

/**
 * Follows the gateway's `chat` and `agent` events of task sessions (and of sessions the dashboard
 * sent a message into) and settles deliveries:
 * a reply (task → review), an error of the agent's run (task → failed with its message), or a
 * turn the gateway ended without a reply (delivered again under a new key). It follows the
 * session, not only the run id: an event of a run it does not know (the gateway continuing an
 * interrupted turn after a restart), or a final without text, is judged from the transcript by
 * the worker. Every outcome is applied once, guarded by the outbox item's state in the store
 * (a failed run sends two error events; a reply can be seen live and in chat.history).
 */
export class RunFollower {
  private readonly started = new Set<string>();
  private readonly unsubs: (() => void)[] = [];
  /** Last time a task session showed life, by outbox item id: a quiet delivery gets checked. */
  readonly activity = new Map<number, number>();

  constructor(
    private readonly ctx: AppContext,
    private readonly hooks: RunHooks,
  ) {}

  start(): void {
    this.unsubs.push(
      this.ctx.gateway.on("chat", (p) => this.onChat(p)),
      this.ctx.gateway.on("agent", (p) => this.onAgent(p)),
    );
  }

  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  /**
   * The open delivery an event belongs to: the task comes from the session key (a message sent
   * from the dashboard: the session's task-less deliveries); the run id is its current send key,
   * an older key of it (`stale`), or unknown (a run the gateway started).
   */
  private deliveryFor(payload: {
    runId: string;
    sessionKey?: string | undefined;
  }): { item: OutboxItem; match: "current" | "stale" | "unknown" } | undefined {
    const taskId = taskIdFromSessionKey(payload.sessionKey);
    if (!taskId && !payload.sessionKey) return undefined;
    const runId = payload.runId;
    let items: OutboxItem[];
    try {
      items = taskId
        ? this.ctx.store.outbox.listByTask(taskId)
        : this.ctx.store.outbox.listBySession(payload.sessionKey!).filter((i) => i.taskId === null);
    } catch {
      return undefined; // task deleted meanwhile
    }
    let own = items.find((i) => deliveryKeys(i).includes(runId));
    // A message sent from the dashboard into a task's session is a delivery of its own.
    if (!own && taskId && payload.sessionKey) {
      try {
        own = this.ctx.store.outbox
          .listBySession(payload.sessionKey)
          .find((i) => i.taskId === null && deliveryKeys(i).includes(runId));
      } catch {
        own = undefined;
      }
    }
    if (own) {
      if (own.state !== "pending" && own.state !== "sent") return undefined; // settled: a late event
      return { item: own, match: own.sendKey === runId ? "current" : "stale" };
    }
    const open = [...items].reverse().find((i) => i.state === "pending" || i.state === "sent");
    return open ? { item: open, match: "unknown" } : undefined;
  }

  private onAgent(p: AgentEvent): void {
    const found = this.deliveryFor(p);
    if (!found) return;
    this.activity.set(found.item.id, Date.now());
    const life = agentLifecycle(p);
    if (life?.phase === "start" && found.match !== "stale")
      this.markStarted(found.item, p.runId, { sessionId: life.sessionId });
  }

  private onChat(p: ChatEvent): void {
    const found = this.deliveryFor(p);
    if (!found) return;
    const { item, match } = found;
    this.activity.set(item.id, Date.now());
    const state = p.state;
    if (match === "stale") return; // a run of an earlier send of this delivery, already judged
    const runId = p.runId;
    if (state === "status") {
      this.markStarted(item, runId, { phase: p.phase ?? null });
      return;
    }
    if (state !== "final" && state !== "error" && state !== "aborted") return;
    // Stopped from the dashboard: settled as who stopped it, never delivered again.
    const by = state === "aborted" && match === "current" ? this.ctx.abortedBy(item.sessionKey, runId) : null;
    if (by) {
      this.settle(item, { kind: "error", error: `aborted by ${by}`, runId }, "event");
      return;
    }
    if (match === "unknown") {
      this.hooks.check(item, `a ${state} of run ${runId} in the task's session`);
      return;
    }
    if (state === "final" || state === "aborted") {
      const text = messageText(p.message);
      const failed = state === "aborted" || p.stopReason === "error" || p.stopReason === "aborted";
      if (failed || text.trim() === "") {
        // Not a reply: the transcript says what happened to the turn.
        this.hooks.check(item, `a final without a reply (${p.stopReason ?? "no text"})`);
        return;
      }
      this.settle(item, { kind: "reply", text, runId }, "event");
      return;
    }
    const message = p.errorMessage ?? "the agent run failed";
    this.settle(
      item,
      isGatewayInterruption(message)
        ? { kind: "interrupted", error: message, runId }
        : { kind: "error", error: message, runId },
      "event",
    );
  }

  private markStarted(item: OutboxItem, runId: string | null, extra: Record<string, unknown>): void {
    const key = `${item.id}:${runId ?? item.sendKey}`;
    if (this.started.has(key)) return;
    this.started.add(key);
    if (this.started.size > 10_000) this.started.clear();
    this.append(item.taskId, "run.started", { runId: runId ?? item.sendKey, ...extra });
  }

  /**
   * Applies an outcome to the delivery and its task. The outbox item's state decides whether it
   * is new: an item already acknowledged (or failed) is left alone.
   */
  settle(item: OutboxItem, outcome: Settled, source: "event" | "history"): void {
    const { store, log } = this.ctx;
    const runId = outcome.runId ?? item.sendKey;
    try {
      // One transaction: a crash never leaves a settled delivery with its task still waiting.
      store.transaction(() => this.apply(item, outcome, source, runId));
    } catch (err) {
      log.error("could not record the outcome of a run", {
        taskId: item.taskId,
        runId,
        outcome: outcome.kind,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private apply(item: OutboxItem, outcome: Settled, source: "event" | "history", runId: string): void {
    const { store, log } = this.ctx;
    {
      const current = store.outbox.get(item.id);
      if (current.state !== "pending" && current.state !== "sent") return;
      if (outcome.kind === "interrupted") {
        const next = store.outbox.redeliver(item.id, { error: `interrupted by the gateway: ${outcome.error}` });
        this.activity.delete(item.id);
        if (next.state === "failed") {
          this.failTask(item, `the gateway ended every delivery before a reply: ${outcome.error}`, source, runId);
          return;
        }
        this.append(item.taskId, "run.interrupted", {
          runId,
          error: outcome.error,
          redelivery: next.redeliveries,
          sendKey: next.sendKey,
        });
        log.warn("task run ended before a reply; delivering the task again", {
          taskId: item.taskId,
          runId,
          sendKey: next.sendKey,
          error: outcome.error,
        });
        this.hooks.kick();
        return;
      }
      store.outbox.markAcknowledged(item.id, {
        payload:
          outcome.kind === "reply"
            ? { outcome: "reply", text: outcome.text, runId }
            : { outcome: "error", error: outcome.error, runId },
      });
      this.activity.delete(item.id);
      if (outcome.kind === "error") {
        this.failTask(item, outcome.error, source, runId);
        return;
      }
      if (!item.taskId) {
        log.info("session message answered", { sessionKey: item.sessionKey, runId, source });
        return;
      }
      if (!this.ownsTask(item)) return;
      this.append(item.taskId, "run.reply", { runId, text: outcome.text, source });
      store.tasks.transition(item.taskId, "review", {
        actor: "gateway",
        reason: "the agent run finished",
        payload: { runId },
      });
      log.info("task run finished", { taskId: item.taskId, runId, source });
    }
  }

  /** The task fails with `message`; the caller settles the outbox item in the same transaction. */
  failTask(item: OutboxItem, message: string, source: "event" | "history" | "dispatch", runId?: string): void {
    if (!item.taskId) {
      this.ctx.log.warn("session message failed", { sessionKey: item.sessionKey, runId, error: message });
      return;
    }
    if (!this.ownsTask(item)) return;
    // Stopped from the dashboard (see onChat): recorded as an abort, not as the agent's error.
    const type = /^aborted by /.test(message) ? "run.aborted" : "run.error";
    this.append(item.taskId, type, { runId: runId ?? item.sendKey, error: message, source });
    this.ctx.store.tasks.transition(item.taskId, "failed", {
      actor: "gateway",
      reason: message,
      payload: { runId: runId ?? item.sendKey },
    });
    this.ctx.log.warn("task run failed", { taskId: item.taskId, runId: runId ?? item.sendKey, error: message });
  }

  /** The delivery is still worth sending or settling: a message always, a dispatch while it owns its task. */
  isWanted(item: OutboxItem): boolean {
    return item.taskId === null || this.ownsTask(item);
  }

  /** This delivery still speaks for its task: the task waits for it and no later dispatch replaced it. */
  ownsTask(item: OutboxItem): item is OutboxItem & { taskId: string } {
    if (!item.taskId) return false;
    try {
      const task = this.ctx.store.tasks.get(item.taskId);
      if (task.status !== "in_progress" || task.sessionKey !== item.payload.sessionKey) return false;
      return this.ctx.store.outbox.listByTask(item.taskId).every((i) => i.id <= item.id);
    } catch {
      return false;
    }
  }

  private append(taskId: string | null, type: string, payload: Record<string, unknown>): void {
    if (!taskId) return; // a message sent from the dashboard: no task to record it on
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
