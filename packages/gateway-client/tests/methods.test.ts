// The typed methods and events against the real OpenClaw gateway (tests/peer, openclaw 2026.9.6):
// every method name, param shape, result schema and declared scope is checked on the wire.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPeer } from "../../../tests/peer/peer.mjs";
import { type StubModel, startStubModel } from "../../mc-server/tests/stub-model.js";
import { GatewayClient } from "../src/client.js";
import { GatewayError } from "../src/errors.js";
import type { ChatEvent, GatewayEventMap, GatewayEventName } from "../src/events/schemas.js";
import type { GatewayMethod, RequestTarget } from "../src/methods/define.js";
import {
  agentsList,
  agentWait,
  chatAbort,
  chatHistory,
  chatInject,
  chatSend,
  configGet,
  devicePairApprove,
  devicePairList,
  devicePairReject,
  devicePairRemove,
  execApprovalList,
  execApprovalResolve,
  gatewayHealth,
  gatewayStatus,
  logsTail,
  messageText,
  modelsAuthStatus,
  pluginApprovalList,
  pluginApprovalResolve,
  sessionsAbort,
  sessionsCreate,
  sessionsList,
  sessionsReset,
  sessionsSend,
  sessionsSubscribe,
  systemPresence,
} from "../src/methods/index.js";
import type { OperatorScope } from "../src/protocol/enums.js";

type Peer = Awaited<ReturnType<typeof startPeer>>;
let peer: Peer;
let stub: StubModel;
const clients: GatewayClient[] = [];

function connectWith(scopes: OperatorScope[], caps?: string[]): Promise<GatewayClient> {
  const client = new GatewayClient({
    url: peer.url,
    token: peer.token,
    identity: null,
    scopes,
    clientId: "gateway-client",
    clientMode: "backend",
    ...(caps ? { caps } : {}),
  });
  clients.push(client);
  return client.connect().then(() => client);
}

/** Collects one typed event until `match` holds, or fails after `ms`. */
function nextEvent<E extends GatewayEventName>(
  client: GatewayClient,
  name: E,
  match: (p: GatewayEventMap[E]) => boolean,
  ms = 60_000,
): Promise<GatewayEventMap[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${name} event within ${ms} ms`));
    }, ms);
    const off = client.on(name, (payload) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

beforeAll(async () => {
  stub = await startStubModel();
  // A loaded CI box can take well over the peer's default start budget: try twice.
  try {
    peer = await startPeer({ stubModelUrl: stub.url, startTimeoutMs: 170_000 });
  } catch {
    peer = await startPeer({ stubModelUrl: stub.url, startTimeoutMs: 170_000 });
  }
}, 360_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await peer?.stop();
  await stub?.close();
});

// A valid call of each method; ids that do not exist are fine: the scope is checked first.
const calls: Array<[Pick<GatewayMethod<never, never>, "method" | "scope">, (c: RequestTarget) => Promise<unknown>]> = [
  [chatHistory, (c) => chatHistory(c, { sessionKey: "agent:main:methods-scope" })],
  [chatSend, (c) => chatSend(c, { sessionKey: "agent:main:methods-scope", message: "", idempotencyKey: "k" })],
  [chatAbort, (c) => chatAbort(c, { sessionKey: "agent:main:methods-scope" })],
  [chatInject, (c) => chatInject(c, { sessionKey: "agent:main:methods-scope", message: "note" })],
  [sessionsList, (c) => sessionsList(c)],
  [sessionsSubscribe, (c) => sessionsSubscribe(c)],
  [sessionsSend, (c) => sessionsSend(c, { key: "agent:main:methods-scope", message: "" })],
  [sessionsAbort, (c) => sessionsAbort(c, { key: "agent:main:methods-scope" })],
  [sessionsReset, (c) => sessionsReset(c, { key: "agent:main:methods-scope" })],
  [sessionsCreate, (c) => sessionsCreate(c, { key: "agent:main:methods-scope-created", agentId: "main" })],
  [modelsAuthStatus, (c) => modelsAuthStatus(c)],
  [agentsList, (c) => agentsList(c)],
  [agentWait, (c) => agentWait(c, { runId: "no-such-run", timeoutMs: 1 })],
  [configGet, (c) => configGet(c)],
  [devicePairList, (c) => devicePairList(c)],
  [devicePairApprove, (c) => devicePairApprove(c, { requestId: "no-such-request" })],
  [devicePairReject, (c) => devicePairReject(c, { requestId: "no-such-request" })],
  [devicePairRemove, (c) => devicePairRemove(c, { deviceId: "no-such-device" })],
  [execApprovalList, (c) => execApprovalList(c)],
  [execApprovalResolve, (c) => execApprovalResolve(c, { id: "no-such-approval", decision: "deny" })],
  [pluginApprovalList, (c) => pluginApprovalList(c)],
  [pluginApprovalResolve, (c) => pluginApprovalResolve(c, { id: "no-such-approval", decision: "deny" })],
  [logsTail, (c) => logsTail(c, { limit: 1 })],
  [gatewayHealth, (c) => gatewayHealth(c)],
  [gatewayStatus, (c) => gatewayStatus(c)],
  [systemPresence, (c) => systemPresence(c)],
];

describe("typed methods against the real gateway", () => {
  it("each method's declared scope is the one the gateway requires", async () => {
    // operator.talk is a scope none of these methods accepts.
    const unrelated = await connectWith(["operator.talk"]);
    const wrong: string[] = [];
    for (const [m, call] of calls) {
      const err = await call(unrelated).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (m.scope === undefined) {
        if (err instanceof GatewayError && err.code === "MISSING_SCOPE") wrong.push(`${m.method}: needs a scope`);
        continue;
      }
      const required = err instanceof GatewayError ? err.details?.requiredScopes : undefined;
      if (!(err instanceof GatewayError) || err.code !== "MISSING_SCOPE" || !Array.isArray(required))
        wrong.push(`${m.method}: expected MISSING_SCOPE, got ${String(err)}`);
      else if (!required.includes(m.scope)) wrong.push(`${m.method}: declared ${m.scope}, gateway wants ${required}`);
      // With exactly the declared scope the gateway lets the call through (it may still refuse the ids).
      const holder = await connectWith([m.scope]);
      const again = await call(holder).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (again instanceof GatewayError && again.code === "MISSING_SCOPE")
        wrong.push(`${m.method}: MISSING_SCOPE with ${m.scope}`);
      if (again instanceof GatewayError && (again.code === "INVALID_PARAMS" || again.code === "INVALID_RESPONSE"))
        wrong.push(`${m.method}: ${again.message}`);
      await holder.close();
    }
    expect(wrong).toEqual([]);
  });

  it("read methods answer in the shapes their schemas describe", async () => {
    const admin = await connectWith(["operator.admin"]);
    const [sessions, agents, config, pairing, execs, plugins, tail, health, status, presence, subscribed, auth] =
      await Promise.all([
        sessionsList(admin, { limit: 5 }),
        agentsList(admin),
        configGet(admin),
        devicePairList(admin),
        execApprovalList(admin),
        pluginApprovalList(admin),
        logsTail(admin, { limit: 2 }),
        gatewayHealth(admin),
        gatewayStatus(admin),
        systemPresence(admin),
        sessionsSubscribe(admin),
        modelsAuthStatus(admin),
      ]);
    expect(Array.isArray(sessions.sessions)).toBe(true);
    expect(agents.agents.map((a) => a.id)).toContain("main");
    expect(agents.defaultId).toBe("main");
    expect(config).toMatchObject({ valid: true, exists: true });
    expect(typeof config.appliedConfigHash).toBe("string");
    expect(pairing).toMatchObject({ pending: expect.any(Array), paired: expect.any(Array) });
    expect(execs).toEqual([]);
    expect(plugins).toEqual([]);
    expect(tail.lines.length).toBeGreaterThan(0);
    expect(health.ok).toBe(true);
    expect(status.runtimeVersion).toMatch(/^2026\./);
    expect(presence.some((p) => p.mode === "gateway")).toBe(true);
    expect(subscribed.subscribed).toBe(true);
    // The stub provider's key is in the config: one provider with credentials.
    expect(auth.providers.map((p) => p.provider)).toContain("stub");
  });

  it("params are checked before anything is sent", async () => {
    const admin = await connectWith(["operator.admin"]);
    let sent = 0;
    const counting: RequestTarget = {
      request: (method, params, opts) => {
        sent++;
        return admin.request(method, params, opts);
      },
    };
    const err = await chatSend(counting, { sessionKey: "", message: "x", idempotencyKey: "k" }).catch((e) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: "INVALID_PARAMS", method: "chat.send" });
    expect(err.message).toMatch(/sessionKey/);
    // An unknown key would be refused by the gateway's closed schema: refused here, with its name.
    const extra = await sessionsList(counting, { limt: 5 } as never).catch((e) => e);
    expect(extra).toMatchObject({ code: "INVALID_PARAMS" });
    expect(extra.message).toMatch(/limt/);
    expect(sent).toBe(0);
  });

  it("a run: chat.send → typed chat events → chat.history, agent.wait; then send, abort and reset", async () => {
    const admin = await connectWith(["operator.admin"]);
    const sessionKey = "agent:main:methods-run";
    const runId = "methods-run-1";
    // Subscribed: the session's row changes and transcript appends arrive as typed events.
    await sessionsSubscribe(admin);
    const rowDone = nextEvent(
      admin,
      "sessions.changed",
      (e) => e.sessionKey === sessionKey && e.session?.status === "done" && e.session.lastRunId === runId,
      120_000,
    );
    const appended = nextEvent(
      admin,
      "session.message",
      (e) => e.sessionKey === sessionKey && e.message.role === "assistant",
      120_000,
    );
    const statuses: ChatEvent["state"][] = [];
    const offStatus = admin.on("chat", (e) => {
      if (e.runId === runId) statuses.push(e.state);
    });
    const started = nextEvent(admin, "agent", (e) => e.runId === runId && e.stream === "lifecycle", 120_000);
    const final = nextEvent(admin, "chat", (e) => e.runId === runId && e.state === "final", 120_000);
    const ack = await chatSend(admin, { sessionKey, message: "hello typed layer", idempotencyKey: runId });
    expect(ack).toMatchObject({ runId, status: "started" });
    expect((await started).data.phase).toBeTypeOf("string");
    const done = await final;
    expect(done.sessionKey).toBe(sessionKey);
    expect(messageText(done.message)).toBe("STUB-REPLY: hello typed layer");
    offStatus();
    expect(statuses).toContain("final");
    expect(messageText((await appended).message)).toBe("STUB-REPLY: hello typed layer");
    const row = (await rowDone).session!;
    expect(row).toMatchObject({ key: sessionKey, agentId: "main", hasActiveRun: false, model: "stub-model" });
    expect(row.totalTokens).toBeTypeOf("number");

    const waited = await agentWait(admin, { runId, timeoutMs: 10_000 });
    expect(waited.status).toBe("ok");
    // The same key again, after the run ended: answered from the gateway's cache.
    expect((await chatSend(admin, { sessionKey, message: "hello typed layer", idempotencyKey: runId })).status).toBe(
      "ok",
    );

    const history = await chatHistory(admin, { sessionKey });
    const reply = history.messages.find((m) => m.role === "assistant" && m.__openclaw?.runId === runId);
    expect(reply && messageText(reply)).toBe("STUB-REPLY: hello typed layer");
    const listed = await sessionsList(admin, { limit: 50 });
    expect(listed.sessions.map((s) => s.key)).toContain(sessionKey);
    // Paging from the newest end: offset skips the newest messages, nextOffset names the next page.
    const newest = await chatHistory(admin, { sessionKey, limit: 1 });
    expect(newest).toMatchObject({ hasMore: true, nextOffset: 1, totalMessages: 2 });
    expect(newest.messages.map((m) => m.role)).toEqual(["assistant"]);
    const older = await chatHistory(admin, { sessionKey, limit: 1, offset: 1 });
    expect(older.messages.map((m) => m.role)).toEqual(["user"]);
    expect(older.hasMore).toBe(false);

    // Steering: a second message by session key, aborted while it runs, then a fresh transcript.
    stub.delayMs = 5_000;
    try {
      // Abort once the run is inside the model call: a run aborted while still queued (a loaded
      // machine) ends without a chat event at all.
      const running = nextEvent(
        admin,
        "agent",
        (e) => e.runId === "methods-run-2" && e.stream === "lifecycle",
        120_000,
      );
      const second = await sessionsSend(admin, { key: sessionKey, message: "second", idempotencyKey: "methods-run-2" });
      expect(second.runId).toBe("methods-run-2");
      await running;
      const aborted = nextEvent(admin, "chat", (e) => e.runId === "methods-run-2" && e.state === "aborted");
      const abort = await sessionsAbort(admin, { key: sessionKey });
      expect(abort.ok).toBe(true);
      expect((await aborted).stopReason).toBeTypeOf("string");
    } finally {
      stub.delayMs = 0;
    }
    expect(await chatAbort(admin, { sessionKey })).toMatchObject({ ok: true });
    let aborted: Awaited<ReturnType<typeof sessionsList>>["sessions"][number] | undefined;
    for (let i = 0; i < 50 && aborted?.status !== "killed"; i++) {
      if (i) await new Promise((r) => setTimeout(r, 200));
      aborted = (await sessionsList(admin, { limit: 50 })).sessions.find((s) => s.key === sessionKey);
    }
    expect(aborted).toMatchObject({ status: "killed", abortedLastRun: true, lastRunId: "methods-run-2" });
    const reset = await sessionsReset(admin, { key: sessionKey });
    expect(reset).toMatchObject({ ok: true, key: sessionKey });
    // A new session: created by key without a run, listed at once.
    const created = await sessionsCreate(admin, { agentId: "main", label: "typed layer" });
    expect(created.key).toMatch(/^agent:main:/);
    expect(created.runStarted).toBe(false);
  });

  it("chat.inject: an operator note in a session, without a run; an unknown session is refused", async () => {
    const admin = await connectWith(["operator.admin"]);
    const created = await sessionsCreate(admin, { agentId: "main", label: "operator notes" });
    // In the session's history, and sent to its watchers as a final chat message.
    const injected = nextEvent(admin, "chat", (e) => e.sessionKey === created.key && e.state === "final");
    const note = await chatInject(admin, { sessionKey: created.key, message: "an operator note", label: "lead" });
    expect(note).toMatchObject({ ok: true, messageId: expect.any(String) });
    expect(await injected).toMatchObject({ runId: `inject-${note.messageId}` });
    const notes = await chatHistory(admin, { sessionKey: created.key });
    expect(notes.messages.map((m) => messageText(m))).toContain("[lead]\n\nan operator note");
    const missing = await chatInject(admin, { sessionKey: "agent:main:no-such-session", message: "x" }).catch(
      (e: GatewayError) => e,
    );
    expect(missing).toMatchObject({ method: "chat.inject" });
    expect(String((missing as GatewayError).message)).toMatch(/session not found/);
  });

  it("approvals: requested and resolved events, list and resolve (exec and plugin)", async () => {
    // Pending approvals are visible to admin reviewers (and to the requester's own connection).
    // Approval events only go to connections that advertise the approvals capability.
    const reviewer = await connectWith(["operator.admin"], ["approvals"]);
    const requester = await connectWith(["operator.admin"]);
    const execRequested = nextEvent(reviewer, "exec.approval.requested", (e) => e.request.command === "echo typed");
    const pluginRequested = nextEvent(reviewer, "plugin.approval.requested", (e) => e.request.title === "Typed");
    // An agent's tool call would raise these; the test raises them itself (two-phase: answered at once).
    await requester.request("exec.approval.request", {
      command: "echo typed",
      timeoutMs: 60_000,
      twoPhase: true,
      requireDeliveryRoute: false,
    });
    await requester.request("plugin.approval.request", {
      title: "Typed",
      description: "a plugin asks",
      timeoutMs: 60_000,
      twoPhase: true,
    });
    const exec = await execRequested;
    const plugin = await pluginRequested;
    expect(exec).toMatchObject({ approvalKind: "exec", id: expect.any(String), expiresAtMs: expect.any(Number) });
    expect((await execApprovalList(reviewer)).map((a) => a.id)).toContain(exec.id);
    expect((await pluginApprovalList(reviewer)).map((a) => a.id)).toContain(plugin.id);

    const execResolved = nextEvent(reviewer, "exec.approval.resolved", (e) => e.id === exec.id);
    const pluginResolved = nextEvent(reviewer, "plugin.approval.resolved", (e) => e.id === plugin.id);
    expect(await execApprovalResolve(reviewer, { id: exec.id, decision: "deny" })).toMatchObject({ ok: true });
    expect(await pluginApprovalResolve(reviewer, { id: plugin.id, decision: "allow-once" })).toMatchObject({
      ok: true,
    });
    expect(await execResolved).toMatchObject({ decision: "deny" });
    expect(await pluginResolved).toMatchObject({ decision: "allow-once" });
    expect(await execApprovalList(reviewer)).toEqual([]);
  });
});
