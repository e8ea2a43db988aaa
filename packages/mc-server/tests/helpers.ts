import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "@missionctl/mc-server";

export interface TestServer {
  url: string;
  port: number;
  dir: string;
  logs: Record<string, any>[];
  server: Awaited<ReturnType<typeof startServer>>;
  close(opts?: { keepDir?: boolean }): Promise<void>;
}

/**
 * A real mc-server on a free loopback port with its own database and identity folder. Pass
 * `dir` (and PORT) to start it again on the database and identity of an earlier one.
 */
export async function startTestServer(
  env: Record<string, string | undefined> = {},
  opts: Parameters<typeof startServer>[0] = {},
  reuse: { dir?: string } = {},
): Promise<TestServer> {
  const dir = reuse.dir ?? mkdtempSync(join(tmpdir(), "mc-server-test-"));
  const logs: Record<string, any>[] = [];
  const { createLogger } = await import("@missionctl/mc-server");
  const logger = createLogger((env.LOG_LEVEL as any) ?? "info", (line) => {
    logs.push(JSON.parse(line));
    if (process.env.MC_TEST_LOGS) process.stdout.write(line);
  });
  const server = await startServer({
    env: {
      HOME: dir,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_PATH: join(dir, "mc.db"),
      MC_IDENTITY_DIR: join(dir, "identity"),
      ...env,
    },
    logger,
    ...opts,
  });
  return {
    url: server.url,
    port: server.port,
    dir,
    logs,
    server,
    async close({ keepDir = false } = {}) {
      await server.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 100, what = "condition" } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** Parses an event stream into frames (`id`, `event`, `retry`, JSON `data`) until it ends. */
async function readFrames(
  body: ReadableStream<Uint8Array>,
  onFrame: (f: { id: string | null; event: string; retry: number | null; data: any }) => void,
): Promise<void> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += dec.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf("\n\n")) !== -1) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = "message";
      let id: string | null = null;
      let retry: number | null = null;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
        else if (line.startsWith("id: ")) id = line.slice(4);
        else if (line.startsWith("retry: ")) retry = Number(line.slice(7)) || null;
      }
      onFrame({ id, event, retry, data: data.length ? JSON.parse(data.join("\n")) : undefined });
    }
  }
}

/** A minimal SSE reader over fetch: collects `{event, data}` until closed. */
export function openEventStream(url: string, headers: Record<string, string> = {}) {
  const events: { event: string; data: any; at: number }[] = [];
  const ac = new AbortController();
  const ready = (async () => {
    const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: ac.signal });
    if (!res.ok || !res.body) throw new Error(`SSE ${res.status}`);
    return res;
  })();
  const done = ready.then((res) =>
    readFrames(res.body!, (f) => {
      if (f.data !== undefined) events.push({ event: f.event, data: f.data, at: Date.now() });
    }).catch(() => {}),
  );
  return {
    events,
    ready,
    close: () => {
      ac.abort();
      return done.catch(() => {});
    },
  };
}

/** Debian's chromium, headless, with nothing that reaches beyond loopback (updates, sync, QUIC). */
export { CHROMIUM_ARGS } from "../../../tests/browser/chromium.mjs";

export interface StreamFrame {
  id: string | null;
  event: string;
  data: any;
  at: number;
  /** Which connection (0, 1, …) delivered it. */
  connection: number;
}

/**
 * An EventSource as browsers implement it: reconnects after `retry` ms whenever the stream
 * ends or fails (a server restart), sending the last `id:` it saw as Last-Event-ID.
 */
export function openReconnectingStream(url: string, opts: { retryMs?: number; headers?: Record<string, string> } = {}) {
  const frames: StreamFrame[] = [];
  let lastEventId = null as string | null;
  let connections = 0;
  let closed = false;
  let ac = new AbortController();
  let retryMs = opts.retryMs ?? 300;
  const loop = (async () => {
    while (!closed) {
      const connection = connections++;
      try {
        const res = await fetch(url, {
          headers: {
            accept: "text/event-stream",
            ...(opts.headers ?? {}),
            ...(lastEventId !== null ? { "last-event-id": lastEventId } : {}),
          },
          signal: ac.signal,
        });
        if (res.ok && res.body) {
          await readFrames(res.body, (f) => {
            if (f.id !== null) lastEventId = f.id;
            if (f.retry !== null) retryMs = Math.min(retryMs, f.retry);
            if (f.data !== undefined)
              frames.push({ id: f.id, event: f.event, data: f.data, at: Date.now(), connection });
          });
        }
      } catch {
        // refused or cut: the server is restarting
      }
      if (!closed) await new Promise((r) => setTimeout(r, retryMs));
    }
  })();
  return {
    frames,
    get connections() {
      return connections;
    },
    get lastEventId() {
      return lastEventId;
    },
    async close() {
      closed = true;
      ac.abort();
      ac = new AbortController();
      await loop;
    },
  };
}

/**
 * fetch, once more when a pooled keep-alive socket to a server that has since restarted fails
 * before the request was sent ("other side closed").
 */
export async function fetchFresh(url: string, init?: RequestInit): Promise<Response> {
  for (let i = 0; ; i++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (i >= 5 || (err as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw err;
    }
  }
}
