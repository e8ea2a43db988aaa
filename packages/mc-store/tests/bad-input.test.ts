import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Driver, openDriver } from "../src/driver/index.js";
import { openStore, type Store, StoreError, type StoreErrorCode } from "../src/index.js";
import { tempDir } from "./helpers.js";

let dir: string;
let store: Store;
let raw: Driver;
let taskId: string;
let inboxId: string;
let _outboxId: number;

beforeAll(() => {
  dir = tempDir("mc-store-bad-");
  const path = join(dir, "mc.db");
  store = openStore({ path, env: {}, logger: () => {} });
  store.agents.upsertMany([{ id: "main", name: "Main" }]);
  taskId = store.tasks.create({ title: "dispatched", assignedAgentId: "main" }).id;
  _outboxId = store.tasks.dispatch(taskId, { actor: "op", message: "m", sessionKey: "s" }).outbox.id;
  inboxId = store.tasks.create({ title: "inbox" }).id;
  store.sessions.replaceAll([{ key: "agent:main:s" }]);
  store.gatewayHistory.record({ state: "connected" });
  // A second connection sees exactly what is committed.
  raw = openDriver(path);
});
afterAll(() => {
  raw.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every row of every table, so "nothing written" is checked, not assumed. */
function snapshot(): string {
  const tables = ["agents", "tasks", "task_events", "outbox", "sessions", "gateway_history"];
  return JSON.stringify(tables.map((table) => raw.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()));
}

const SECRET = "s3cr3t-value-should-never-be-echoed";
const big = (n: number) => SECRET + "x".repeat(n);

type Case = [name: string, code: StoreErrorCode, call: () => unknown];
const cases: Case[] = [
  ["inbox → done", "INVALID_TRANSITION", () => store.tasks.transition(inboxId, "done", { actor: "op" })],
  ["in_progress → inbox", "INVALID_TRANSITION", () => store.tasks.transition(taskId, "inbox", { actor: "op" })],
  [
    "dispatch from inbox",
    "INVALID_TRANSITION",
    () => store.tasks.dispatch(inboxId, { actor: "op", message: "m", sessionKey: "s" }),
  ],
  [
    "dispatch while in progress",
    "INVALID_TRANSITION",
    () => store.tasks.dispatch(taskId, { actor: "op", message: "m", sessionKey: "s" }),
  ],
  ["assign without agent", "AGENT_REQUIRED", () => store.tasks.transition(inboxId, "assigned", { actor: "op" })],
  ["unknown status", "VALIDATION_FAILED", () => store.tasks.transition(inboxId, "bogus" as never, { actor: "op" })],
  ["transition without actor", "VALIDATION_FAILED", () => store.tasks.transition(inboxId, "assigned", {} as never)],
  ["unknown task get", "TASK_NOT_FOUND", () => store.tasks.get("no-such-task")],
  [
    "unknown task transition",
    "TASK_NOT_FOUND",
    () => store.tasks.transition("no-such-task", "assigned", { actor: "op", assignedAgentId: "main" }),
  ],
  ["unknown task update", "TASK_NOT_FOUND", () => store.tasks.update("no-such-task", { title: "x" }, { actor: "op" })],
  ["unknown task delete", "TASK_NOT_FOUND", () => store.tasks.delete("no-such-task", { actor: "op" })],
  [
    "unknown task dispatch",
    "TASK_NOT_FOUND",
    () => store.tasks.dispatch("no-such-task", { actor: "op", message: "m", sessionKey: "s" }),
  ],
  [
    "unknown task events",
    "TASK_NOT_FOUND",
    () => store.taskEvents.append("no-such-task", { actor: "op", type: "note" }),
  ],
  ["unknown agent on create", "AGENT_NOT_FOUND", () => store.tasks.create({ title: "t", assignedAgentId: "ghost" })],
  [
    "unknown agent on update",
    "AGENT_NOT_FOUND",
    () => store.tasks.update(inboxId, { assignedAgentId: "ghost" }, { actor: "op" }),
  ],
  ["unknown outbox item", "OUTBOX_ITEM_NOT_FOUND", () => store.outbox.markSent(987654, { runId: "r" })],
  ["title 201 chars", "VALIDATION_FAILED", () => store.tasks.create({ title: big(201) })],
  ["description 20,001 chars", "VALIDATION_FAILED", () => store.tasks.create({ title: "t", description: big(20_001) })],
  [
    "oversize update",
    "VALIDATION_FAILED",
    () => store.tasks.update(inboxId, { description: big(20_001) }, { actor: "op" }),
  ],
  ["empty title", "VALIDATION_FAILED", () => store.tasks.create({ title: "   " })],
  ["title is a number", "VALIDATION_FAILED", () => store.tasks.create({ title: 42 as never })],
  ["unknown priority", "VALIDATION_FAILED", () => store.tasks.create({ title: "t", priority: "asap" as never })],
  ["unknown field", "VALIDATION_FAILED", () => store.tasks.create({ title: "t", status: "done" } as never)],
  ["input is not an object", "VALIDATION_FAILED", () => store.tasks.create(null as never)],
  ["id is a number", "VALIDATION_FAILED", () => store.tasks.get(123 as never)],
  ["empty update", "VALIDATION_FAILED", () => store.tasks.update(inboxId, {}, { actor: "op" })],
  [
    "message too long",
    "VALIDATION_FAILED",
    () => store.tasks.dispatch(taskId, { actor: "op", message: big(100_001), sessionKey: "s" }),
  ],
  [
    "event payload too big",
    "VALIDATION_FAILED",
    () => store.taskEvents.append(inboxId, { actor: "op", type: "note", payload: { text: big(70_000) } }),
  ],
  [
    "circular event payload",
    "VALIDATION_FAILED",
    () => {
      const payload: Record<string, unknown> = {};
      payload.self = payload;
      return store.taskEvents.append(inboxId, { actor: "op", type: "note", payload });
    },
  ],
  ["bad event type", "VALIDATION_FAILED", () => store.taskEvents.append(inboxId, { actor: "op", type: "Not A Type" })],
  ["outbox id is a string", "VALIDATION_FAILED", () => store.outbox.markFailed("abc" as never, { error: "x" })],
  [
    "agents batch with one bad entry",
    "VALIDATION_FAILED",
    () => store.agents.upsertMany([{ id: "new-good" }, { id: 5 as never }]),
  ],
  ["agents not an array", "VALIDATION_FAILED", () => store.agents.upsertMany({ id: "x" } as never)],
  [
    "sessions batch with one bad entry",
    "VALIDATION_FAILED",
    () => store.sessions.replaceAll([{ key: "k1" }, { key: 7 as never }]),
  ],
  ["gateway record without state", "VALIDATION_FAILED", () => store.gatewayHistory.record({} as never)],
  ["claim with negative lease", "VALIDATION_FAILED", () => store.outbox.claimDue({ workerId: "w", leaseMs: -5 })],
  ["list with a bad cursor", "VALIDATION_FAILED", () => store.tasks.list({ cursor: "not-ours" })],
  ["list limit too high", "VALIDATION_FAILED", () => store.tasks.list({ limit: 100_000 })],
];

describe("bad input → typed error, nothing written", () => {
  it.each(cases)("%s → %s", (_name, code, call) => {
    const before = snapshot();
    let error: unknown;
    try {
      call();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    const storeError = error as StoreError;
    expect(storeError.code).toBe(code);
    expect(storeError.message).toMatch(/^\[mc-store\] .+: .+ — .+/);
    expect(storeError.message).not.toContain(SECRET);
    expect(JSON.stringify(storeError)).not.toContain(SECRET);
    expect(snapshot()).toBe(before);
  });

  it("lists the allowed transitions and the failing fields", () => {
    try {
      store.tasks.transition(inboxId, "review", { actor: "op" });
    } catch (err) {
      expect(err).toMatchObject({
        code: "INVALID_TRANSITION",
        from: "inbox",
        to: "review",
        allowed: ["assigned", "cancelled"],
      });
    }
    try {
      store.tasks.create({ title: big(300), description: big(30_000), priority: "asap" as never });
    } catch (err) {
      expect((err as StoreError).issues?.map((issue) => issue.path)).toEqual(["title", "description", "priority"]);
    }
    expect.assertions(2);
  });

  it("wraps a driver error (here: lock contention) with the operation and the cause", () => {
    const contender = openStore({ path: join(dir, "mc.db"), env: {}, logger: () => {}, busyTimeoutMs: 50 });
    raw.exec("BEGIN IMMEDIATE");
    try {
      let error: unknown;
      try {
        contender.tasks.create({ title: "blocked" });
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: "BUSY", retryable: true, sqliteCode: expect.stringMatching(/^SQLITE_BUSY/) });
      expect((error as Error).message).toMatch(/^\[mc-store\] create task: /);
      expect((error as Error).cause).toBeDefined();
    } finally {
      raw.exec("ROLLBACK");
      contender.close();
    }
  });

  it("keeps task events append-only even for raw SQL", () => {
    expect(() => raw.exec("UPDATE task_events SET actor = 'mallory'")).toThrow(/append-only/);
    expect(() => raw.exec("DELETE FROM task_events")).toThrow(/append-only/);
  });
});
