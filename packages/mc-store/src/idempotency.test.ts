import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempStore } from "../tests/temp-store.js";
import { IDEMPOTENCY_TTL_MS } from "./idempotency.js";
import type { Store } from "./store.js";

let clock = 1_800_000_000_000;
let t: ReturnType<typeof tempStore>;
let store: Store;
beforeEach(() => {
  clock = 1_800_000_000_000;
  t = tempStore({ now: () => clock });
  store = t.store;
});
afterEach(() => t.cleanup());

const response = (key: string, body = '{"ok":true}') => ({
  key,
  fingerprint: "fp-1",
  method: "POST",
  path: "/api/tasks",
  status: 201,
  headers: { "content-type": "application/json", location: "/api/tasks/1" },
  body,
});

describe("idempotency keys", () => {
  it("stores the first response and returns it until it expires", () => {
    store.idempotency.save(response("k1"));
    expect(store.idempotency.get("k1")).toMatchObject({ ...response("k1"), createdAt: new Date(clock).toISOString() });
    expect(store.idempotency.get("k2")).toBeUndefined();
    clock += IDEMPOTENCY_TTL_MS;
    expect(store.idempotency.get("k1")).toBeUndefined();
    // Expired keys are purged on the next save, and the key can be used again.
    store.idempotency.save(response("k1", '{"again":true}'));
    expect(store.idempotency.get("k1")?.body).toBe('{"again":true}');
  });

  it("keeps the response only if the transaction that made the request's changes commits", () => {
    expect(() =>
      store.transaction(() => {
        store.tasks.create({ title: "made by the request" });
        store.idempotency.save(response("k3"));
        throw new Error("the request failed after its writes");
      }),
    ).toThrow("the request failed");
    expect(store.idempotency.get("k3")).toBeUndefined();
    expect(store.tasks.list().items).toEqual([]);
  });

  it("refuses a malformed key without writing", () => {
    expect(() => store.idempotency.save(response("has space"))).toThrowError(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
    expect(() => store.idempotency.get("x".repeat(300))).toThrowError(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
  });
});

describe("the task event log as a stream", () => {
  it("lists every task's events after an id, in order, across tasks", () => {
    const a = store.tasks.create({ title: "a" });
    const b = store.tasks.create({ title: "b" });
    store.tasks.update(a.id, { title: "a2" }, { actor: "op" });
    const all = store.taskEvents.since(0);
    expect(all.map((e) => [e.taskId, e.type])).toEqual([
      [a.id, "created"],
      [b.id, "created"],
      [a.id, "updated"],
    ]);
    expect(store.taskEvents.lastId()).toBe(all[2]!.id);
    expect(store.taskEvents.since(all[0]!.id).map((e) => e.id)).toEqual([all[1]!.id, all[2]!.id]);
    expect(store.taskEvents.since(all[2]!.id)).toEqual([]);
    expect(store.taskEvents.since(0, { limit: 1 })).toHaveLength(1);
  });

  it("hands every lifecycle change its event, so a stream can number it", () => {
    const changes: { type: string; event?: { id: number } }[] = [];
    store.onChange((c) => changes.push(c as never));
    const task = store.tasks.create({ title: "x" });
    store.tasks.update(task.id, { title: "y" }, { actor: "op" });
    store.tasks.delete(task.id, { actor: "op" });
    expect(changes.map((c) => c.type)).toEqual(["task.created", "task.updated", "task.deleted"]);
    const ids = changes.map((c) => c.event?.id);
    expect(ids).toEqual(store.taskEvents.since(0).map((e) => e.id));
  });
});
