import { request } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../tests/helpers.js";

type Answer = { status: number; body: string; headers: Record<string, string | string[] | undefined> };

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** What a client can tell apart: status, body and the headers the routes set. */
const visible = (a: Answer) => ({
  status: a.status,
  body: a.body,
  type: a.headers["content-type"],
  length: a.headers["content-length"],
  requestId: a.headers["x-request-id"],
  auth: a.headers["www-authenticate"],
  retryAfter: a.headers["retry-after"],
  connection: a.headers.connection,
});

describe("the Node fast lane", () => {
  const TOKEN = "fast-lane-token-0123456789";
  let server: TestServer;

  // A server per test: the throttle test locks the address out, which must not decide what
  // another test sees (the file passes in any order, e.g. under --sequence.shuffle).
  beforeEach(async () => {
    server = await startTestServer({ MC_API_TOKEN: TOKEN }, { authThrottle: { maxFailures: 3 } });
    const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    for (const title of ["one", "two"])
      await fetch(`${server.url}/api/tasks`, { method: "POST", headers: auth, body: JSON.stringify({ title }) });
  });
  afterEach(() => server.close());

  // `path?` is not a fast-lane URL: hono answers it, with the same meaning (an empty query).
  const both = async (path: string, headers: Record<string, string>) => {
    const lane = await get(server.port, path, headers);
    const hono = await get(server.port, `${path}?`, headers);
    return { lane: visible(lane), hono: visible(hono) };
  };

  it("answers exactly what the hono routes answer, for every outcome of the checks", async () => {
    const ok = { authorization: `Bearer ${TOKEN}`, "x-request-id": "req-1" };
    // Fill the first-page cache through hono, then compare.
    await get(server.port, "/api/tasks", ok);
    for (const path of ["/api/openclaw/status", "/api/tasks"]) {
      const cases: Record<string, string>[] = [
        ok,
        { cookie: "x=1", "x-request-id": "req-2" },
        { "x-request-id": "req-3" },
        { ...ok, host: "evil.example" },
      ];
      for (const headers of cases) {
        const { lane, hono } = await both(path, headers);
        expect(lane, `${path} ${JSON.stringify(headers)}`).toEqual(hono);
      }
    }
    const { lane } = await both("/api/tasks", ok);
    expect(lane.status).toBe(200);
    expect(
      JSON.parse(lane.body)
        .tasks.map((t: { title: string }) => t.title)
        .sort(),
    ).toEqual(["one", "two"]);
  });

  it("sends the bytes of the current body: non-ASCII text counted in bytes, a change seen at once", async () => {
    const ok = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", "x-request-id": "req-5" };
    const title = "déploiement — 東京 🚀";
    await fetch(`${server.url}/api/tasks`, { method: "POST", headers: ok, body: JSON.stringify({ title }) });
    await get(server.port, "/api/tasks", ok); // fills the first-page cache through hono
    const before = await both("/api/tasks", ok);
    expect(before.lane).toEqual(before.hono);
    expect(Number(before.lane.length)).toBe(Buffer.byteLength(before.lane.body));
    expect(JSON.parse(before.lane.body).tasks.map((t: { title: string }) => t.title)).toContain(title);

    await fetch(`${server.url}/api/tasks`, { method: "POST", headers: ok, body: JSON.stringify({ title: "après" }) });
    await get(server.port, "/api/tasks?", ok);
    await get(server.port, "/api/tasks", ok); // refills the cache
    const after = await both("/api/tasks", ok);
    expect(after.lane).toEqual(after.hono);
    expect(JSON.parse(after.lane.body).tasks.map((t: { title: string }) => t.title)).toContain("après");
  });

  it("counts a wrong token against the address and answers 429 once throttled, like hono", async () => {
    const wrong = { authorization: "Bearer wrong", "x-request-id": "req-4" };
    const first = await get(server.port, "/api/openclaw/status", wrong);
    expect(first.status).toBe(401);
    await get(server.port, "/api/tasks", wrong);
    await get(server.port, "/api/openclaw/status?", wrong);
    const lane = await get(server.port, "/api/openclaw/status", { authorization: `Bearer ${TOKEN}` });
    const hono = await get(server.port, "/api/openclaw/status?", { authorization: `Bearer ${TOKEN}` });
    expect(lane.status).toBe(429);
    expect(visible({ ...lane, headers: { ...lane.headers, "x-request-id": "" } })).toEqual(
      visible({ ...hono, headers: { ...hono.headers, "x-request-id": "" } }),
    );
  });

  it("logs each request it answers like the hono middleware does", async () => {
    const ok = { authorization: `Bearer ${TOKEN}`, "x-request-id": "req-1" };
    await get(server.port, "/api/tasks", ok); // fills the first-page cache through hono
    await get(server.port, "/api/openclaw/status", ok);
    await get(server.port, "/api/tasks", ok);
    const lane = server.logs.filter((l) => l.msg === "request" && l.requestId === "req-1");
    expect(lane.length).toBeGreaterThanOrEqual(2);
    expect(lane[0]).toMatchObject({ method: "GET", status: 200 });
  });
});
