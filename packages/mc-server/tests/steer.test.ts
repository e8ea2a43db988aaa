// Steering sessions through the API, against the real OpenClaw gateway (tests/peer) and the stub
// model: live transcripts, the composer's exactly-once delivery across a gateway restart, Stop,
// exec approvals requested by real runs (the gateway's exec policy asks), agent status, failures
// with their fix, sessions on a fresh page load. One gateway for the whole file.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Peer, startPeer } from "../../../tests/peer/peer.mjs";
import { openEventStream, startTestServer, type TestServer, waitFor } from "./helpers.js";
import { type StubModel, startStubModel } from "./stub-model.js";

let peer: Peer;
let stub: StubModel;
let t: TestServer;

const enc = encodeURIComponent;
async function call(method: string, path: string, body?: unknown, base = t.url, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : null, headers: res.headers };
}
const get = (path: string, base?: string) => call("GET", path, undefined, base);
const post = (path: string, body: unknown = {}, base?: string) => call("POST", path, body, base);

async function dispatchTask(title: string): Promise<{ id: string; key: string }> {
  const created = await post("/api/tasks", { title, assignedAgentId: "main" });
  expect(created.status).toBe(201);
  const id = created.body.task.id as string;
  expect((await post(`/api/tasks/${id}/dispatch`)).status).toBe(202);
  return { id, key: `agent:main:missionctl-task-${id}` };
}

const taskOf = async (id: string) => (await get(`/api/tasks/${id}`)).body.task;
const sessionOf = async (key: string) => (await get(`/api/sessions/${enc(key)}`)).body;
const agentMain = async () => (await get("/api/agents")).body.agents.find((a: { id: string }) => a.id === "main");

beforeAll(async () => {
  stub = await startStubModel();
  // The stub's tool calls run `exec` on the gateway host: ask mode makes every one wait for an approval.
  const opts = {
    stubModelUrl: stub.url,
    startTimeoutMs: 240_000,
    config: { tools: { exec: { host: "gateway", mode: "ask" } } },
  };
  peer = await startPeer(opts); // it retries a start that dies under load by itself
  t = await startTestServer(
    {
      OPENCLAW_GATEWAY_URL: peer.url,
      OPENCLAW_GATEWAY_TOKEN: peer.token,
      MC_GATEWAY_SCOPES: "operator.read,operator.write,operator.approvals",
    },
    {
      gateway: { retryInitialMs: 300, retryMaxMs: 2_000 },
      dispatcher: { pollMs: 250, retryInitialMs: 300, retryMaxMs: 2_000 },
    },
  );
  await waitFor(async () => (await get("/api/openclaw/status")).body.state === "connected", {
    what: "connected",
    timeoutMs: 60_000,
  });
  await post("/api/agents/sync");
}, 600_000);

afterAll(async () => {
  await t?.close();
  await peer?.stop();
  await stub?.close();
});

describe("sessions", () => {
  it("a session a dispatch created is listed at once, and on a fresh page load", async () => {
    const { id, key } = await dispatchTask("hello from the sessions panel");
    const listed = await waitFor(
      async () => (await get("/api/sessions")).body.sessions.find((s: { key: string }) => s.key === key),
      { what: "the task's session in GET /api/sessions", timeoutMs: 60_000 },
    );
    expect(listed).toMatchObject({ agentId: "main", taskId: id, title: "Task: hello from the sessions panel" });
    const list = (await get("/api/sessions")).body;
    expect(list).toMatchObject({ source: "gateway", stale: false });
    // A fresh page load renders the live list (it used to render a cache only a refresh filled).
    const html = await (await fetch(`${t.url}/`)).text();
    expect(html).toContain(key);
    const done = await waitFor(
      async () => {
        const s = (await get("/api/sessions")).body.sessions.find((x: { key: string }) => x.key === key);
        return s?.status === "idle" && s.lastRunId ? s : null;
      },
      { what: "the session idle after its run", timeoutMs: 180_000 },
    );
    expect(done.tokens.total).toBeTypeOf("number");
    expect(done.model).toBe("stub/stub-model");
    expect((await taskOf(id)).status).toBe("review");
  }, 240_000);

  it("the transcript pages from the newest end, tool calls compact", async () => {
    const key = (await get("/api/sessions")).body.sessions.find((s: { taskId: string | null }) => s.taskId).key;
    const page = await get(`/api/sessions/${enc(key)}/messages?limit=1`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ hasMore: true, nextOffset: 1 });
    expect(page.body.messages).toHaveLength(1);
    expect(page.body.messages[0]).toMatchObject({
      role: "assistant",
      text: "STUB-REPLY: hello from the sessions panel",
    });
    const older = await get(`/api/sessions/${enc(key)}/messages?limit=1&offset=1`);
    expect(older.body.messages[0].role).toBe("user");
    expect((await get(`/api/sessions/${enc(key)}/messages?limit=0`)).status).toBe(400);
  });

  it("a new session (sessions.create); reset needs operator.admin and says how to grant it", async () => {
    const created = await post("/api/sessions", { agentId: "main", label: "made from the API" });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^agent:main:/);
    await waitFor(
      async () => (await get("/api/sessions")).body.sessions.some((s: { key: string }) => s.key === created.body.key),
      {
        what: "the new session listed",
      },
    );
    const reset = await post(`/api/sessions/${enc(created.body.key)}/reset`);
    expect(reset.status).toBe(403);
    expect(reset.body.error).toMatchObject({ code: "SCOPE_REQUIRED", requiredScope: "operator.admin" });
    expect(reset.body.error.hint).toMatch(/MC_GATEWAY_SCOPES/);
  });
});

describe("live runs, the composer and Stop", () => {
  it("a streamed reply arrives live as deltas; the agent goes working → idle", async () => {
    const created = await post("/api/sessions", { agentId: "main", label: "live" });
    const key = created.body.key as string;
    const sse = openEventStream(`${t.url}/api/events?session=${enc(key)}`);
    await sse.ready;
    try {
      stub.chunkMs = 400;
      const sent = await call("POST", `/api/sessions/${enc(key)}/messages`, { message: "SLOW-STREAM 6" }, t.url, {
        "idempotency-key": "live-1",
      });
      expect(sent.status).toBe(202);
      expect(sent.body.outbox).toMatchObject({
        idempotencyKey: "missionctl-msg-live-1",
        runId: "missionctl-msg-live-1",
      });
      const working = await waitFor(
        async () => {
          const a = await agentMain();
          return a?.activity.state === "working" &&
            a.activity.working.some((w: { sessionKey: string }) => w.sessionKey === key)
            ? a
            : null;
        },
        { what: "main working on the session", timeoutMs: 120_000, intervalMs: 200 },
      );
      expect(working.activity.model).toBe("stub/stub-model");
      const done = await waitFor(() => sse.events.find((e) => e.event === "session.run" && e.data.state === "done"), {
        what: "the run done on the session's stream",
        timeoutMs: 120_000,
      });
      expect(done.data.text).toContain("[chunk 6]");
      const deltas = sse.events.filter((e) => e.event === "session.delta").map((e) => e.data.text as string);
      // Deltas arrive while the reply streams, each longer than the one before.
      expect(deltas.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < deltas.length; i++) expect(deltas[i]!.length).toBeGreaterThanOrEqual(deltas[i - 1]!.length);
      expect(sse.events.some((e) => e.event === "session.message" && e.data.message.role === "user")).toBe(true);
      await waitFor(async () => (await agentMain())?.activity.state === "idle", {
        what: "main idle again",
        timeoutMs: 60_000,
      });
      // One mechanism: a retry gets the first answer again, whether the key comes as the header
      // or as the body's idempotencyKey (its alias); another message under the key is refused.
      const msgs = `/api/sessions/${enc(key)}/messages`;
      const again = await call("POST", msgs, { message: "SLOW-STREAM 6" }, t.url, { "idempotency-key": "live-1" });
      const aliased = await post(msgs, { message: "SLOW-STREAM 6", idempotencyKey: "live-1" });
      for (const r of [again, aliased]) {
        expect(r.status).toBe(202);
        expect(r.headers.get("idempotent-replayed")).toBe("true");
        expect(r.body).toEqual(sent.body);
      }
      const reused = await post(msgs, { message: "another", idempotencyKey: "live-1" });
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
      const conflict = await call("POST", msgs, { message: "x", idempotencyKey: "live-2" }, t.url, {
        "idempotency-key": "live-3",
      });
      expect(conflict.status).toBe(400);
      expect(conflict.body.error).toMatchObject({ code: "IDEMPOTENCY_KEY_CONFLICT" });
      expect(conflict.body.error.hint).toMatch(/Idempotency-Key header/);
      expect(t.server.ctx.store.outbox.listBySession(key).map((i) => i.idempotencyKey)).toEqual([
        "missionctl-msg-live-1",
      ]);
    } finally {
      await sse.close();
    }
  }, 240_000);

  it("Stop aborts a long run: aborted on the session, the task (with who stopped it) and the agent", async () => {
    stub.chunkMs = 1_000;
    const { id, key } = await dispatchTask("SLOW-STREAM 60 a long task");
    await waitFor(async () => (await sessionOf(key)).activeRun?.text?.includes("[chunk"), {
      what: "the long run streaming",
      timeoutMs: 180_000,
      intervalMs: 250,
    });
    const stopped = await post(`/api/sessions/${enc(key)}/abort`);
    expect(stopped.status).toBe(200);
    expect(stopped.body.aborted).toBe(true);
    const task = await waitFor(
      async () => {
        const x = await taskOf(id);
        return x.status === "failed" ? x : null;
      },
      { what: "the task failed as aborted", timeoutMs: 60_000 },
    );
    expect(task.failure.kind).toBe("aborted");
    expect(task.failure.reason).toMatch(/aborted by the operator/);
    const session = await waitFor(
      async () => {
        const s = (await sessionOf(key)).session;
        return s?.status === "aborted" ? s : null;
      },
      { what: "the session aborted", timeoutMs: 60_000 },
    );
    expect(session.failure.reason).toMatch(/aborted by the operator/);
    const agent = await waitFor(
      async () => {
        const a = await agentMain();
        return a?.activity.lastRun?.sessionKey === key ? a : null;
      },
      { what: "main's last run is the aborted one", timeoutMs: 30_000 },
    );
    expect(agent.activity.lastRun.outcome).toBe("aborted");
    expect(
      (await get(`/api/tasks/${id}/events`)).body.events.some((e: { type: string }) => e.type === "run.aborted"),
    ).toBe(true);
    stub.chunkMs = 400;
  }, 300_000);
});

describe("exec approvals requested by real runs", () => {
  // An approval a failed assertion left waiting would hold the agent in waiting_approval.
  afterEach(async () => {
    for (const a of (await get("/api/approvals")).body.approvals ?? [])
      if (a.details) await post(`/api/approvals/${a.id}/resolve`, { decision: "deny" });
  });

  it("shows the approval on the agent, the session and the task, and approves it from the API", async () => {
    const { id, key } = await dispatchTask("TOOL-EXEC: echo approved-from-mission-control");
    const approval = await waitFor(
      async () =>
        (await get("/api/approvals")).body.approvals.find((a: { sessionKey: string }) => a.sessionKey === key),
      { what: "the exec approval", timeoutMs: 180_000, intervalMs: 300 },
    );
    expect(approval).toMatchObject({
      kind: "exec",
      agentId: "main",
      taskId: id,
      details: true,
      ask: { command: "echo approved-from-mission-control", host: "gateway" },
    });
    expect(approval.allowedDecisions).toEqual(expect.arrayContaining(["allow-once", "deny"]));
    expect((await get("/api/approvals")).body.canResolve).toBe(true);
    expect((await sessionOf(key)).approvals.map((a: { id: string }) => a.id)).toContain(approval.id);
    expect((await get(`/api/tasks/${id}`)).body.approvals.map((a: { id: string }) => a.id)).toContain(approval.id);
    const waiting = await agentMain();
    expect(waiting.activity.state).toBe("waiting_approval");
    expect(waiting.activity.waitingApprovals[0]).toMatchObject({
      id: approval.id,
      summary: "echo approved-from-mission-control",
    });

    const bad = await post(`/api/approvals/${approval.id}/resolve`, { decision: "maybe" });
    expect(bad.status).toBe(400);
    const ok = await post(`/api/approvals/${approval.id}/resolve`, { decision: "allow-once" });
    expect(ok.status).toBe(200);
    const task = await waitFor(
      async () => {
        const x = await taskOf(id);
        return x.status === "review" ? x : null;
      },
      { what: "the task in review after the approval", timeoutMs: 120_000 },
    );
    expect(task.status).toBe("review");
    const events = (await get(`/api/tasks/${id}/events`)).body.events;
    const reply = events.find((e: { type: string }) => e.type === "run.reply");
    expect(reply.payload.text).toBe("STUB-REPLY: exec said: approved-from-mission-control");
    expect((await get("/api/approvals")).body.approvals.some((a: { id: string }) => a.id === approval.id)).toBe(false);
    const again = await post(`/api/approvals/${approval.id}/resolve`, { decision: "deny" });
    expect(again.status).toBe(404);
  }, 300_000);

  it("denies one: the command does not run and the agent is told", async () => {
    const created = await post("/api/sessions", { agentId: "main", label: "deny" });
    const key = created.body.key as string;
    await post(`/api/sessions/${enc(key)}/messages`, { message: "TOOL-EXEC: echo must-not-run" });
    const approval = await waitFor(
      async () =>
        (await get("/api/approvals")).body.approvals.find((a: { sessionKey: string }) => a.sessionKey === key),
      { what: "the exec approval", timeoutMs: 180_000, intervalMs: 300 },
    );
    expect((await post(`/api/approvals/${approval.id}/resolve`, { decision: "deny" })).status).toBe(200);
    const messages = await waitFor(
      async () => {
        const m = (await get(`/api/sessions/${enc(key)}/messages`)).body.messages as {
          role: string;
          text: string;
          tool: { isError: boolean } | null;
          toolCalls: { name: string; summary: string }[];
        }[];
        return m.some((x) => x.role === "assistant" && x.text.startsWith("STUB-REPLY")) ? m : null;
      },
      { what: "the reply after the denial", timeoutMs: 120_000 },
    );
    const call = messages.find((m) => m.toolCalls.length > 0);
    expect(call?.toolCalls[0]).toMatchObject({ name: "exec", summary: "echo must-not-run" });
    const result = messages.find((m) => m.role === "tool");
    expect(result?.tool?.isError).toBe(true);
    expect(result?.text).toMatch(/denied/i);
    expect(result?.text).not.toContain("must-not-run\n");
  }, 300_000);

  it("without operator.approvals the answer names the scope and how to grant it", async () => {
    const readOnly = await startTestServer({ OPENCLAW_GATEWAY_URL: peer.url, OPENCLAW_GATEWAY_TOKEN: peer.token });
    try {
      await waitFor(async () => (await get("/api/openclaw/status", readOnly.url)).body.state === "connected", {
        what: "the second server connected",
        timeoutMs: 60_000,
      });
      const list = await get("/api/approvals", readOnly.url);
      expect(list.body).toMatchObject({ canResolve: false, requiredScope: "operator.approvals" });
      expect(list.body.hint).toMatch(/MC_GATEWAY_SCOPES=operator.read,operator.write,operator.approvals/);
      const denied = await post("/api/approvals/some-id/resolve", { decision: "deny" }, readOnly.url);
      expect(denied.status).toBe(403);
      expect(denied.body.error).toMatchObject({
        code: "APPROVALS_SCOPE_REQUIRED",
        requiredScope: "operator.approvals",
      });
    } finally {
      await readOnly.close();
    }
  }, 120_000);
});

describe("failures you can act on", () => {
  it("a failed run shows the gateway's reason and a fix on the task and the session", async () => {
    const { id, key } = await dispatchTask("FAIL-400 a task the provider refuses");
    const task = await waitFor(
      async () => {
        const x = await taskOf(id);
        return x.status === "failed" ? x : null;
      },
      { what: "the task failed", timeoutMs: 180_000 },
    );
    expect(task.statusReason).toMatch(/LLM request failed/);
    expect(task.failure).toMatchObject({ kind: "provider_rejected" });
    expect(task.failure.reason).not.toMatch(/^⚠️|To view logs/);
    expect(task.failure.fix).toMatch(/model id/);
    const listed = (await get("/api/tasks?status=failed")).body.tasks.find((x: { id: string }) => x.id === id);
    expect(listed.failure.kind).toBe("provider_rejected");
    const session = await waitFor(
      async () => {
        const s = (await sessionOf(key)).session;
        return s?.status === "failed" ? s : null;
      },
      { what: "the session failed", timeoutMs: 60_000 },
    );
    expect(session.lastRunError).toMatch(/LLM request failed/);
    expect(session.failure).toMatchObject({ kind: "provider_rejected" });
    const agent = await agentMain();
    expect(agent.activity.lastRun).toMatchObject({ sessionKey: key, outcome: "error" });
    expect(agent.activity.state).toBe("error");
  }, 240_000);
});

// Last: it restarts the gateway.
describe("the composer across a gateway restart", () => {
  it("a message sent while the gateway restarts reaches the agent exactly once", async () => {
    const key = "agent:main:composer-restart";
    const text = "composer message across a restart";
    await peer.stop({ clean: false });
    await waitFor(async () => (await get("/api/openclaw/status")).body.state !== "connected", { what: "disconnected" });
    const queued = await call("POST", `/api/sessions/${enc(key)}/messages`, { message: text }, t.url, {
      "idempotency-key": "restart-1",
    });
    expect(queued.status).toBe(202);
    expect(queued.body.delivery).toMatch(/^queued/);
    // Offline, the list is the last one seen, and says so.
    expect((await get("/api/sessions")).body).toMatchObject({ source: "cache", stale: true });
    await peer.start().catch(() => peer.start());
    await waitFor(async () => (await get("/api/openclaw/status")).body.state === "connected", {
      what: "reconnected",
      timeoutMs: 120_000,
    });
    const messages = await waitFor(
      async () => {
        const m = (await get(`/api/sessions/${enc(key)}/messages`)).body.messages as { role: string; text: string }[];
        return m?.some((x) => x.role === "assistant") ? m : null;
      },
      { what: "the reply", timeoutMs: 180_000, intervalMs: 500 },
    );
    expect(messages.filter((m) => m.role === "user" && m.text === text)).toHaveLength(1);
    expect(messages.filter((m) => m.role === "assistant")).toHaveLength(1);
    // The agent's model saw it once; the delivery is settled (a later reconnect checks, not resends).
    await new Promise((r) => setTimeout(r, 2_000));
    expect(stub.requests.filter((r) => r.text === text)).toHaveLength(1);
    const item = t.server.ctx.store.outbox.getByKey("missionctl-msg-restart-1");
    expect(item?.state).toBe("acknowledged");
  }, 600_000);
});
