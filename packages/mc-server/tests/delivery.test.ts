import { createServer } from "node:net";
import { messageText } from "@missionctl/gateway-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Peer, startPeer } from "../../../tests/peer/peer.mjs";
import { startTestServer, type TestServer, waitFor } from "./helpers.js";
import { type StubModel, startStubModel } from "./stub-model.js";

// Delivery under faults, against a real gateway and the stub model: each test reproduces one of
// the defects measured by the fault harness (issue 12). One gateway for the file (a start costs
// 10–60 s on a loaded machine); the tests run in order and share it.
let peer: Peer;
let stub: StubModel;
let t: TestServer;
let port: number;

const SERVER_OPTS = {
  dispatcher: { pollMs: 250, retryInitialMs: 100, retryMaxMs: 300 },
  // The gateway connection's own defaults: the long-outage test measures them.
  gateway: { pairingPollMs: 1_000 },
};

async function startMc(reuse?: { dir: string }) {
  return startTestServer(
    { OPENCLAW_GATEWAY_URL: peer.url, OPENCLAW_GATEWAY_TOKEN: peer.token, PORT: String(port) },
    SERVER_OPTS,
    reuse ?? {},
  );
}

const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(t.url + path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
};

async function dispatchTask(title: string, description: string) {
  const created = await api("POST", "/api/tasks", { title, description, assignedAgentId: "main" });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.task.id as string;
  const d = await api("POST", `/api/tasks/${id}/dispatch`);
  expect(d.status, JSON.stringify(d.body)).toBe(202);
  return id;
}

type Msg = { role: string; content: unknown; stopReason?: string; idempotencyKey?: string; customType?: string };
const text = (m: Msg) => messageText(m as never);

async function history(id: string): Promise<Msg[]> {
  const key = encodeURIComponent(`agent:main:missionctl-task-${id}`);
  const r = await api("GET", `/api/openclaw/sessions/${key}/history`);
  expect(r.status).toBe(200);
  return r.body.messages;
}

const taskOf = async (id: string) => (await api("GET", `/api/tasks/${id}`)).body.task;
const eventsOf = async (id: string) => (await api("GET", `/api/tasks/${id}/events`)).body;

async function settled(ids: string[], timeoutMs: number) {
  return waitFor(
    async () => {
      const tasks = await Promise.all(ids.map(taskOf));
      return tasks.every((x) => x.status === "review" || x.status === "failed") ? tasks : null;
    },
    { what: `${ids.length} task(s) settled`, timeoutMs, intervalMs: 500 },
  );
}

/** The reply the task recorded, and the shape of its session, for assertion messages. */
async function outcome(id: string) {
  const ev = await eventsOf(id);
  const reply = ev.events.find((e: { type: string }) => e.type === "run.reply");
  const msgs = await history(id);
  const shape = msgs.map((m) => `${m.role}:${m.stopReason ?? ""}:${m.idempotencyKey ?? ""}:${text(m).slice(0, 60)}`);
  return { task: await taskOf(id), reply: reply?.payload?.text as string | undefined, ev, msgs, shape };
}

/** Exactly one answer carrying the marker in the session, and the task recorded it. */
async function expectDeliveredOnce(id: string, marker: string) {
  const o = await outcome(id);
  const why = `${id}\n${o.shape.join("\n")}\n${JSON.stringify(o.ev.outbox)}`;
  expect(o.task.status, why).toBe("review");
  expect(o.reply, why).toContain(marker);
  const answers = o.msgs.filter((m) => m.role === "assistant" && m.stopReason !== "error" && text(m).includes(marker));
  expect(answers.length, why).toBe(1);
  return o;
}

beforeAll(async () => {
  stub = await startStubModel();
  const opts = { stubModelUrl: stub.url, startTimeoutMs: 240_000 };
  peer = await startPeer(opts).catch((err: Error) => {
    console.warn(`peer start failed once, retrying: ${err.message.split("\n")[0]}`);
    return startPeer(opts);
  });
  port = await freePort();
  t = await startMc();
  await waitFor(async () => (await api("GET", "/api/openclaw/status")).status === 200, {
    what: "mc-server connected",
    timeoutMs: 60_000,
  });
  await waitFor(async () => (await api("POST", "/api/agents/sync")).body?.agents?.length > 0, {
    what: "agents synced",
  });
}, 600_000);

afterAll(async () => {
  await t?.close();
  await peer?.stop();
  await stub?.close();
});

describe("retrying a request", () => {
  it("a dispatch retried with its Idempotency-Key after the task reached review gets the first 202, and no second delivery", async () => {
    const create = () =>
      api(
        "POST",
        "/api/tasks",
        { title: "idempotent dispatch", description: "MARKER-idem", assignedAgentId: "main" },
        { "idempotency-key": "create-idem-1" },
      );
    const created = await create();
    expect(created.status).toBe(201);
    const id = created.body.task.id as string;
    const first = await api("POST", `/api/tasks/${id}/dispatch`, undefined, { "idempotency-key": "dispatch-idem-1" });
    expect(first.status).toBe(202);
    await settled([id], 240_000);
    await expectDeliveredOnce(id, "MARKER-idem");
    // The client lost the 202 and retries: the same answer, no new delivery.
    const again = await api("POST", `/api/tasks/${id}/dispatch`, undefined, { "idempotency-key": "dispatch-idem-1" });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const retriedCreate = await create();
    expect(retriedCreate.status).toBe(201);
    expect(retriedCreate.body.task.id).toBe(id);
    await new Promise((r) => setTimeout(r, 1_500));
    const o = await expectDeliveredOnce(id, "MARKER-idem");
    expect(o.task.status).toBe("review");
    expect(o.ev.outbox).toHaveLength(1);
    expect(o.msgs.filter((m) => m.role === "user")).toHaveLength(1);
  }, 300_000);
});

describe("mc-server restarts while a run is in flight", () => {
  it("the delivery is not sent again (its gateway boot is in the database) and the reply is recorded", async () => {
    const id = await dispatchTask("server restart mid-run", "MARKER-srv DELAY-8000");
    await waitFor(async () => (await eventsOf(id)).events.some((e: { type: string }) => e.type === "dispatch.sent"), {
      what: "dispatch.sent",
    });
    await t.close({ keepDir: true });
    t = await startMc({ dir: t.dir });
    await settled([id], 240_000);
    const o = await expectDeliveredOnce(id, "MARKER-srv");
    expect(o.ev.events.filter((e: { type: string }) => e.type === "dispatch.sent")).toHaveLength(1);
    expect(o.ev.outbox[0]).toMatchObject({ state: "acknowledged", attempts: 1 });
    expect(o.msgs.filter((m) => m.role === "user")).toHaveLength(1);
    const errors = t.logs.filter((l) => l.level === "error");
    expect(errors, JSON.stringify(errors)).toEqual([]);
  }, 300_000);
});

const sentIn = (ev: { events: { type: string }[] }) => ev.events.some((e) => e.type === "dispatch.sent");
const wasDrained = (msgs: Msg[]) =>
  msgs.some((m) => m.customType === "run-failed-before-reply" || /ended before a reply/.test(text(m)));
const anyDrained = async (ids: string[]) => (await Promise.all(ids.map(history))).some(wasDrained);

describe("the gateway restarts in the middle of runs", () => {
  const inModel: string[] = [];
  const burst: string[] = [];
  const shutdown: string[] = [];

  beforeAll(async () => {
    // Warm: a first run on a fresh gateway takes seconds in workspace preparation.
    await settled([await dispatchTask("warm-up", "MARKER-warm")], 240_000);
    // Inside the model call when the gateway stops: it is killed 10 s after SIGTERM, and on its
    // next boot it continues that turn itself, under a run id of its own.
    inModel.push(await dispatchTask("in the model call", "MARKER-model DELAY-40000"));
    await waitFor(() => stub.requests.some((r) => r.markers.includes("MARKER-model")), {
      what: "the slow run inside the model call",
      timeoutMs: 120_000,
    });
    // Runs just admitted when the drain starts: the gateway ends them "before a reply".
    for (let i = 0; i < 6; i++) {
      burst.push(await dispatchTask(`burst ${i}`, `MARKER-burst${i}`));
      await new Promise((r) => setTimeout(r, 150));
    }
    const restarting = peer.restart().catch((err: Error) => {
      console.warn(`peer restart failed once, retrying: ${err.message.split("\n")[0]}`);
      return peer.restart();
    });
    // Dispatched while it shuts down: refused (UNAVAILABLE, some without a retryable flag).
    for (let i = 0; i < 8; i++) {
      shutdown.push(await dispatchTask(`during shutdown ${i}`, `MARKER-down${i}`));
      await new Promise((r) => setTimeout(r, 250));
    }
    await restarting;
    await settled([...inModel, ...burst, ...shutdown], 480_000);
    // Whether a burst run is still before its model call when the drain starts depends on the
    // machine's speed (measured: a fresh, loaded CI machine had none drained). Up to two more
    // bursts, dispatched at once and restarted as soon as the gateway admits the first of them.
    for (let extra = 0; extra < 2 && !(await anyDrained(burst)); extra++) {
      console.warn(`[delivery] no run of the burst was drained by that restart: burst ${extra + 2} of 3`);
      const more: string[] = [];
      for (let i = 0; i < 6; i++)
        more.push(await dispatchTask(`burst ${burst.length + i}`, `MARKER-burst${burst.length + i}`));
      await waitFor(async () => (await Promise.all(more.map(eventsOf))).some((ev) => sentIn(ev)), {
        what: "the extra burst reaching the gateway",
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      burst.push(...more);
      await peer.restart().catch((err: Error) => {
        console.warn(`peer restart failed once, retrying: ${err.message.split("\n")[0]}`);
        return peer.restart();
      });
      await settled(more, 480_000);
    }
  }, 1_800_000);

  it("the answer of the turn the gateway continued after its restart is the task's outcome", async () => {
    const o = await expectDeliveredOnce(inModel[0]!, "MARKER-model");
    // The task's message was stored once, and never sent again under its key.
    expect(o.msgs.filter((m) => m.role === "user" && m.idempotencyKey?.startsWith("missionctl-task-"))).toHaveLength(1);
    expect(o.msgs.filter((m) => m.role === "assistant" && m.stopReason === "error")).toEqual([]);
    expect(o.ev.outbox[0].attempts).toBe(1);
  });

  it("a turn drained by the shutdown is delivered again with the task, and answered once", async () => {
    let drained = 0;
    for (const [i, id] of burst.entries()) {
      const o = await expectDeliveredOnce(id, `MARKER-burst${i}`);
      if (wasDrained(o.msgs)) drained++;
      expect(o.reply).not.toMatch(/ended before a reply/);
    }
    expect(drained, "no run of the burst was drained: the scenario did not happen").toBeGreaterThan(0);
  });

  it("requests the gateway refused while shutting down are retried, and never fail a task", async () => {
    for (const [i, id] of shutdown.entries()) await expectDeliveredOnce(id, `MARKER-down${i}`);
    const refused = t.logs.filter((l) => l.msg === "delivery refused by the gateway");
    expect(refused, JSON.stringify(refused)).toEqual([]);
  });
});

describe("a long gateway outage", () => {
  it("mc-server keeps trying every few seconds, and deliveries go out promptly once the gateway is back, each counted once", async () => {
    await peer.stop({ clean: false });
    // While the gateway is away, its port records each reconnect attempt (and turns it away).
    const attempts: number[] = [];
    const observer = createServer((sock) => {
      attempts.push(Date.now());
      sock.destroy();
    });
    await new Promise<void>((r) => observer.listen(peer.port, "127.0.0.1", () => r()));
    const ids = [
      await dispatchTask("during the outage 1", "MARKER-out1"),
      await dispatchTask("during the outage 2", "MARKER-out2"),
    ];
    // Long enough for any reconnect backoff to reach its cap.
    await new Promise((r) => setTimeout(r, 45_000));
    await new Promise<void>((r) => observer.close(() => r()));
    const late = attempts.filter((at) => at > Date.now() - 25_000);
    const gaps = late.slice(1).map((at, i) => at - late[i]!);
    expect(late.length, `attempts ${JSON.stringify(attempts.map((a) => a - attempts[0]!))}`).toBeGreaterThan(3);
    expect(Math.max(...gaps), `gaps ${JSON.stringify(gaps)}`).toBeLessThanOrEqual(6_000);
    await peer.start();
    const ready = Date.now();
    await waitFor(
      async () => {
        const all = await Promise.all(ids.map(eventsOf));
        return all.every((ev) => ev.events.some((e: { type: string }) => e.type === "dispatch.sent"));
      },
      { what: "both sent after the gateway came back", timeoutMs: 120_000, intervalMs: 200 },
    );
    const lag = Date.now() - ready;
    expect(lag, `sent ${lag} ms after the gateway was ready`).toBeLessThan(20_000);
    await settled(ids, 240_000);
    for (const [i, id] of ids.entries()) {
      const o = await expectDeliveredOnce(id, `MARKER-out${i + 1}`);
      expect(o.ev.outbox[0].attempts).toBe(1);
    }
  }, 420_000);
});
