import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchFresh, openEventStream, startTestServer, type TestServer, waitFor } from "./helpers.js";

// Retrying a mutating request is safe: one transaction per request, and an Idempotency-Key
// answered with the first response (the real mc-server, no gateway needed).
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  t.server.ctx.store.agents.upsertMany([{ id: "main", name: "Main" }]);
});
afterAll(async () => {
  await t?.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetchFresh(t.url + path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe("POST /api/tasks with an agent", () => {
  it("creates the task as assigned in one transaction: never seen in the inbox", async () => {
    const sse = openEventStream(`${t.url}/api/events`);
    await sse.ready;
    const r = await call("POST", "/api/tasks", { title: "one step", assignedAgentId: "main" });
    expect(r.status).toBe(201);
    expect(r.body.task).toMatchObject({ status: "assigned", assignedAgentId: "main" });
    const id = r.body.task.id;
    await waitFor(() => sse.events.some((e) => e.event === "task" && e.data.id === id));
    await new Promise((res) => setTimeout(res, 200));
    expect(sse.events.filter((e) => e.event === "task" && e.data.id === id).map((e) => e.data.status)).toEqual([
      "assigned",
    ]);
    const log = t.server.ctx.store.taskEvents.list(id);
    expect(log.map((e) => e.type)).toEqual(["created"]);
    await sse.close();
  });

  it("an unknown agent creates nothing", async () => {
    const before = t.server.ctx.store.tasks.list({ limit: 500 }).items.length;
    const r = await call("POST", "/api/tasks", { title: "nobody", assignedAgentId: "ghost" });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("AGENT_NOT_FOUND");
    expect(t.server.ctx.store.tasks.list({ limit: 500 }).items.length).toBe(before);
  });
});

describe("Idempotency-Key", () => {
  it("a retried create gets the first 201 and its task, and no second task", async () => {
    const headers = { "idempotency-key": "create-1" };
    const first = await call("POST", "/api/tasks", { title: "retried" }, headers);
    const again = await call("POST", "/api/tasks", { title: "retried" }, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const titled = t.server.ctx.store.tasks.list({ limit: 500 }).items.filter((x) => x.title === "retried");
    expect(titled).toHaveLength(1);
  });

  it("the same key with another body or route is refused, naming the first request", async () => {
    const headers = { "idempotency-key": "create-2" };
    expect((await call("POST", "/api/tasks", { title: "first" }, headers)).status).toBe(201);
    const other = await call("POST", "/api/tasks", { title: "second" }, headers);
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(other.body.error.message).toContain("POST /api/tasks with another body");
    expect(other.body.error.hint).toMatch(/new key/);
    const task = t.server.ctx.store.tasks.list({ limit: 500 }).items.find((x) => x.title === "first")!;
    const patch = await call("PATCH", `/api/tasks/${task.id}`, { title: "x" }, headers);
    expect(patch.status).toBe(422);
    expect(patch.body.error.message).toContain("(POST /api/tasks)");
  });

  it("a retried dispatch after the task moved on gets the first 202 and starts no second delivery", async () => {
    const created = await call("POST", "/api/tasks", { title: "dispatch me", assignedAgentId: "main" });
    const id = created.body.task.id;
    const headers = { "idempotency-key": "dispatch-1" };
    const first = await call("POST", `/api/tasks/${id}/dispatch`, undefined, headers);
    expect(first.status).toBe(202);
    // As if the agent had answered: review is a state a dispatch may start from again.
    const { store } = t.server.ctx;
    store.tasks.transition(id, "review", { actor: "gateway" });
    const again = await call("POST", `/api/tasks/${id}/dispatch`, undefined, headers);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(store.outbox.listByTask(id)).toHaveLength(1);
    expect(store.tasks.get(id)).toMatchObject({ status: "review", attempt: 1 });
    // A new key is a new request.
    const second = await call("POST", `/api/tasks/${id}/dispatch`, undefined, { "idempotency-key": "dispatch-2" });
    expect(second.status).toBe(202);
    expect(store.outbox.listByTask(id)).toHaveLength(2);
  });

  it("replays an error response too, and a 204", async () => {
    const created = await call("POST", "/api/tasks", { title: "to delete" });
    const id = created.body.task.id;
    const headers = { "idempotency-key": "delete-1" };
    const del = await fetch(`${t.url}/api/tasks/${id}`, { method: "DELETE", headers });
    expect(del.status).toBe(204);
    const again = await fetch(`${t.url}/api/tasks/${id}`, { method: "DELETE", headers });
    expect(again.status).toBe(204);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const bad = { "idempotency-key": "bad-transition" };
    const task = (await call("POST", "/api/tasks", { title: "inbox" })).body.task;
    const refused = await call("PATCH", `/api/tasks/${task.id}`, { status: "review" }, bad);
    expect(refused.status).toBe(409);
    expect((await call("PATCH", `/api/tasks/${task.id}`, { status: "review" }, bad)).body).toEqual(refused.body);
  });

  it("refuses a malformed key with a clear error", async () => {
    const r = await call("POST", "/api/tasks", { title: "x" }, { "idempotency-key": "has spaces in it" });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "IDEMPOTENCY_KEY_INVALID" });
    expect(r.body.error.hint).toMatch(/UUID/);
  });

  it("survives a restart of the server (the key is in the database)", async () => {
    const headers = { "idempotency-key": "across-restart" };
    const first = await call("POST", "/api/tasks", { title: "kept" }, headers);
    await t.close({ keepDir: true });
    t = await startTestServer({ PORT: String(t.port) }, {}, { dir: t.dir });
    const again = await call("POST", "/api/tasks", { title: "kept" }, headers);
    expect(again.status).toBe(201);
    expect(again.body.task.id).toBe(first.body.task.id);
  });
});
