import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedAgents, tempStore } from "../tests/temp-store.js";
import type { StoreError } from "./errors.js";
import { deliveryKeys } from "./outbox.js";
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
  it("leases a due item to one worker until the lease expires; a claim is not an attempt", () => {
    const item = dispatched();
    const [claimed] = store.outbox.claimDue({ workerId: "w1", leaseMs: 30_000 });
    expect(claimed).toMatchObject({ id: item.id, leaseOwner: "w1", attempts: 0, state: "pending" });
    expect(store.outbox.claimDue({ workerId: "w2", leaseMs: 30_000 })).toEqual([]);
    clock += 30_001;
    const [again] = store.outbox.claimDue({ workerId: "w2", leaseMs: 30_000 });
    expect(again).toMatchObject({ id: item.id, leaseOwner: "w2", attempts: 0 });
    expect(() => store.outbox.markSent(item.id, { runId: "r", workerId: "w1" })).toThrowError(
      expect.objectContaining({ code: "LEASE_LOST" }),
    );
  });

  it("goes pending → sent → acknowledged, idempotently, counting the send and recording the gateway boot", () => {
    const item = dispatched();
    store.outbox.claimDue({ workerId: "w", leaseMs: 1_000 });
    const sent = store.outbox.markSent(item.id, { runId: "run-1", workerId: "w", gatewayBoot: "boot-a" });
    expect(sent).toMatchObject({
      state: "sent",
      runId: "run-1",
      leaseOwner: null,
      attempts: 1,
      gatewayBoot: "boot-a",
      sentAt: new Date(clock).toISOString(),
      sendKey: item.idempotencyKey,
      redeliveries: 0,
    });
    expect(store.outbox.markSent(item.id, { runId: "run-1" })).toMatchObject({ state: "sent", attempts: 1 });
    const acked = store.outbox.markAcknowledged(item.id, { payload: { status: "ok" } });
    expect(acked).toMatchObject({ state: "acknowledged", result: { status: "ok" } });
    expect(store.outbox.markAcknowledged(item.id).state).toBe("acknowledged");
  });

  it("leaves a settled item alone: the run's outcome can arrive while its delivery is in flight", () => {
    const item = dispatched();
    store.outbox.claimDue({ workerId: "w", leaseMs: 1_000 });
    // The final event acknowledges the item while chat.send (or its check) is still out.
    store.outbox.markAcknowledged(item.id, { payload: { outcome: "reply" } });
    expect(store.outbox.markSent(item.id, { runId: "r", workerId: "w" })).toMatchObject({
      state: "acknowledged",
      attempts: 0,
    });
    expect(store.outbox.markFailed(item.id, { error: "late", workerId: "w" })).toMatchObject({
      state: "acknowledged",
      lastError: null,
    });
    expect(store.outbox.redeliver(item.id, { error: "late" }).state).toBe("acknowledged");
  });

  it("retries what never reached the gateway without using attempts; fails a sent item out of attempts", () => {
    const item = dispatched();
    for (let i = 0; i < 10; i++) {
      store.outbox.claimDue({ workerId: "w", leaseMs: 1_000, now: clock + 1_000_000 * i });
      const failed = store.outbox.markFailed(item.id, { error: "GATEWAY_STARTING", retryAt: clock });
      expect(failed).toMatchObject({ state: "pending", attempts: 0, lastError: "GATEWAY_STARTING" });
    }
    const first = store.outbox.markFailed(item.id, { error: "later" });
    expect(Date.parse(first.nextAttemptAt) - clock).toBe(750);
    for (let n = 1; n <= 3; n++) {
      store.outbox.markSent(item.id, { runId: `r${n}` });
      const after = store.outbox.markFailed(item.id, { error: `lost ${n}` });
      expect(after.state).toBe(n < 3 ? "pending" : "failed");
      expect(after.attempts).toBe(n);
    }
    const retried = store.outbox.retry(item.id);
    expect(retried).toMatchObject({ state: "pending", attempts: 0 });
  });

  it("re-delivers an interrupted turn under a new send key, until the attempts are used", () => {
    const item = dispatched();
    store.outbox.markSent(item.id, { runId: item.idempotencyKey });
    const again = store.outbox.redeliver(item.id, { error: "interrupted: Gateway is draining" });
    expect(again).toMatchObject({
      state: "pending",
      redeliveries: 1,
      sendKey: `${item.idempotencyKey}-r1`,
      runId: null,
      nextAttemptAt: new Date(clock).toISOString(),
      lastError: "interrupted: Gateway is draining",
    });
    expect(deliveryKeys(again)).toEqual([item.idempotencyKey, `${item.idempotencyKey}-r1`]);
    store.outbox.markSent(item.id, { runId: again.sendKey });
    expect(store.outbox.redeliver(item.id, { error: "again" }).sendKey).toBe(`${item.idempotencyKey}-r2`);
    store.outbox.markSent(item.id, { runId: "r" });
    const out = store.outbox.redeliver(item.id, { error: "and again" });
    expect(out).toMatchObject({ state: "failed", attempts: 3 });
    expect(out.lastError).toMatch(/^3 deliveries ended without a reply; the last: and again$/);
  });

  it("makes every waiting item due at once when the gateway is back", () => {
    const a = dispatched();
    const b = dispatched();
    store.outbox.markFailed(a.id, { error: "x", retryAt: clock + 60_000 });
    store.outbox.markFailed(b.id, { error: "x", retryAt: clock + 5_000 });
    expect(store.outbox.claimDue({ workerId: "w", leaseMs: 1_000 })).toEqual([]);
    expect(store.outbox.wakePending()).toBe(2);
    expect(store.outbox.claimDue({ workerId: "w", leaseMs: 1_000 }).map((i) => i.id)).toEqual([a.id, b.id]);
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

describe("session messages in the outbox", () => {
  const input = { sessionKey: "agent:main:main", message: "hi there", agentId: "main", clientKey: "k-1" };

  it("queues a message without a task; the same key is the same message, once", () => {
    const first = store.outbox.enqueueMessage(input);
    expect(first.created).toBe(true);
    expect(first.item).toMatchObject({
      taskId: null,
      sessionKey: "agent:main:main",
      idempotencyKey: "missionctl-msg-k-1",
      state: "pending",
      payload: { sessionKey: "agent:main:main", message: "hi there", agentId: "main" },
    });
    const retry = store.outbox.enqueueMessage(input);
    expect(retry).toEqual({ item: first.item, created: false });
    expect(store.outbox.listBySession("agent:main:main")).toHaveLength(1);
    // It is delivered like a dispatch: claimed, sent, acknowledged.
    const [claimed] = store.outbox.claimDue({ workerId: "w1", leaseMs: 30_000 });
    expect(claimed?.id).toBe(first.item.id);
    store.outbox.markSent(first.item.id, { runId: first.item.idempotencyKey });
    expect(store.outbox.getByKey("missionctl-msg-k-1")?.state).toBe("sent");
  });

  it("refuses a key reused for another message, and bad keys, writing nothing", () => {
    store.outbox.enqueueMessage(input);
    expect(() => store.outbox.enqueueMessage({ ...input, message: "something else" })).toThrowError(
      expect.objectContaining({ code: "IDEMPOTENCY_KEY_REUSED" }),
    );
    expect(() => store.outbox.enqueueMessage({ ...input, clientKey: "has spaces" })).toThrowError(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
    expect(() => store.outbox.enqueueMessage({ ...input, clientKey: "k-2", message: "" })).toThrowError(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
    expect(store.outbox.listBySession("agent:main:main")).toHaveLength(1);
  });

  it("lists a session's dispatches and messages together, oldest first", () => {
    const task = store.tasks.create({ title: "t", assignedAgentId: "main" });
    const { outbox } = store.tasks.dispatch(task.id, { actor: "op", message: "brief", sessionKey: "agent:main:t" });
    const msg = store.outbox.enqueueMessage({ ...input, sessionKey: "agent:main:t" }).item;
    expect(store.outbox.listBySession("agent:main:t").map((i) => i.id)).toEqual([outbox.id, msg.id]);
    expect(store.outbox.listByTask(task.id).map((i) => i.id)).toEqual([outbox.id]);
  });
});
