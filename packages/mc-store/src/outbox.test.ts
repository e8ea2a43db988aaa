import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedAgents, tempStore } from "../tests/temp-store.js";
import type { StoreError } from "./errors.js";
import type { Store } from "./store.js";

let clock = 1_800_000_000_000;
let t: ReturnType<typeof tempStore>;
let store: Store;
beforeEach(() => {
  clock = 1_800_000_000_000;
  t = tempStore({
    now: () => clock,
    outbox: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000, random: () => 0.5 },
  });
  store = t.store;
  seedAgents(store);
});
afterEach(() => t.cleanup());

function dispatched() {
  const task = store.tasks.create({ title: "t", assignedAgentId: "main" });
  return store.tasks.dispatch(task.id, { actor: "op", message: "hello", sessionKey: "agent:main:t" }).outbox;
}

describe("outbox", () => {
  it("leases a due item to one worker until the lease expires", () => {
    const item = dispatched();
    const [claimed] = store.outbox.claimDue({ workerId: "w1", leaseMs: 30_000 });
    expect(claimed).toMatchObject({ id: item.id, leaseOwner: "w1", attempts: 1, state: "pending" });
    expect(store.outbox.claimDue({ workerId: "w2", leaseMs: 30_000 })).toEqual([]);
    clock += 30_001;
    const [again] = store.outbox.claimDue({ workerId: "w2", leaseMs: 30_000 });
    expect(again).toMatchObject({ id: item.id, leaseOwner: "w2", attempts: 2 });
    expect(() => store.outbox.markSent(item.id, { runId: "r", workerId: "w1" })).toThrowError(
      expect.objectContaining({ code: "LEASE_LOST" }),
    );
  });

  it("goes pending → sent → acknowledged, idempotently", () => {
    const item = dispatched();
    store.outbox.claimDue({ workerId: "w", leaseMs: 1_000 });
    const sent = store.outbox.markSent(item.id, { runId: "run-1", workerId: "w" });
    expect(sent).toMatchObject({ state: "sent", runId: "run-1", leaseOwner: null });
    expect(store.outbox.markSent(item.id, { runId: "run-1" }).state).toBe("sent");
    const acked = store.outbox.markAcknowledged(item.id, { payload: { status: "ok" } });
    expect(acked).toMatchObject({ state: "acknowledged", result: { status: "ok" } });
    expect(store.outbox.markAcknowledged(item.id).state).toBe("acknowledged");
    expect(() => store.outbox.markFailed(item.id, { error: "late" })).toThrowError(
      expect.objectContaining({ code: "OUTBOX_INVALID_STATE" }),
    );
  });

  it("retries with capped exponential backoff, then fails for good", () => {
    const item = dispatched();
    store.outbox.claimDue({ workerId: "w", leaseMs: 1_000 });
    const first = store.outbox.markFailed(item.id, { error: "GATEWAY_STARTING" });
    expect(first).toMatchObject({ state: "pending", lastError: "GATEWAY_STARTING", leaseOwner: null });
    expect(Date.parse(first.nextAttemptAt) - clock).toBe(750);
    expect(store.outbox.claimDue({ workerId: "w", leaseMs: 1_000 })).toEqual([]);
    clock += 750;
    store.outbox.claimDue({ workerId: "w", leaseMs: 1_000 });
    const second = store.outbox.markFailed(item.id, { error: "again" });
    expect(Date.parse(second.nextAttemptAt) - clock).toBe(1_500);
    clock += 1_500;
    store.outbox.claimDue({ workerId: "w", leaseMs: 1_000 });
    const last = store.outbox.markFailed(item.id, { error: "third" });
    expect(last).toMatchObject({ state: "failed", attempts: 3, lastError: "third" });
    const retried = store.outbox.retry(item.id);
    expect(retried).toMatchObject({ state: "pending", attempts: 0 });
  });

  it("honours retryAt and terminal", () => {
    const item = dispatched();
    const at = clock + 60_000;
    expect(store.outbox.markFailed(item.id, { error: "x", retryAt: at }).nextAttemptAt).toBe(
      new Date(at).toISOString(),
    );
    expect(store.outbox.markFailed(item.id, { error: "no such session", terminal: true }).state).toBe("failed");
  });

  it("claims in due order, up to the limit", () => {
    const items = [dispatched(), dispatched(), dispatched()];
    const claimed = store.outbox.claimDue({ workerId: "w", leaseMs: 1_000, limit: 2 });
    expect(claimed.map((item) => item.id)).toEqual([items[0]!.id, items[1]!.id]);
  });

  it("keeps the idempotency key unique per task attempt", () => {
    const item = dispatched();
    expect(store.outbox.list({ state: "pending" }).map((i) => i.idempotencyKey)).toEqual([item.idempotencyKey]);
  });

  it("answers typed errors for unknown ids and bad options", () => {
    expect(() => store.outbox.get(999)).toThrowError(expect.objectContaining({ code: "OUTBOX_ITEM_NOT_FOUND" }));
    const err = (() => {
      try {
        store.outbox.claimDue({ workerId: "", leaseMs: -1 });
      } catch (e) {
        return e as StoreError;
      }
    })();
    expect(err?.code).toBe("VALIDATION_FAILED");
    expect(err?.issues?.map((issue) => issue.path)).toEqual(["workerId", "leaseMs"]);
  });
});
