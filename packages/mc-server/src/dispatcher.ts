import { randomUUID } from "node:crypto";
import { chatHistory, chatSend, GatewayError, isTransientRequestError } from "@missionctl/gateway-client";
import { computeBackoffMs } from "@missionctl/mc-store";
import type { AppContext, OutboxItem } from "./context.js";
import { ApiError } from "./errors.js";
import { findRunReply, messageText, type RunFollower } from "./runs.js";

export interface DispatcherOptions {
  /** How long a claimed item stays ours before another worker (or our next life) may retry it. */
  leaseMs?: number;
  /** Safety poll: items whose retry time has come are picked up even without a kick. */
  pollMs?: number;
  /** Retry delays after a failed delivery: the store's backoff (initial × 2^(attempt-1), capped, jittered). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  batch?: number;
}

/**
 * The outbox worker: claims due `chat.send` items with a lease and delivers each exactly once.
 * chat.send's own idempotency lives in the gateway's memory for ~5 minutes and is lost when the
 * gateway restarts, so before every (re)send the worker looks for the run's reply in
 * chat.history: a reply there means the message was delivered and answered already.
 */
export class Dispatcher {
  readonly workerId = `mc-server-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly batch: number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  /** Which gateway boot each delivery went to: a different boot after reconnect means the run died with it. */
  private readonly sentToBoot = new Map<number, string | null>();
  private unsubState: (() => void) | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly runs: RunFollower,
    opts: DispatcherOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 1_000;
    this.retryInitialMs = opts.retryInitialMs ?? 1_000;
    this.retryMaxMs = opts.retryMaxMs ?? 30_000;
    this.batch = opts.batch ?? 8;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref?.();
    this.unsubState = this.ctx.gateway.onState((s, previous) => {
      if (s.state === "connected" && previous !== "connected") void this.reconcile().finally(() => this.kick());
    });
    if (this.ctx.gateway.state === "connected") void this.reconcile().finally(() => this.kick());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubState?.();
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  /** Runs a pass now, or right after the current one. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.pass();
  }

  private async pass(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        if (this.ctx.gateway.state !== "connected") return;
        const items = this.ctx.store.outbox.claimDue({
          workerId: this.workerId,
          leaseMs: this.leaseMs,
          limit: this.batch,
        });
        if (items.length === 0) continue;
        await Promise.all(items.map((item) => this.deliver(item)));
        this.again = true;
      } while (this.again && !this.stopped);
    } catch (err) {
      this.ctx.log.error("dispatcher pass failed", { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.running = false;
    }
  }

  /**
   * After every (re)connect: deliveries that were sent but never answered are looked up in
   * chat.history. Answered → finished now (the events were missed). Not answered → queued
   * again; the re-send carries the same idempotency key, which the gateway de-duplicates while
   * the run is alive, and the history check before sending covers a gateway that restarted.
   */
  async reconcile(): Promise<void> {
    const { store, log, gateway } = this.ctx;
    const open: OutboxItem[] = [];
    try {
      const { items } = store.tasks.list({ status: "in_progress", limit: 500 });
      for (const t of items) for (const i of store.outbox.listByTask(t.id)) if (i.state === "sent") open.push(i);
    } catch (err) {
      log.error("reconcile: could not read the outbox", { error: err instanceof Error ? err.message : String(err) });
      return;
    }
    for (const item of open) {
      if (gateway.state !== "connected") return;
      try {
        const reply = await this.replyInHistory(item);
        if (reply) {
          this.runs.complete(item, {
            text: messageText(reply),
            stopReason: (reply.stopReason as string) ?? null,
            source: "history",
          });
          continue;
        }
        const sentTo = this.sentToBoot.get(item.id);
        const sameBoot = sentTo !== undefined && sentTo !== null && sentTo === gateway.bootId;
        // Same gateway process: the run is alive and its events will still come.
        if (sameBoot) continue;
        store.outbox.markFailed(item.id, {
          error: "the gateway restarted before the run answered; re-sending",
          retryAt: new Date(),
        });
        log.info("re-queued an unanswered delivery", { taskId: item.taskId, runId: item.idempotencyKey });
      } catch (err) {
        log.warn("reconcile: could not check a delivery", {
          taskId: item.taskId,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  private async replyInHistory(item: OutboxItem): Promise<Record<string, unknown> | undefined> {
    const history = await chatHistory(this.ctx.gateway, { sessionKey: item.payload.sessionKey }, { timeoutMs: 15_000 });
    return findRunReply(history.messages, item.idempotencyKey);
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const { store, log, gateway } = this.ctx;
    const key = item.idempotencyKey;
    try {
      if (this.runs.isFinished(key)) {
        store.outbox.markSent(item.id, { runId: key });
        return;
      }
      const reply = await this.replyInHistory(item);
      if (reply) {
        store.outbox.markSent(item.id, { runId: key });
        this.runs.complete(item, {
          text: messageText(reply),
          stopReason: (reply.stopReason as string) ?? null,
          source: "history",
        });
        return;
      }
      this.runs.resetInterrupted(key);
      const ack = await chatSend(
        gateway,
        { sessionKey: item.payload.sessionKey, message: item.payload.message, idempotencyKey: key },
        { timeoutMs: 30_000 },
      );
      this.sentToBoot.set(item.id, gateway.bootId);
      store.outbox.markSent(item.id, { runId: ack?.runId ?? key });
      store.taskEvents.append(item.taskId, {
        actor: "dispatcher",
        type: "dispatch.sent",
        payload: {
          runId: ack?.runId ?? key,
          status: ack?.status ?? null,
          attempt: item.attempts,
          sessionKey: item.payload.sessionKey,
        },
      });
      log.info("task dispatched", { taskId: item.taskId, runId: key, status: ack?.status, attempt: item.attempts });
      // "ok" = the gateway answered this key before (its cache): no events will follow.
      if (ack?.status === "ok") {
        const late = await this.replyInHistory(item);
        if (late)
          this.runs.complete(item, {
            text: messageText(late),
            stopReason: (late.stopReason as string) ?? null,
            source: "history",
          });
      }
    } catch (err) {
      this.onDeliveryError(item, err);
    }
  }

  private onDeliveryError(item: OutboxItem, err: unknown): void {
    const { store, log } = this.ctx;
    const code = err instanceof GatewayError || err instanceof ApiError ? err.code : "INTERNAL";
    const message = err instanceof Error ? err.message : String(err);
    // The connection failed, not the request: the same chat.send (same idempotency key) may succeed later.
    const retryable = isTransientRequestError(err) || (err instanceof ApiError && err.code === "GATEWAY_NOT_CONNECTED");
    try {
      if (retryable) {
        const delay = computeBackoffMs(item.attempts, {
          baseDelayMs: this.retryInitialMs,
          maxDelayMs: this.retryMaxMs,
        });
        const after = store.outbox.markFailed(item.id, {
          error: `${code}: ${message}`,
          retryAt: new Date(Date.now() + delay),
        });
        if (after.state !== "failed") {
          log.warn("delivery failed; will retry", {
            taskId: item.taskId,
            runId: item.idempotencyKey,
            code,
            retryInMs: delay,
          });
          return;
        }
        // The store gave up (too many attempts): fall through and fail the task visibly.
      } else {
        store.outbox.markFailed(item.id, { error: `${code}: ${message}`, terminal: true });
      }
      store.taskEvents.append(item.taskId, {
        actor: "dispatcher",
        type: "dispatch.failed",
        payload: { runId: item.idempotencyKey, code, error: message },
      });
      this.runs.fail(item, `dispatch refused by the gateway: ${message}`, "dispatch");
      log.error("delivery refused by the gateway", {
        taskId: item.taskId,
        runId: item.idempotencyKey,
        code,
        error: message,
      });
    } catch (e) {
      log.error("could not record a failed delivery", {
        taskId: item.taskId,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
