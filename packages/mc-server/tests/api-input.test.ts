import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEventStream, startTestServer, type TestServer } from "./helpers.js";

const TOKEN = "test-api-token-0123456789abcdef";
let t: TestServer;
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { ...auth, "content-type": "application/json" };

beforeAll(async () => {
  t = await startTestServer({
    MC_API_TOKEN: TOKEN,
    OPENCLAW_GATEWAY_TOKEN: "gw-secret-never-shown",
    MC_BODY_LIMIT_BYTES: "4096",
  });
  t.server.ctx.store.agents.upsertMany([{ id: "main", name: "Main" }]);
});
afterAll(async () => {
  await t?.close();
});

async function call(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(t.url + path, {
    method,
    headers: init.headers ?? auth,
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe("API token", () => {
  it("leaves /api/health open and reports the database and gateway state", async () => {
    const r = await call("GET", "/api/health", { headers: {} });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, database: { ok: true }, gateway: { state: "not_configured" } });
  });

  it("401 without a token, 401 with a wrong one, 200 with the right one", async () => {
    const missing = await call("GET", "/api/tasks", { headers: {} });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({
      code: "API_TOKEN_REQUIRED",
      message: "[mc-server] /api: this server requires MC_API_TOKEN",
    });
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await call("GET", "/api/tasks", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({
      code: "API_TOKEN_INVALID",
      message: "[mc-server] /api: the token does not match MC_API_TOKEN",
    });
    expect((await call("GET", "/api/tasks")).status).toBe(200);
  });

  it("the dashboard logs in once and then rides on an HttpOnly cookie (page, API and SSE)", async () => {
    const page = await fetch(`${t.url}/`);
    expect(await page.text()).toContain('id="login-form"');
    const bad = await call("POST", "/api/session", {
      headers: { "content-type": "application/json", origin: t.url },
      body: JSON.stringify({ token: "wrong" }),
    });
    expect(bad.status).toBe(401);
    const login = await fetch(`${t.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: t.url },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/mc_session=.+; Path=\/; HttpOnly; SameSite=Strict/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(";")[0]!;
    expect((await call("GET", "/api/tasks", { headers: { cookie } })).status).toBe(200);
    const board = await (await fetch(`${t.url}/`, { headers: { cookie } })).text();
    expect(board).toContain('id="board"');
    const sse = openEventStream(`${t.url}/api/events`, { cookie });
    await sse.ready;
    await sse.close();
    expect((await call("GET", "/api/tasks", { headers: { cookie: "mc_session=forged" } })).status).toBe(401);
  });
});

describe("bad input", () => {
  it("malformed JSON → 400 INVALID_JSON", async () => {
    const r = await call("POST", "/api/tasks", { headers: json, body: '{"title": "x",' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("INVALID_JSON");
    expect(r.body.error.message).toMatch(/^\[mc-server\] request body: malformed JSON/);
    expect(r.body.error.hint).toBe("send a valid JSON object");
  });

  it("oversize body → 413 PAYLOAD_TOO_LARGE", async () => {
    const r = await call("POST", "/api/tasks", {
      headers: json,
      body: JSON.stringify({ title: "big", description: "x".repeat(8000) }),
    });
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: "[mc-server] request body: larger than 4096 bytes",
    });
  });

  it("a body that breaks the rules → 400 with the field errors", async () => {
    const r = await call("POST", "/api/tasks", {
      headers: json,
      body: JSON.stringify({ title: "", priority: "asap", extra: 1 }),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION_FAILED");
    const paths = r.body.error.fields.map((f: { path: string }) => f.path).sort();
    expect(paths).toEqual(["(root)", "priority", "title"]);
  });

  it("non-JSON content type → 415", async () => {
    const r = await call("POST", "/api/tasks", {
      headers: { ...auth, "content-type": "text/plain" },
      body: '{"title":"x"}',
    });
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("unknown task → 404 TASK_NOT_FOUND on get, patch, delete, dispatch and events", async () => {
    for (const [m, p, body] of [
      ["GET", "/api/tasks/nope", undefined],
      ["PATCH", "/api/tasks/nope", '{"title":"y"}'],
      ["DELETE", "/api/tasks/nope", undefined],
      ["POST", "/api/tasks/nope/dispatch", undefined],
      ["GET", "/api/tasks/nope/events", undefined],
    ] as const) {
      const r = await call(m, p, { headers: json, ...(body ? { body } : {}) });
      expect([m, p, r.status, r.body.error.code]).toEqual([m, p, 404, "TASK_NOT_FOUND"]);
    }
  });

  it("invalid transition → 409 INVALID_TRANSITION with the allowed statuses", async () => {
    const created = await call("POST", "/api/tasks", {
      headers: json,
      body: JSON.stringify({ title: "to be done too early" }),
    });
    expect(created.status).toBe(201);
    expect(created.body.task.status).toBe("inbox");
    const r = await call("PATCH", `/api/tasks/${created.body.task.id}`, {
      headers: json,
      body: JSON.stringify({ status: "done" }),
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("INVALID_TRANSITION");
    expect(r.body.error.allowed).toEqual(["assigned", "cancelled"]);
  });

  it("dispatch without an agent → 409 AGENT_REQUIRED; with one while offline → 202 queued", async () => {
    const created = await call("POST", "/api/tasks", {
      headers: json,
      body: JSON.stringify({ title: "needs an agent" }),
    });
    const id = created.body.task.id;
    const noAgent = await call("POST", `/api/tasks/${id}/dispatch`, { headers: json });
    expect(noAgent.status).toBe(409);
    expect(noAgent.body.error.code).toBe("AGENT_REQUIRED");
    const assigned = await call("PATCH", `/api/tasks/${id}`, {
      headers: json,
      body: JSON.stringify({ assignedAgentId: "main" }),
    });
    expect(assigned.body.task).toMatchObject({ status: "assigned", assignedAgentId: "main" });
    const queued = await call("POST", `/api/tasks/${id}/dispatch`, { headers: json });
    expect(queued.status).toBe(202);
    expect(queued.body.task.status).toBe("in_progress");
    expect(queued.body.outbox).toMatchObject({ state: "pending", sessionKey: `agent:main:missionctl-task-${id}` });
    expect(queued.body.delivery).toMatch(/^queued: the gateway is not_configured/);
  });

  it("cross-site mutating requests → 403 CSRF_ORIGIN_MISMATCH; same origin passes", async () => {
    const evil = await call("POST", "/api/tasks", {
      headers: { ...json, origin: "https://evil.example" },
      body: JSON.stringify({ title: "csrf" }),
    });
    expect(evil.status).toBe(403);
    expect(evil.body.error.code).toBe("CSRF_ORIGIN_MISMATCH");
    const site = await call("DELETE", "/api/tasks/x", { headers: { ...auth, "sec-fetch-site": "cross-site" } });
    expect(site.status).toBe(403);
    const same = await call("POST", "/api/tasks", {
      headers: { ...json, origin: t.url },
      body: JSON.stringify({ title: "same origin" }),
    });
    expect(same.status).toBe(201);
  });

  it("unknown route → 404 NOT_FOUND as JSON", async () => {
    const r = await call("GET", "/api/nothing-here");
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("NOT_FOUND");
  });
});

describe("gateway not configured", () => {
  it("status is 503 not_configured with the fix, and never the token", async () => {
    const res = await fetch(`${t.url}/api/openclaw/status`, { headers: auth });
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(text).not.toContain("gw-secret-never-shown");
    expect(JSON.parse(text)).toMatchObject({ state: "not_configured", lastError: { code: "GATEWAY_NOT_CONFIGURED" } });
    const sessions = await call("GET", "/api/openclaw/sessions");
    expect(sessions.body).toMatchObject({ source: "cache", stale: true, sessions: [] });
    const hist = await call("GET", "/api/openclaw/sessions/agent%3Amain%3Amain/history");
    expect(hist.status).toBe(503);
    expect(hist.body.error.code).toBe("GATEWAY_NOT_CONNECTED");
  });

  it("logs one JSON line per request with a request id, and echoes it", async () => {
    const res = await fetch(`${t.url}/api/tasks`, { headers: { ...auth, "x-request-id": "req-abc-123" } });
    expect(res.headers.get("x-request-id")).toBe("req-abc-123");
    const line = t.logs.find((l) => l.msg === "request" && l.requestId === "req-abc-123");
    expect(line).toMatchObject({ level: "info", method: "GET", path: "/api/tasks", status: 200 });
    expect(JSON.stringify(t.logs)).not.toContain(TOKEN);
    expect(JSON.stringify(t.logs)).not.toContain("gw-secret-never-shown");
  });
});
