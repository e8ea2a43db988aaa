// Benchmark of @missionctl/mc-server (run: `npm run build -w packages/mc-server && node bench/mc-server.bench.mjs`).
// 1. Throughput of GET /api/openclaw/status and GET /api/tasks at fixed concurrency (autocannon),
//    against a plain node:http server returning the same bytes, measured in the same run: ratio ≥ 0.6.
// 2. 1,000 SSE clients on GET /api/events: a task change (PATCH) reaches all of them, p99 < 100 ms.
// Both servers run as child processes, like in production; request logs are off (LOG_LEVEL=warn)
// because the baseline does not log either. Prints a final JSON line with every figure.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "packages/mc-server/dist/bin.js");
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SSE_CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 1000);
const SSE_ROUNDS = Number(process.env.BENCH_SSE_ROUNDS ?? 20);

if (!existsSync(BIN)) {
  console.error(`[bench] ${BIN} is missing — run: npm run build -w packages/mc-server`);
  process.exit(2);
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function waitHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`[bench] ${url} did not answer within ${timeoutMs} ms`);
}

function run(url, duration = DURATION_S) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration, pipelining: 1 }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), "mc-server-bench-"));
const children = [];
const cleanup = () => {
  for (const c of children) {
    try {
      c.kill("SIGTERM");
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
};
process.on("exit", cleanup);

const mcPort = await freePort();
const mc = spawn(process.execPath, [BIN], {
  env: {
    PATH: process.env.PATH,
    HOME: dir,
    PORT: String(mcPort),
    HOST: "127.0.0.1",
    DATABASE_PATH: join(dir, "mc.db"),
    MC_IDENTITY_DIR: join(dir, "identity"),
    LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "ignore", "inherit"],
});
children.push(mc);
const MC = `http://127.0.0.1:${mcPort}`;
await waitHttp(`${MC}/api/health`);

// Twenty tasks, so /api/tasks returns a realistic page.
for (let i = 0; i < 20; i++) {
  const r = await fetch(`${MC}/api/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title: `bench task ${i}`, description: "x".repeat(200), priority: "normal" }),
  });
  if (r.status !== 201) throw new Error(`[bench] create task: HTTP ${r.status}`);
}

// The baseline answers with exactly the bytes and statuses mc-server answers with.
const status = await fetch(`${MC}/api/openclaw/status`);
const statusBody = await status.text();
const tasks = await fetch(`${MC}/api/tasks`);
const tasksBody = await tasks.text();
const basePort = await freePort();
const baselineSrc = `
const http = require("node:http");
const routes = { "/api/openclaw/status": [${status.status}, ${JSON.stringify(statusBody)}], "/api/tasks": [${tasks.status}, ${JSON.stringify(tasksBody)}] };
http.createServer((req, res) => {
  const r = routes[req.url];
  if (!r) { res.writeHead(404); return res.end(); }
  res.writeHead(r[0], { "content-type": "application/json; charset=utf-8" });
  res.end(r[1]);
}).listen(${basePort}, "127.0.0.1");`;
const base = spawn(process.execPath, ["-e", baselineSrc], { stdio: "inherit" });
children.push(base);
const BASE = `http://127.0.0.1:${basePort}`;
await waitHttp(`${BASE}/api/tasks`);

// Alternating short rounds (baseline, mc-server, baseline, …) so that a load change on a shared
// machine hits both sides alike; the ratio is of the totals.
const results = {};
for (const path of ["/api/openclaw/status", "/api/tasks"]) {
  await run(`${MC}${path}`, 1); // warm-up (JIT), not counted
  await run(`${BASE}${path}`, 1);
  let mcReq = 0,
    baseReq = 0,
    mcP99 = 0,
    baseP99 = 0,
    errors = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so a drift in machine load does not favour one side.
    let baseRes, mcRes;
    if (round % 2 === 0) {
      baseRes = await run(`${BASE}${path}`);
      mcRes = await run(`${MC}${path}`);
    } else {
      mcRes = await run(`${MC}${path}`);
      baseRes = await run(`${BASE}${path}`);
    }
    baseReq += baseRes.requests.total;
    mcReq += mcRes.requests.total;
    baseP99 = Math.max(baseP99, baseRes.latency.p99);
    mcP99 = Math.max(mcP99, mcRes.latency.p99);
    // /api/openclaw/status is 503 here (no gateway): the same status on both sides is expected.
    errors += mcRes.errors + (path === "/api/openclaw/status" ? 0 : mcRes.non2xx);
  }
  const seconds = ROUNDS * DURATION_S;
  results[path] = {
    mcReqPerSec: Math.round(mcReq / seconds),
    baselineReqPerSec: Math.round(baseReq / seconds),
    ratio: Math.round((mcReq / baseReq) * 100) / 100,
    mcP99Ms: mcP99,
    baselineP99Ms: baseP99,
    errors,
  };
  console.log(
    `${path}: mc-server ${results[path].mcReqPerSec} req/s, node:http ${results[path].baselineReqPerSec} req/s → ${results[path].ratio}× (${CONNECTIONS} connections, ${ROUNDS}×${DURATION_S} s each)`,
  );
}

// ── SSE fan-out ─────────────────────────────────────────────────────────────
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const clients = [];
const pending = new Map(); // marker → sentAt
const latencies = [];
let received = 0;
function openClient() {
  return new Promise((resolve, reject) => {
    const req = http.get(`${MC}/api/events`, { agent, headers: { accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`SSE HTTP ${res.statusCode}`));
      res.setEncoding("utf8");
      let buf = "";
      res.on("data", (chunk) => {
        const now = performance.now();
        buf += chunk;
        let i;
        while ((i = buf.indexOf("\n\n")) !== -1) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (frame.startsWith("event: hello") || frame.includes("\nevent: hello")) resolve(res);
          const m = /"title":"sse-(\d+)"/.exec(frame);
          if (m && frame.includes("event: task\n")) {
            const sentAt = pending.get(m[1]);
            if (sentAt !== undefined) {
              latencies.push(now - sentAt);
              received++;
            }
          }
        }
      });
      res.on("error", () => {});
    });
    req.on("error", reject);
    clients.push(req);
  });
}
const t0 = performance.now();
for (let i = 0; i < SSE_CLIENTS; i += 100)
  await Promise.all(Array.from({ length: Math.min(100, SSE_CLIENTS - i) }, openClient));
const connectMs = performance.now() - t0;
const health = await (await fetch(`${MC}/api/health`)).json();
console.log(`SSE: ${health.sseClients} clients connected in ${Math.round(connectMs)} ms`);

const first = JSON.parse(tasksBody).tasks[0].id;
for (let round = 0; round < SSE_ROUNDS; round++) {
  const marker = String(round);
  const target = received + SSE_CLIENTS;
  pending.set(marker, performance.now());
  const r = await fetch(`${MC}/api/tasks/${first}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title: `sse-${marker}` }),
  });
  if (r.status !== 200) throw new Error(`[bench] PATCH: HTTP ${r.status}`);
  const deadline = Date.now() + 5_000;
  while (received < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  await new Promise((r) => setTimeout(r, 20));
}
latencies.sort((a, b) => a - b);
const pct = (p) =>
  latencies.length
    ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 10) / 10
    : null;
const sse = {
  clients: health.sseClients,
  rounds: SSE_ROUNDS,
  delivered: latencies.length,
  expected: SSE_CLIENTS * SSE_ROUNDS,
  p50Ms: pct(50),
  p99Ms: pct(99),
  maxMs: latencies.length ? Math.round(latencies[latencies.length - 1] * 10) / 10 : null,
};
console.log(
  `SSE: ${sse.delivered}/${sse.expected} deliveries, p50 ${sse.p50Ms} ms, p99 ${sse.p99Ms} ms, max ${sse.maxMs} ms`,
);
for (const c of clients) c.destroy();
agent.destroy();

const ok =
  results["/api/openclaw/status"].ratio >= 0.6 &&
  results["/api/tasks"].ratio >= 0.6 &&
  sse.delivered === sse.expected &&
  sse.clients >= SSE_CLIENTS &&
  sse.p99Ms < 100;
console.log(
  JSON.stringify({
    bench: "mc-server",
    ok,
    connections: CONNECTIONS,
    durationS: DURATION_S,
    rounds: ROUNDS,
    status: results["/api/openclaw/status"],
    tasks: results["/api/tasks"],
    sse,
    thresholds: { ratio: 0.6, sseP99Ms: 100 },
  }),
);
cleanup();
process.exit(ok ? 0 : 1);
