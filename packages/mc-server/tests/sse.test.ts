import { existsSync } from "node:fs";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../tests/peer/peer.mjs";
import {
  fetchFresh,
  openEventStream,
  openReconnectingStream,
  startTestServer,
  type TestServer,
  waitFor,
} from "./helpers.js";

// The live stream without a gateway: ids that survive a server restart, replay with
// Last-Event-ID, the page reloading its state on reconnect, and a client that stops reading.
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close().catch(() => {});
});

async function server(port: number, reuse?: { dir: string }, sse?: { maxQueueBytes?: number }) {
  const s = await startTestServer({ PORT: String(port), LOG_LEVEL: "warn" }, sse ? { sse } : {}, reuse ?? {});
  servers.push(s);
  return s;
}

const createTask = async (t: TestServer, title: string) => {
  const r = await fetchFresh(`${t.url}/api/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
  expect(r.status).toBe(201);
  return ((await r.json()) as { task: { id: string } }).task.id;
};

const restart = async (t: TestServer, port: number) => {
  servers.splice(servers.indexOf(t), 1);
  await t.close({ keepDir: true });
  return server(port, { dir: t.dir });
};

describe("event ids survive a server restart", () => {
  it("a client resuming with Last-Event-ID gets every task event of the new process it missed", async () => {
    const port = await freePort();
    let t = await server(port);
    const first = openEventStream(`${t.url}/api/events`);
    await first.ready;
    await createTask(t, "before the restart");
    const seen = await waitFor(() => first.events.find((e) => e.event === "task.event" && e.data.type === "created"));
    await first.close();
    const lastId = String(seen.data.id);

    t = await restart(t, port);
    const missed = [await createTask(t, "missed 1"), await createTask(t, "missed 2")];
    // As a browser does after the restart: the last id it saw, in the header.
    const res = await fetch(`${t.url}/api/events`, { headers: { "last-event-id": lastId } });
    const reader = res.body!.getReader();
    let text = "";
    const dec = new TextDecoder();
    while (!missed.every((id) => text.includes(`"title":"missed ${missed.indexOf(id) + 1}"`))) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
    await reader.cancel();
    const frames = text.split("\n\n").filter(Boolean);
    const replayed = frames.filter((f) => f.includes("event: task.event"));
    expect(replayed.length).toBe(2);
    const ids = replayed.map((f) => Number(/^id: (\d+)$/m.exec(f)?.[1]));
    expect(ids.every((id) => id > Number(lastId))).toBe(true);
    expect(ids[1]).toBeGreaterThan(ids[0]!);
    for (const id of missed) expect(text).toContain(`"taskId":"${id}"`);
    expect(frames.some((f) => f.includes("event: hello") && f.includes('"resync":false'))).toBe(true);
  });

  it("a reconnecting stream sees every task event exactly once across two restarts", async () => {
    const port = await freePort();
    let t = await server(port);
    const stream = openReconnectingStream(`${t.url}/api/events`, { retryMs: 200 });
    await waitFor(() => stream.frames.some((f) => f.event === "hello"));
    const created: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) created.push(await createTask(t, `round ${round} task ${i}`));
      if (round === 2) break;
      const hellos = stream.frames.filter((f) => f.event === "hello").length;
      t = await restart(t, port);
      // Some tasks change before the stream is back, some after.
      created.push(await createTask(t, `round ${round} between`));
      await waitFor(() => stream.frames.filter((f) => f.event === "hello").length > hellos, {
        what: "the stream back after the restart",
      });
    }
    const events = await waitFor(
      () => {
        const ev = stream.frames.filter((f) => f.event === "task.event");
        return ev.length >= created.length ? ev : null;
      },
      { what: "every created event", timeoutMs: 20_000 },
    );
    await stream.close();
    expect(events.map((e) => e.data.taskId)).toEqual(created);
    const ids = events.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(stream.connections).toBeGreaterThanOrEqual(3);
  });

  it("an id this database never gave tells the client to reload (resync)", async () => {
    const t = await server(await freePort());
    await createTask(t, "one");
    const res = await fetch(`${t.url}/api/events`, { headers: { "last-event-id": "999999" } });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    await reader.cancel();
    expect(new TextDecoder().decode(value)).toMatch(/event: hello\ndata: .*"resync":true/);
  });
});

describe("a client that stops reading", () => {
  it("is dropped once it falls maxQueueBytes behind; server memory does not grow with it; others get everything", async () => {
    const maxQueueBytes = 256 * 1024;
    const t = await server(await freePort(), undefined, { maxQueueBytes });
    const healthy = openEventStream(`${t.url}/api/events`);
    await healthy.ready;
    // A raw client that sends its request and never reads a byte of the answer.
    const stalled = connect(t.port, "127.0.0.1");
    await new Promise<void>((r) => stalled.once("connect", () => r()));
    stalled.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nAccept: text/event-stream\r\n\r\n`);
    stalled.pause();
    await waitFor(async () => ((await (await fetch(`${t.url}/api/health`)).json()) as any).sseClients === 2);
    const { hub } = t.server.ctx;
    const text = "x".repeat(32 * 1024);
    let maxBuffered = 0;
    const total = 800; // 26 MB: far beyond what the kernel's socket buffers absorb
    for (let i = 0; i < total; i++) {
      hub.broadcast("run", { taskId: "t", runId: null, state: "delta", text, n: i });
      if (i % 20 === 19) {
        maxBuffered = Math.max(maxBuffered, hub.bufferedBytes?.() ?? Number.POSITIVE_INFINITY);
        await new Promise((r) => setImmediate(r));
        await waitFor(() => healthy.events.filter((e) => e.event === "run").length >= i - 40, { intervalMs: 5 });
      }
    }
    await waitFor(() => healthy.events.filter((e) => e.event === "run").length === total, {
      what: "the healthy client got every event",
    });
    const health = (await (await fetch(`${t.url}/api/health`)).json()) as any;
    expect(health).toMatchObject({ sseClients: 1, sseDropped: 1 });
    // Bounded: one client's queue, plus what the healthy client's socket held for a moment.
    expect(maxBuffered).toBeLessThan(maxQueueBytes + 4 * 1024 * 1024);
    expect(hub.bufferedBytes()).toBeLessThan(1024 * 1024);
    expect(t.logs.some((l) => l.msg === "SSE client fell behind; dropped")).toBe(true);
    const runs = healthy.events.filter((e) => e.event === "run").map((e) => e.data.n);
    expect(runs).toEqual(Array.from({ length: total }, (_, i) => i));
    stalled.destroy();
    await healthy.close();
  }, 60_000);
});

const CHROMIUM = "/usr/bin/chromium";
describe.skipIf(!existsSync(CHROMIUM))("the dashboard in a real browser", () => {
  it("reloads its state when its stream comes back after a server restart", async () => {
    const port = await freePort();
    let t = await server(port);
    const id = await createTask(t, "card before the restart");
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${t.url}/`);
      await page.getByText("live", { exact: true }).waitFor();
      await page.locator(`#task-${id}`, { hasText: "card before the restart" }).waitFor();
      t = await restart(t, port);
      // Changed by the new process before the page's EventSource is back (it retries after 2 s).
      const r = await fetchFresh(`${t.url}/api/tasks/${id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "renamed while the stream was down" }),
      });
      expect(r.status).toBe(200);
      const added = await createTask(t, "created while the stream was down");
      await page.locator(`#task-${id}`, { hasText: "renamed while the stream was down" }).waitFor({ timeout: 20_000 });
      await page.locator(`#task-${added}`).waitFor({ timeout: 20_000 });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
