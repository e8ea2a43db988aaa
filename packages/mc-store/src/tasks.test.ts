import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedAgents, tempStore } from "../tests/temp-store.js";
import { StoreError } from "./errors.js";
import type { Store } from "./store.js";
import type { StoreChange } from "./types.js";

let t: ReturnType<typeof tempStore>;
let store: Store;
beforeEach(() => {
  t = tempStore();
  store = t.store;
  seedAgents(store);
});
afterEach(() => t.cleanup());

function caught(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StoreError) return err;
    throw err;
  }
  throw new Error("expected a StoreError");
}

describe("tasks", () => {
  it("creates a task in the inbox with a created event", () => {
    const task = store.tasks.create({
      title: "Write docs",
      description: "all of them",
      priority: "high",
      actor: "alice",
    });
    expect(task).toMatchObject({
      title: "Write docs",
      description: "all of them",
      priority: "high",
      status: "inbox",
      assignedAgentId: null,
      attempt: 0,
      sessionKey: null,
    });
    expect(store.tasks.get(task.id)).toEqual(task);
    expect(store.taskEvents.list(task.id)).toEqual([
      expect.objectContaining({ type: "created", actor: "alice", taskId: task.id }),
    ]);
  });

  it("creates a task already assigned when an agent is given", () => {
    const task = store.tasks.create({ title: "x", assignedAgentId: "main" });
    expect(task.status).toBe("assigned");
  });

  it("walks the lifecycle with one status_changed event per transition", () => {
    const task = store.tasks.create({ title: "t" });
    store.tasks.transition(task.id, "assigned", { actor: "op", assignedAgentId: "coder" });
    const { task: running, outbox } = store.tasks.dispatch(task.id, {
      actor: "op",
      message: "do it",
      sessionKey: "agent:coder:task-1",
    });
    expect(running).toMatchObject({
      status: "in_progress",
      attempt: 1,
      sessionKey: "agent:coder:task-1",
      assignedAgentId: "coder",
    });
    expect(outbox).toMatchObject({
      taskId: task.id,
      idempotencyKey: `missionctl-task-${task.id}-dispatch-1`,
      state: "pending",
      attempts: 0,
      kind: "chat.send",
    });
    expect(outbox.payload).toEqual({ sessionKey: "agent:coder:task-1", message: "do it", agentId: "coder" });
    const review = store.tasks.transition(task.id, "review", { actor: "coder", reason: "TASK_COMPLETE" });
    // The task keeps the reason of its last status change, and only that one.
    expect(review.statusReason).toBe("TASK_COMPLETE");
    expect(store.tasks.get(task.id).statusReason).toBe("TASK_COMPLETE");
    const done = store.tasks.transition(task.id, "done", { actor: "op" });
    expect(done.status).toBe("done");
    expect(done.statusReason).toBeNull();
    const events = store.taskEvents.list(task.id);
    expect(events.map((e) => e.type)).toEqual([
      "created",
      "status_changed",
      "dispatched",
      "status_changed",
      "status_changed",
    ]);
    expect(events[3]!.payload).toEqual({ from: "in_progress", to: "review", reason: "TASK_COMPLETE" });
  });

  it("creates and dispatches in one transaction, like create() then dispatch()", () => {
    const changes: string[] = [];
    store.onChange((change) => changes.push(change.type));
    const task = store.tasks.create({
      title: "now",
      assignedAgentId: "main",
      actor: "op",
      dispatch: { message: "go", sessionKey: "agent:main:now" },
    });
    expect(task).toMatchObject({
      status: "in_progress",
      attempt: 1,
      sessionKey: "agent:main:now",
      assignedAgentId: "main",
    });
    expect(store.taskEvents.list(task.id).map((e) => [e.type, (e.payload as { from?: string }).from])).toEqual([
      ["created", undefined],
      ["dispatched", "assigned"],
    ]);
    expect(store.outbox.listByTask(task.id)).toEqual([
      expect.objectContaining({ idempotencyKey: `missionctl-task-${task.id}-dispatch-1`, state: "pending" }),
    ]);
    expect(changes).toEqual(["task.created", "task.status_changed", "outbox.changed"]);
    expect(caught(() => store.tasks.create({ title: "x", dispatch: { message: "m", sessionKey: "s" } })).code).toBe(
      "AGENT_REQUIRED",
    );
    expect(store.tasks.list({ status: "inbox" }).items).toEqual([]);
  });

  it("re-dispatch after review gets a new attempt and idempotency key", () => {
    const task = store.tasks.create({ title: "t", assignedAgentId: "main" });
    store.tasks.dispatch(task.id, { actor: "op", message: "m", sessionKey: "s" });
    store.tasks.transition(task.id, "review", { actor: "op" });
    const second = store.tasks.dispatch(task.id, { actor: "op", message: "again", sessionKey: "s" });
    expect(second.task.attempt).toBe(2);
    expect(second.outbox.idempotencyKey).toBe(`missionctl-task-${task.id}-dispatch-2`);
    expect(store.outbox.listByTask(task.id)).toHaveLength(2);
  });

  it("rejects an invalid transition with the allowed ones, writing nothing", () => {
    const task = store.tasks.create({ title: "t" });
    const err = caught(() => store.tasks.transition(task.id, "done", { actor: "op" }));
    expect(err.code).toBe("INVALID_TRANSITION");
    expect(err.allowed).toEqual(["assigned", "cancelled"]);
    expect(err.message).toContain("allowed from inbox: assigned, cancelled");
    expect(store.tasks.get(task.id).status).toBe("inbox");
    expect(store.taskEvents.list(task.id)).toHaveLength(1);
  });

  it("requires an agent to assign, and refuses unassigning while one is needed", () => {
    const task = store.tasks.create({ title: "t" });
    expect(caught(() => store.tasks.transition(task.id, "assigned", { actor: "op" })).code).toBe("AGENT_REQUIRED");
    expect(
      caught(() => store.tasks.transition(task.id, "assigned", { actor: "op", assignedAgentId: "ghost" })).code,
    ).toBe("AGENT_NOT_FOUND");
    store.tasks.transition(task.id, "assigned", { actor: "op", assignedAgentId: "main" });
    expect(caught(() => store.tasks.update(task.id, { assignedAgentId: null }, { actor: "op" })).code).toBe(
      "AGENT_REQUIRED",
    );
    const back = store.tasks.transition(task.id, "inbox", { actor: "op" });
    expect(back.assignedAgentId).toBeNull();
  });

  it("refuses to dispatch from inbox or done", () => {
    const task = store.tasks.create({ title: "t" });
    const err = caught(() => store.tasks.dispatch(task.id, { actor: "op", message: "m", sessionKey: "s" }));
    expect(err.code).toBe("INVALID_TRANSITION");
    expect(err.to).toBe("in_progress");
    expect(store.outbox.listByTask(task.id)).toEqual([]);
  });

  it("updates fields with an updated event, and no event when nothing changes", () => {
    const task = store.tasks.create({ title: "t" });
    const updated = store.tasks.update(
      task.id,
      { title: "t2", priority: "urgent", assignedAgentId: "main" },
      { actor: "op" },
    );
    expect(updated).toMatchObject({ title: "t2", priority: "urgent", assignedAgentId: "main", status: "inbox" });
    store.tasks.update(task.id, { title: "t2" }, { actor: "op" });
    const events = store.taskEvents.list(task.id);
    expect(events.map((e) => e.type)).toEqual(["created", "updated"]);
    expect(events[1]!.payload).toMatchObject({ fields: ["title", "priority", "assignedAgentId"] });
  });

  it("deletes a task and its pending outbox items but keeps its event log", () => {
    const task = store.tasks.create({ title: "t", assignedAgentId: "main" });
    const { outbox } = store.tasks.dispatch(task.id, { actor: "op", message: "m", sessionKey: "s" });
    store.tasks.delete(task.id, { actor: "op" });
    expect(caught(() => store.tasks.get(task.id)).code).toBe("TASK_NOT_FOUND");
    expect(caught(() => store.outbox.get(outbox.id)).code).toBe("OUTBOX_ITEM_NOT_FOUND");
    expect(store.taskEvents.list(task.id).map((e) => e.type)).toEqual(["created", "dispatched", "deleted"]);
  });

  it("cancelling a dispatched task stops its unsent dispatch", () => {
    const task = store.tasks.create({ title: "t", assignedAgentId: "main" });
    const { outbox } = store.tasks.dispatch(task.id, { actor: "op", message: "m", sessionKey: "s" });
    store.tasks.transition(task.id, "cancelled", { actor: "op" });
    expect(store.outbox.get(outbox.id)).toMatchObject({
      state: "failed",
      lastError: expect.stringContaining("superseded"),
    });
    expect(store.outbox.claimDue({ workerId: "w", leaseMs: 1000 })).toEqual([]);
  });

  it("lists newest first, filtered by status and agent, with a cursor", () => {
    for (let i = 0; i < 7; i++) store.tasks.create({ title: `a${i}`, assignedAgentId: i % 2 ? "main" : "coder" });
    store.tasks.create({ title: "unassigned" });
    const page1 = store.tasks.list({ status: "assigned", agentId: "coder", limit: 2 });
    expect(page1.items.map((task) => task.title)).toEqual(["a6", "a4"]);
    const page2 = store.tasks.list({ status: "assigned", agentId: "coder", limit: 2, cursor: page1.nextCursor });
    expect(page2.items.map((task) => task.title)).toEqual(["a2", "a0"]);
    expect(page2.nextCursor).toBeUndefined();
    expect(store.tasks.list({ agentId: null }).items.map((task) => task.title)).toEqual(["unassigned"]);
    expect(store.tasks.list({ status: ["inbox", "assigned"] }).items).toHaveLength(8);
    expect(caught(() => store.tasks.list({ cursor: "garbage" })).code).toBe("VALIDATION_FAILED");
  });

  it("appends custom events but refuses lifecycle event types", () => {
    const task = store.tasks.create({ title: "t" });
    const event = store.taskEvents.append(task.id, { actor: "coder", type: "activity", payload: { text: "started" } });
    expect(event).toMatchObject({ type: "activity", payload: { text: "started" } });
    expect(caught(() => store.taskEvents.append(task.id, { actor: "x", type: "status_changed" })).code).toBe(
      "VALIDATION_FAILED",
    );
    expect(caught(() => store.taskEvents.append("nope", { actor: "x", type: "activity" })).code).toBe("TASK_NOT_FOUND");
  });

  it("emits changes for SSE in commit order", () => {
    const changes: StoreChange[] = [];
    store.onChange((change) => changes.push(change));
    const task = store.tasks.create({ title: "t", assignedAgentId: "main" });
    store.tasks.dispatch(task.id, { actor: "op", message: "m", sessionKey: "s" });
    expect(changes.map((c) => c.type)).toEqual(["task.created", "task.status_changed", "outbox.changed"]);
  });
});
