import { randomUUID } from "node:crypto";
import {
  chatHistory,
  chatSend,
  GatewayError,
  isTransientRequestError,
  sessionIsBusy,
  type TurnOutcome,
  turnOutcome,
} from "@missionctl/gateway-client";
import { computeBackoffMs, deliveryKeyPrefix, StoreError } from "@missionctl/mc-store";
import type { AppContext, OutboxItem } from "./context.js";
import { ApiError } from "./errors.js";
import type { RunFollower } from "./runs.js";

export interface DispatcherOptions {
  /** How long a claimed item stays ours before another worker (or our next life) may retry it. */
  leaseMs?: number;
  /** Safety poll: items whose retry time has come are picked up even without a kick. */
  pollMs?: number;
  /** Retry delays after a delivery that did not reach the gateway: capped exponential, with jitter. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  batch?: number;
  /** A sent delivery without any sign of life for this long is looked up in its session. */
  quietMs?: number;
  /** A delivery whose message sits in an idle session without an answer for this long is sent again. */
  idleGraceMs?: number;
}

/** Refusals no retry can change: the fix is on the operator's side. */
const REFUSAL_CODES = new Set([
  "MISSING_SCOPE",
  "AUTH_TOKEN_MISMATCH",
  "AUTH_TOKEN_MISSING",
  "AUTH_SCOPE_MISMATCH",
  "AUTH_DEVICE_TOKEN_MISMATCH",
  "AUTH_PASSWORD_MISMATCH",
  "PAIRING_REQUIRED",
  "REQUEST_TOO_LARGE",
]);

/**
 * Whether a failed step of a delivery may be retried, judged by what happened rather than by
 * a flag: anything that failed before the message could reach an agent (the connection, a
 * gateway that is shutting down or starting, the pre-send look into the session) is retried;
 * a refusal of the message itself (invalid, too large, missing scope) fails the task with the
 * gateway's reason. A timed-out chat.send is retried too: the next attempt looks into the
 * session first, so a message that did arrive is not sent twice.
 */
export function classifyDeliveryFailure(
  err: unknown,
  step: "check" | "send",
): { retry: boolean; code: string; message: string; retryAfterMs?: number } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ApiError) return { retry: err.code === "GATEWAY_NOT_CONNECTED", code: err.code, message };
  if (err instanceof StoreError) return { retry: err.code === "BUSY", code: err.code, message };
  if (!(err instanceof GatewayError)) return { retry: false, code: "INTERNAL", message };
  const base = { code: err.code, message, ...(err.retryAfterMs ? { retryAfterMs: err.retryAfterMs } : {}) };
  if (REFUSAL_CODES.has(err.code)) return { retry: false, ...base };
  // The connection failed (not connected, dropped, timed out), or the gateway did not run it (UNAVAILABLE).
  if (isTransientRequestError(err)) return { retry: true, ...base };
  return { retry: step === "check", ...base };
}

/**
 * The outbox worker: claims due `chat.send` items with a lease and delivers each exactly once.
 * The gateway keeps chat.send's idempotency in memory only, so the session's transcript is the
 * truth: before every (re)send the worker reads chat.history, and a message already there is
 * never sent again under its key. An answer there settles the delivery; a turn that ended
 * without one (drained, cut by a restart, or left idle) is delivered again under a new key so
 * that the next run carries the task; a turn still running (or that the gateway continues after
 * its restart) is waited for. Sent deliveries are checked again after every reconnect and
 * whenever they have been quiet for a while, so none stays stuck.
 */
export class Dispatcher {
  readonly workerId = `mc-server-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly batch: number;
  private readonly quietMs: number;
  private readonly idleGraceMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private scheduled = false;
  private stopped = false;
  /** Consecutive failed steps per item since the gateway last came back: the retry delay grows with them. */
  private readonly failures = new Map<number, number>();
  /** When each open delivery was first seen unanswered in an idle session. */
  private readonly idleSince = new Map<number, number>();
  private readonly lastCheck = new Map<number, number>();
  private readonly checks = new Map<number, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private unsubState: (() => void) | null = null;
  private runs!: RunFollower;

  constructor(
    private readonly ctx: AppContext,
    opts: DispatcherOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 1_000;
    this.retryInitialMs = opts.retryInitialMs ?? 500;
    this.retryMaxMs = opts.retryMaxMs ?? 15_000;
    this.batch = opts.batch ?? 8;
    this.quietMs = opts.quietMs ?? 15_000;
    this.idleGraceMs = opts.idleGraceMs ?? 60_000;
  }

  /** The run follower that applies outcomes (it calls back into check() and kick()). */
  attach(runs: RunFollower): void {
    this.runs = runs;
  }

  start(): void {
    let lastSweep = 0;
    this.timer = setInterval(() => {
      this.kick();
      if (Date.now() - lastSweep >= 2_000) {
        lastSweep = Date.now();
        this.sweep();
      }
    }, this.pollMs);
    this.timer.unref?.();
    this.unsubState = this.ctx.gateway.onState((s, previous) => {
      if (s.state === "connected" && previous !== "connected") this.onConnected();
    });
    if (this.ctx.gateway.state === "connected") this.onConnected();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubState?.();
    for (const t of this.checks.values()) clearTimeout(t);
    this.checks.clear();
    while (this.running) await new Promise((r) => setTimeout(r, 20));
    // Requests still out end with the connection; do not hold a shutdown for their timeouts.
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, 2_000).unref())]);
  }

  /**
   * The gateway is (back) up: retry delays start over and waiting items are due now, so
   * deliveries go out at once; every open delivery is looked up in its session.
   */
  private onConnected(): void {
    this.failures.clear();
    this.idleSince.clear();
    try {
      this.ctx.store.outbox.wakePending();
    } catch (err) {
      this.ctx.log.warn("could not wake waiting deliveries", { error: errorText(err) });
    }
    this.kick();
    for (const item of this.openDeliveries()) this.check(item, "reconnected", 0);
  }

  /** Runs a pass soon (never inside the caller's transaction), or right after the current one. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pass();
    });
  }

  private async pass(): Promise<void> {
    if (this.running || this.stopped) return;
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
        await Promise.all(items.map((item) => this.track(this.deliver(item))));
        this.again = true;
      } while (this.again && !this.stopped);
    } catch (err) {
      this.ctx.log.error("dispatcher pass failed", { error: errorText(err) });
    } finally {
      this.running = false;
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  private openDeliveries(): OutboxItem[] {
    try {
      return this.ctx.store.outbox.list({ state: "sent", limit: 10_000 });
    } catch (err) {
      this.ctx.log.error("could not read the open deliveries", { error: errorText(err) });
      return [];
    }
  }

  /** Looks up the delivery in its session after `delayMs` (coalesced per item). */
  check(item: OutboxItem, why: string, delayMs = 500): void {
    if (this.stopped || this.checks.has(item.id)) return;
    const timer = setTimeout(() => {
      this.checks.delete(item.id);
      void this.track(this.inspectSent(item.id, why));
    }, delayMs);
    timer.unref?.();
    this.checks.set(item.id, timer);
  }

  /** Deliveries that have been quiet for quietMs are checked: a missed event must not leave a task stuck. */
  private sweep(): void {
    if (this.stopped || this.ctx.gateway.state !== "connected") return;
    const now = Date.now();
    for (const item of this.openDeliveries()) {
      const seen = Math.max(
        this.runs.activity.get(item.id) ?? 0,
        this.lastCheck.get(item.id) ?? 0,
        item.sentAt ? Date.parse(item.sentAt) : 0,
      );
      if (now - seen >= this.quietMs) this.check(item, "quiet", 0);
    }
  }

  /** What the session says about the delivery's current send, and whether a run is busy there. */
  private async inspect(item: OutboxItem): Promise<{ outcome: TurnOutcome; busy: boolean }> {
    const history = await chatHistory(this.ctx.gateway, { sessionKey: item.payload.sessionKey }, { timeoutMs: 15_000 });
    // A task's turn ends at its next dispatch; a message's (a shared session) at the next message.
    const prefix = item.taskId ? deliveryKeyPrefix(item.taskId) : null;
    const outcome = turnOutcome(history, item.sendKey, (key) => prefix === null || key.startsWith(prefix));
    return { outcome, busy: sessionIsBusy(history) };
  }

  /** A sent delivery, looked up in its session: settle it, wait for it, or send it again. */
  private async inspectSent(id: number, why: string): Promise<void> {
    const { store, log, gateway } = this.ctx;
    if (gateway.state !== "connected") return;
    let item: OutboxItem;
    try {
      item = store.outbox.get(id);
    } catch {
      return; // task deleted
    }
    if (item.state !== "sent") return;
    this.lastCheck.set(id, Date.now());
    if (!this.runs.isWanted(item)) {
      // The task moved on (done, cancelled, dispatched again): this delivery's answer no longer matters.
      store.outbox.markAcknowledged(id, { payload: { outcome: "superseded" } });
      return;
    }
    let seen: { outcome: TurnOutcome; busy: boolean };
    try {
      seen = await this.inspect(item);
    } catch (err) {
      log.debug("could not look up a delivery in its session", { taskId: item.taskId, error: errorText(err) });
      return; // the sweep tries again
    }
    const { outcome, busy } = seen;
    if (outcome.kind === "reply" || outcome.kind === "error" || outcome.kind === "interrupted") {
      this.idleSince.delete(id);
      this.runs.settle(item, outcome, "history");
      return;
    }
    if (busy) {
      this.idleSince.delete(id);
      return; // a run is on it (or the gateway continues the turn after its restart)
    }
    if (outcome.kind === "absent" && item.gatewayBoot !== gateway.bootId) {
      // Sent to a gateway that stopped before storing it (refused while draining): send it again
      // under the same key; it is not in the session, so this cannot deliver it twice.
      log.info("re-sending a delivery the gateway did not keep", { taskId: item.taskId, sendKey: item.sendKey, why });
      store.outbox.markFailed(id, { error: "the gateway restarted before it stored the message", retryAt: new Date() });
      this.kick();
      return;
    }
    // Idle: no run, nothing queued, no event of the session for a while. Any sign of life restarts the wait.
    const now = Date.now();
    const since = Math.max(this.idleSince.get(id) ?? now, this.runs.activity.get(id) ?? 0);
    this.idleSince.set(id, since);
    if (now - since < this.idleGraceMs) {
      this.check(item, "idle session", Math.min(this.idleGraceMs, 5_000));
      return;
    }
    this.idleSince.delete(id);
    this.runs.settle(
      item,
      {
        kind: "interrupted",
        error: `the session has been idle for ${Math.round(this.idleGraceMs / 1000)} s without an answer`,
        runId: null,
      },
      "history",
    );
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const { store, log, gateway } = this.ctx;
    const key = item.sendKey;
    let step: "check" | "send" = "check";
    try {
      if (!this.runs.isWanted(item)) {
        store.outbox.markFailed(item.id, { error: "superseded: the task moved on before it was sent", terminal: true });
        return;
      }
      const { outcome } = await this.inspect(item);
      if (outcome.kind === "reply" || outcome.kind === "error" || outcome.kind === "interrupted") {
        this.runs.settle(item, outcome, "history");
        return;
      }
      if (outcome.kind === "open") {
        // Already in the session (we died between the send and its record, or it is queued):
        // the gateway owns the turn now; sending it again would start a second one.
        store.outbox.markSent(item.id, { runId: key, workerId: this.workerId, gatewayBoot: gateway.bootId });
        this.check(item, "found in the session before sending");
        return;
      }
      step = "send";
      const ack = await chatSend(
        gateway,
        { sessionKey: item.payload.sessionKey, message: item.payload.message, idempotencyKey: key },
        { timeoutMs: 30_000 },
      );
      this.failures.delete(item.id);
      this.idleSince.delete(item.id);
      const sent = store.outbox.markSent(item.id, {
        runId: ack.runId || key,
        workerId: this.workerId,
        gatewayBoot: gateway.bootId,
      });
      if (sent.state !== "sent") return; // the run settled while chat.send was in flight
      if (item.taskId)
        store.taskEvents.append(item.taskId, {
          actor: "dispatcher",
          type: "dispatch.sent",
          payload: {
            runId: ack.runId || key,
            status: ack.status,
            attempt: sent.attempts,
            redelivery: sent.redeliveries,
            sessionKey: item.payload.sessionKey,
          },
        });
      log.info("task dispatched", { taskId: item.taskId, runId: key, status: ack.status, attempt: sent.attempts });
      // "ok"/"in_flight": this gateway had the key already (no new events may follow).
      if (ack?.status === "ok" || ack?.status === "in_flight")
        this.check(sent, `chat.send answered ${ack.status}`, 200);
    } catch (err) {
      this.onStepFailed(item, err, step);
    }
  }

  private onStepFailed(item: OutboxItem, err: unknown, step: "check" | "send"): void {
    const { store, log } = this.ctx;
    if (err instanceof StoreError && err.code === "LEASE_LOST") {
      log.warn("another worker took over a delivery", { taskId: item.taskId, runId: item.sendKey });
      return;
    }
    const failure = classifyDeliveryFailure(err, step);
    try {
      if (failure.retry) {
        const n = (this.failures.get(item.id) ?? 0) + 1;
        this.failures.set(item.id, n);
        const delay = Math.max(
          failure.retryAfterMs ?? 0,
          computeBackoffMs(n, { baseDelayMs: this.retryInitialMs, maxDelayMs: this.retryMaxMs }),
        );
        store.outbox.markFailed(item.id, {
          error: `${failure.code}: ${failure.message}`,
          retryAt: new Date(Date.now() + delay),
          workerId: this.workerId,
        });
        log.warn("delivery did not reach the gateway; will retry", {
          taskId: item.taskId,
          runId: item.sendKey,
          step,
          code: failure.code,
          retryInMs: delay,
        });
        return;
      }
      this.failures.delete(item.id);
      store.transaction(() => {
        const after = store.outbox.markFailed(item.id, {
          error: `${failure.code}: ${failure.message}`,
          terminal: true,
          workerId: this.workerId,
        });
        if (after.state !== "failed") return; // the run settled meanwhile
        if (item.taskId)
          store.taskEvents.append(item.taskId, {
            actor: "dispatcher",
            type: "dispatch.failed",
            payload: { runId: item.sendKey, code: failure.code, error: failure.message },
          });
        this.runs.failTask(item, `dispatch refused by the gateway: ${failure.message}`, "dispatch");
      });
      log.error("delivery refused by the gateway", {
        taskId: item.taskId,
        runId: item.sendKey,
        code: failure.code,
        error: failure.message,
      });
    } catch (e) {
      log.error("could not record a failed delivery", { taskId: item.taskId, error: errorText(e) });
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
