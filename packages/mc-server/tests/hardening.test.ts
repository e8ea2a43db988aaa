// Issue 13, found by an adversarial pass on loopback: each case below was measured against the
// real server before its fix. The server listens on a real loopback port; requests go over HTTP
// (node:http where a test must set the Host header or dribble a body) and through Chromium.
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, startTestServer, type TestServer, waitFor } from "./helpers.js";

const TOKEN = "hardening-api-token-0123456789";

/** A raw HTTP request with any Host header; resolves with status, headers and body. */
function raw(
  port: number,
  opts: { method?: string; path?: string; host?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: opts.method ?? "GET",
        path: opts.path ?? "/",
        setHost: false,
        headers: { ...(opts.host !== undefined ? { host: opts.host } : {}), ...(opts.headers ?? {}) },
        timeout: 10_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        // An event stream that was allowed would never end: the first chunk is enough.
        res.on("data", (d: string) => {
          body += d;
          if (String(res.headers["content-type"]).startsWith("text/event-stream")) res.destroy();
        });
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        res.on("close", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(opts.body);
  });
}

describe("DNS rebinding: only this server's own names are answered", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MC_ALLOWED_HOSTS: "mc.example.org, ops.example.org:8443" });
  });
  afterAll(() => t?.close());

  it("a foreign Host gets 421 on the page, the API, SSE and mutating routes; nothing is created", async () => {
    const evil = `rebind.attacker.example:${t.port}`;
    const tasksBefore = t.server.ctx.store.tasks.list({}).items.length;
    for (const [method, path, body] of [
      ["GET", "/", undefined],
      ["GET", "/api/health", undefined],
      ["GET", "/api/tasks", undefined],
      ["GET", "/api/events", undefined],
      ["GET", "/api/openclaw/status", undefined],
      ["POST", "/api/tasks", '{"title":"from the attacker"}'],
    ] as const) {
      const r = await raw(t.port, {
        method,
        path,
        host: evil,
        headers: {
          ...(body ? { "content-type": "application/json", origin: `http://${evil}` } : {}),
        },
        ...(body ? { body } : {}),
      });
      expect([method, path, r.status], r.body).toEqual([method, path, 421]);
      expect(JSON.parse(r.body).error).toMatchObject({
        code: "HOST_NOT_ALLOWED",
        hint: expect.stringContaining("MC_ALLOWED_HOSTS"),
      });
    }
    expect(t.server.ctx.store.tasks.list({}).items.length).toBe(tasksBefore);
  });

  it("loopback names and addresses with the server's port pass; another port, no Host or a look-alike do not", async () => {
    for (const host of [`127.0.0.1:${t.port}`, `localhost:${t.port}`, `[::1]:${t.port}`, `127.0.0.2:${t.port}`])
      expect([host, (await raw(t.port, { path: "/api/health", host })).status]).toEqual([host, 200]);
    for (const host of [
      `localhost:${t.port + 1}`,
      "localhost",
      `127.0.0.1.attacker.example:${t.port}`,
      `localhost.attacker.example:${t.port}`,
      "",
    ])
      expect([host, (await raw(t.port, { path: "/api/health", host })).status]).toEqual([host, 421]);
  });

  it("MC_ALLOWED_HOSTS names pass: without a port on any port, with a port on that one only", async () => {
    for (const [host, status] of [
      ["mc.example.org", 200],
      ["mc.example.org.:443", 200],
      ["ops.example.org:8443", 200],
      ["ops.example.org", 421],
      ["evil.mc.example.org", 421],
    ] as const)
      expect([host, (await raw(t.port, { path: "/api/health", host })).status]).toEqual([host, status]);
  });
});

describe("in Chromium: a page on a name that resolves to 127.0.0.1 can neither read nor write the API", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    t.server.ctx.store.tasks.create({ title: "private task", description: "an agent's secret reply", actor: "test" });
  });
  afterAll(() => t?.close());

  it("the rebound origin gets nothing; the dashboard's own origin still works", async () => {
    const { chromium } = await import("playwright-core");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const profile = mkdtempSync(join(tmpdir(), "mc-rebind-chromium-"));
    const rebound = "rebind.attacker.example";
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      // The attacker's DNS answer after the rebind: their name now points at loopback.
      args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${rebound} 127.0.0.1`],
    });
    try {
      const page = await context.newPage();
      const origin = `http://${rebound}:${t.port}`;
      // The attacker's name now resolves to loopback: whatever their page runs, it runs in this
      // origin, and its requests reach mc-server with `Host: rebind.attacker.example:<port>`.
      const nav = await page.goto(`${origin}/`);
      expect(nav?.status()).toBe(421);
      expect(await page.content()).not.toContain("private task");
      const outcome = await page.evaluate(async () => {
        const out: Record<string, unknown> = {};
        try {
          const r = await fetch("/api/tasks");
          out.read = { status: r.status, body: await r.text() };
        } catch (e) {
          out.read = { error: String(e) };
        }
        try {
          const w = await fetch("/api/tasks", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ title: "attacker task", assignedAgentId: "main" }),
          });
          out.write = { status: w.status };
        } catch (e) {
          out.write = { error: String(e) };
        }
        out.sse = await new Promise((resolve) => {
          const es = new EventSource("/api/events");
          const done = (v: string) => {
            es.close();
            resolve(v);
          };
          es.addEventListener("hello", () => done("hello received"));
          es.onerror = () => done("error");
          setTimeout(() => done("timeout"), 5_000);
        });
        return out;
      });
      // 421, or a network error where Chromium gives up on a repeated 421: either way, nothing read.
      const refused = (r: unknown) =>
        (r as { status?: number }).status === 421 || /Failed to fetch/.test(String((r as { error?: string }).error));
      expect(refused(outcome.read), JSON.stringify(outcome.read)).toBe(true);
      expect(JSON.stringify(outcome.read)).not.toContain("private task");
      expect(refused(outcome.write), JSON.stringify(outcome.write)).toBe(true);
      expect(outcome.sse).toBe("error");
      expect(t.server.ctx.store.tasks.list({}).items.map((x) => x.title)).toEqual(["private task"]);

      // Control: the dashboard's own origin loads and reads the API in the same browser.
      const own = await context.newPage();
      await own.goto(`http://127.0.0.1:${t.port}/`);
      const ok = await own.evaluate(async () => (await fetch("/api/tasks")).status);
      expect(ok).toBe(200);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("failed auth is throttled per client address", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MC_API_TOKEN: TOKEN });
  });
  afterAll(() => t?.close());

  it("after 10 wrong bearer tokens: 429 with Retry-After, even for the right token, until the window ends", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const r = await fetch(`${t.url}/api/tasks`, { headers: { authorization: `Bearer wrong-guess-${i}` } });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(Number(r.headers.get("retry-after"))).toBeLessThanOrEqual(60);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe("AUTH_THROTTLED");
      } else await r.body?.cancel();
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(4).fill(429));
    // A throttled address learns nothing, not even that a token is right.
    const right = await fetch(`${t.url}/api/tasks`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(429);
    const login = await fetch(`${t.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(login.status).toBe(429);
    // Liveness stays open, and a request without any token is not a failed guess.
    expect((await fetch(`${t.url}/api/health`)).status).toBe(200);
    expect(t.logs.some((l) => l.msg === "auth throttled" && l.level === "warn")).toBe(true);
    expect(JSON.stringify(t.logs)).not.toContain(TOKEN);
  });

  it("the login form is throttled the same way", async () => {
    // Another server: a fresh count for the address.
    const u = await startTestServer({ MC_API_TOKEN: TOKEN });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await fetch(`${u.url}/api/session`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ token: `guess-${i}` }),
        });
        statuses.push(r.status);
        await r.body?.cancel();
      }
      expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    } finally {
      await u.close();
    }
  });
  it("a fresh X-Forwarded-For per guess from loopback does not escape the limit", async () => {
    // Anyone on loopback can claim to be a proxy: forwarded guesses also count against the peer.
    const u = await startTestServer({ MC_API_TOKEN: TOKEN });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 102; i++) {
        const r = await fetch(`${u.url}/api/tasks`, {
          headers: { authorization: `Bearer guess-${i}`, "x-forwarded-for": `198.51.100.${i + 1}` },
        });
        statuses.push(r.status);
        await r.body?.cancel();
      }
      expect(statuses.slice(0, 100)).toEqual(Array(100).fill(401));
      expect(statuses.slice(100)).toEqual([429, 429]);
    } finally {
      await u.close();
    }
  });
});

describe("bounded inputs and slow clients", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MC_REQUEST_TIMEOUT_MS: "2000", LOG_LEVEL: "debug" });
    const big = "x".repeat(19_000);
    for (let i = 0; i < 40; i++)
      t.server.ctx.store.tasks.create({ title: `task ${i}`, description: big, actor: "test" });
  });
  afterAll(() => t?.close());

  it("the task-list cache is keyed on the meaning of the query and bounded by bytes", async () => {
    for (let n = 0; n < 150; n++) {
      const r = await fetch(`${t.url}/api/tasks?limit=500&limit=${n}`);
      expect(r.status).toBe(200);
      await r.body?.cancel();
    }
    expect(t.server.ctx.taskListCache.stats().entries).toBe(1);
    for (let n = 1; n <= 60; n++) {
      const r = await fetch(`${t.url}/api/tasks?limit=${n}`);
      await r.body?.cancel();
    }
    const s = t.server.ctx.taskListCache.stats();
    expect(s.bytes).toBeLessThanOrEqual(s.maxBytes);
    // Pages of 19 KB tasks: the budget holds a handful of the larger ones, never all 60.
    expect(s.entries).toBeLessThan(60);
  });

  it("a slow body is cut off at MC_REQUEST_TIMEOUT_MS, not held for minutes", async () => {
    const started = Date.now();
    const result = await new Promise<string>((resolve) => {
      const sock = connect(t.port, "127.0.0.1", () => {
        sock.write(
          `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"title":`,
        );
      });
      let got = "";
      sock.setEncoding("utf8");
      sock.on("data", (d: string) => (got += d));
      sock.on("close", () => resolve(got));
      setTimeout(() => sock.destroy(), 20_000);
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatch(/^HTTP\/1\.1 408/);
  }, 30_000);

  it("a client that aborts mid-body is logged at debug as an abort, not as an unhandled error", async () => {
    await new Promise<void>((resolve) => {
      const sock = connect(t.port, "127.0.0.1", () => {
        sock.write(
          `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"title":"x`,
        );
        setTimeout(() => {
          sock.destroy();
          resolve();
        }, 300);
      });
    });
    await waitFor(() => t.logs.find((l) => l.msg === "request aborted by the client"), {
      what: "the abort log line",
      timeoutMs: 5_000,
    });
    expect(t.logs.find((l) => l.msg === "request aborted by the client")).toMatchObject({ level: "debug" });
    expect(t.logs.filter((l) => l.level === "error")).toEqual([]);
  });

  it("HEAD /api/events answers the stream's headers and ends", async () => {
    const r = await raw(t.port, { method: "HEAD", path: "/api/events", host: `127.0.0.1:${t.port}` });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(r.body).toBe("");
  });
});
