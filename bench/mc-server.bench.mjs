// Benchmark of @missionctl/mc-server (run: `npm run build -w packages/mc-server && node bench/mc-server.bench.mjs`).
// 1. Throughput of GET /api/openclaw/status and GET /api/tasks at fixed concurrency (autocannon),
//    against a plain node:http server returning the same bytes, measured in the same run: ratio ≥ 0.9
//    (and the server CPU per request of each, which a shared machine disturbs less).
// 2. SSE fan-out: one task change (PATCH) reaches 1,000 clients of GET /api/events (goal p99 < 20 ms),
//    then 5,000 (goal p99 < 60 ms, server RSS per client < 20 KB). The baseline, measured in the same
//    rounds (interleaved), is a plain node:http server that parses the same kind of request, serialises
//    the same frames and res.write()s them to each of its own clients. All clients are raw TCP sockets
//    in this process, read the same way for both servers.
// Both servers run as child processes, like in production; request logs are off (LOG_LEVEL=warn)
// because the baseline does not log either. Any failure (a missed delivery, an error) fails the run.
// Prints the machine's load average with the figures, and a final JSON line with every figure.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { freePort, requireMcServerBuild, startMcServer, waitHttp } from "./mc-server-process.mjs";
import { awaitRound, openClients, startRound } from "./sse-reader.mjs";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SSE_CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 1000);
const SSE_CLIENTS_LARGE = Number(process.env.BENCH_SSE_CLIENTS_LARGE ?? 5000);
const SSE_ROUNDS = Number(process.env.BENCH_SSE_ROUNDS ?? 20);
// Cap on each fan-out phase (1,000 and 5,000 clients), so a loaded machine cannot stretch the run.
const SSE_MAX_S = Number(process.env.BENCH_SSE_MAX_S ?? 60);
const GOALS = { ratio: 0.9, sseP99Ms: 20, sseLargeP99Ms: 60, rssPerClientKB: 20 };

// File descriptors: this process holds both servers' clients (2 × SSE_CLIENTS_LARGE sockets) and
// each server one per client. A soft limit below that is raised up to the hard limit by running
// the bench again under `ulimit -n`; a hard limit below it is reported with what to do.
const fdsNeeded = 2 * SSE_CLIENTS_LARGE + 512;
const fdLimits = (() => {
  try {
    const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync("/proc/self/limits", "utf8"));
    const n = (x) => (x === "unlimited" ? Number.POSITIVE_INFINITY : Number(x));
    return m ? { soft: n(m[1]), hard: n(m[2]) } : undefined;
  } catch {
    return undefined; // not Linux: the run reports EMFILE if the limit is too low
  }
})();
if (fdLimits && fdLimits.soft < fdsNeeded) {
  if (fdLimits.hard < fdsNeeded) {
    console.error(
      `[bench] ${SSE_CLIENTS_LARGE} SSE clients need ${fdsNeeded} file descriptors, but this shell allows at most ${fdLimits.hard} (ulimit -Hn). Raise it as root (ulimit -n ${fdsNeeded}, or LimitNOFILE= for a service), or run with BENCH_SSE_CLIENTS_LARGE=${Math.floor((fdLimits.hard - 512) / 2)}.`,
    );
    process.exit(2);
  }
  if (process.env.MC_BENCH_FD_RAISED) {
    console.error(`[bench] could not raise the file descriptor limit to ${fdsNeeded} (still ${fdLimits.soft})`);
    process.exit(2);
  }
  console.error(`[bench] raising the file descriptor limit from ${fdLimits.soft} to ${fdsNeeded} (ulimit -n)`);
  const again = spawnSync(
    "/bin/sh",
    ["-c", `ulimit -n ${fdsNeeded} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: "inherit", env: { ...process.env, MC_BENCH_FD_RAISED: "1" } },
  );
  process.exit(again.status ?? 1);
}

requireMcServerBuild();

/** CPU seconds (user + system) a child has used so far, from /proc (Linux); NaN elsewhere. */
const CLK_TCK = 100;
function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** One autocannon run against `url`, with the CPU the server process `pid` spent during it. */
async function runMeasured(url, pid, duration = DURATION_S) {
  const before = cpuSecondsOf(pid);
  const res = await run(url, duration);
  return { res, cpuS: cpuSecondsOf(pid) - before };
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

// BENCH_MC_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": Node flags for the mc-server process (profiling).
const mcNodeArgs = (process.env.BENCH_MC_NODE_ARGS ?? "").split(" ").filter(Boolean);
const { proc: mc, port: mcPort, url: MC } = await startMcServer({ dir, nodeArgs: mcNodeArgs });
children.push(mc);

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
    errors = 0,
    mcCpuS = 0,
    baseCpuS = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so a drift in machine load does not favour one side.
    let baseRun, mcRun;
    if (round % 2 === 0) {
      baseRun = await runMeasured(`${BASE}${path}`, base.pid);
      mcRun = await runMeasured(`${MC}${path}`, mc.pid);
    } else {
      mcRun = await runMeasured(`${MC}${path}`, mc.pid);
      baseRun = await runMeasured(`${BASE}${path}`, base.pid);
    }
    const baseRes = baseRun.res;
    const mcRes = mcRun.res;
    baseCpuS += baseRun.cpuS;
    mcCpuS += mcRun.cpuS;
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
    // Server CPU per request: less sensitive than req/s to what else runs on a shared machine.
    mcCpuUsPerReq: Math.round((mcCpuS / mcReq) * 1e7) / 10,
    baselineCpuUsPerReq: Math.round((baseCpuS / baseReq) * 1e7) / 10,
    errors,
  };
  console.log(
    `${path}: mc-server ${results[path].mcReqPerSec} req/s, node:http ${results[path].baselineReqPerSec} req/s → ${results[path].ratio}× (${CONNECTIONS} connections, ${ROUNDS}×${DURATION_S} s each); server CPU ${results[path].mcCpuUsPerReq} vs ${results[path].baselineCpuUsPerReq} µs/req — goal ≥ ${GOALS.ratio}× ${results[path].ratio >= GOALS.ratio ? "met" : "MISSED"}`,
  );
}

// ── SSE fan-out ─────────────────────────────────────────────────────────────
// The baseline: plain node:http, a request parsed, the same two frames serialised, one res.write per client.
const sampleTask = JSON.parse(tasksBody).tasks[0];
const ssePortBase = await freePort();
const sseBaselineSrc = `
const http = require("node:http");
const clients = new Set();
let task = ${JSON.stringify(sampleTask)};
let seq = 1000;
http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/api/events") {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" });
    res.write("retry: 2000\\n\\nevent: hello\\ndata: {}\\n\\n");
    clients.add(res);
    res.on("close", () => clients.delete(res));
    return;
  }
  if (req.method === "GET" && req.url === "/rss") { res.end(String(process.memoryUsage().rss)); return; }
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const patch = JSON.parse(body);
    task = { ...task, ...patch, updatedAt: new Date().toISOString() };
    const event = { id: ++seq, taskId: task.id, actor: "api", type: "updated", payload: { fields: Object.keys(patch) }, createdAt: task.updatedAt };
    const frame = "event: task\\ndata: " + JSON.stringify(task) + "\\n\\nid: " + event.id + "\\nevent: task.event\\ndata: " + JSON.stringify(event) + "\\n\\n";
    for (const c of clients) c.write(frame);
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ task }));
  });
}).listen(${ssePortBase}, "127.0.0.1");`;
const sseBase = spawn(process.execPath, ["-e", sseBaselineSrc], { stdio: "inherit" });
children.push(sseBase);
const SSE_BASE = `http://127.0.0.1:${ssePortBase}`;
await waitHttp(`${SSE_BASE}/rss`);

/** RSS of a child process in bytes (Linux /proc), or of the baseline via its own report. */
const rssOf = async (pid, url) => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
  } catch {
    return url ? Number(await (await fetch(url)).text()) : Number.NaN;
  }
};

// The clients (bench/sse-reader.mjs): raw TCP sockets in this process, read the same way for both servers.
const sockets = [];
const HELLO = Buffer.from("event: hello");
async function connectClients(port, server, n) {
  const request = `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`;
  sockets.push(...(await openClients(n, { port, server, request, readyMarker: HELLO })));
}
const first = sampleTask.id;
let markerSeq = 0;
async function fanOutRound(server, expected) {
  const title = `sse-${server}-${++markerSeq}`;
  const r = startRound(server, Buffer.from(`"${title}"`));
  const res =
    server === "mc"
      ? await fetch(`${MC}/api/tasks/${first}`, {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ title }),
        })
      : await fetch(`${SSE_BASE}/change`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ title }),
        });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`[bench] ${server} change: HTTP ${res.status}`);
  const latencies = await awaitRound(r, expected);
  await new Promise((x) => setTimeout(x, 30));
  return latencies;
}
const stats = (latencies, expected) => {
  const s = [...latencies].sort((a, b) => a - b);
  const q = (p) => (s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10 : null);
  return {
    delivered: s.length,
    expected,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: s.length ? Math.round(s[s.length - 1] * 10) / 10 : null,
  };
};
/** SSE_ROUNDS rounds per server (fewer if SSE_MAX_S runs out), alternating which goes first,
 *  with `clients` connected to each. Every round counts all `clients` as expected. */
async function fanOut(clients) {
  const lat = { mc: [], base: [] };
  const until = Date.now() + SSE_MAX_S * 1000;
  let rounds = 0;
  for (let round = 0; round < SSE_ROUNDS && Date.now() < until; round++, rounds++) {
    const order = round % 2 === 0 ? ["base", "mc"] : ["mc", "base"];
    for (const server of order) lat[server].push(...(await fanOutRound(server, clients)));
  }
  return { rounds, mc: stats(lat.mc, clients * rounds), baseline: stats(lat.base, clients * rounds) };
}

const rssBefore = { mc: await rssOf(mc.pid), base: await rssOf(sseBase.pid, `${SSE_BASE}/rss`) };
let t0 = performance.now();
await connectClients(mcPort, "mc", SSE_CLIENTS);
await connectClients(ssePortBase, "base", SSE_CLIENTS);
const health = await (await fetch(`${MC}/api/health`)).json();
console.log(`SSE: ${health.sseClients} + ${SSE_CLIENTS} clients connected in ${Math.round(performance.now() - t0)} ms`);
const sse = await fanOut(SSE_CLIENTS);
console.log(
  `SSE ${SSE_CLIENTS} clients, one task change: mc-server p50 ${sse.mc.p50Ms} ms, p99 ${sse.mc.p99Ms} ms (${sse.mc.delivered}/${sse.mc.expected}); node:http p50 ${sse.baseline.p50Ms} ms, p99 ${sse.baseline.p99Ms} ms; ${sse.rounds} rounds — goal p99 < ${GOALS.sseP99Ms} ms ${sse.mc.p99Ms < GOALS.sseP99Ms ? "met" : "MISSED"}`,
);

t0 = performance.now();
await connectClients(mcPort, "mc", SSE_CLIENTS_LARGE - SSE_CLIENTS);
await connectClients(ssePortBase, "base", SSE_CLIENTS_LARGE - SSE_CLIENTS);
await new Promise((x) => setTimeout(x, 500));
const rssAfter = { mc: await rssOf(mc.pid), base: await rssOf(sseBase.pid, `${SSE_BASE}/rss`) };
const healthLarge = await (await fetch(`${MC}/api/health`)).json();
console.log(
  `SSE: ${healthLarge.sseClients} + ${SSE_CLIENTS_LARGE} clients connected (${Math.round(performance.now() - t0)} ms for the rest)`,
);
const sseLarge = await fanOut(SSE_CLIENTS_LARGE);
const perClientKB = (side) => Math.round(((rssAfter[side] - rssBefore[side]) / SSE_CLIENTS_LARGE / 1024) * 10) / 10;
const rssPerClientKB = { mc: perClientKB("mc"), baseline: perClientKB("base") };
console.log(
  `SSE ${SSE_CLIENTS_LARGE} clients: mc-server p50 ${sseLarge.mc.p50Ms} ms, p99 ${sseLarge.mc.p99Ms} ms (${sseLarge.mc.delivered}/${sseLarge.mc.expected}), RSS ${rssPerClientKB.mc} KB per client; node:http p99 ${sseLarge.baseline.p99Ms} ms, RSS ${rssPerClientKB.baseline} KB per client; ${sseLarge.rounds} rounds — goals p99 < ${GOALS.sseLargeP99Ms} ms ${sseLarge.mc.p99Ms < GOALS.sseLargeP99Ms ? "met" : "MISSED"}, < ${GOALS.rssPerClientKB} KB per client ${rssPerClientKB.mc < GOALS.rssPerClientKB ? "met" : "MISSED"}`,
);
for (const sock of sockets) sock.destroy();

const load = loadavg().map((l) => Math.round(l * 100) / 100);
console.log(`load average (1, 5, 15 min): ${load.join(", ")}`);
const delivered = (x) => x.delivered === x.expected;
const ok =
  results["/api/openclaw/status"].ratio >= GOALS.ratio &&
  results["/api/tasks"].ratio >= GOALS.ratio &&
  results["/api/openclaw/status"].errors === 0 &&
  results["/api/tasks"].errors === 0 &&
  sse.rounds > 0 &&
  sseLarge.rounds > 0 &&
  [sse.mc, sse.baseline, sseLarge.mc, sseLarge.baseline].every(delivered) &&
  health.sseClients >= SSE_CLIENTS &&
  healthLarge.sseClients >= SSE_CLIENTS_LARGE &&
  sse.mc.p99Ms < GOALS.sseP99Ms &&
  sseLarge.mc.p99Ms < GOALS.sseLargeP99Ms &&
  rssPerClientKB.mc < GOALS.rssPerClientKB;
console.log(
  JSON.stringify({
    bench: "mc-server",
    ok,
    loadavg: load,
    connections: CONNECTIONS,
    durationS: DURATION_S,
    rounds: ROUNDS,
    status: results["/api/openclaw/status"],
    tasks: results["/api/tasks"],
    sse: { clients: SSE_CLIENTS, ...sse },
    sseLarge: { clients: SSE_CLIENTS_LARGE, ...sseLarge, rssPerClientKB },
    fdLimits,
    goals: GOALS,
  }),
);
cleanup();
process.exit(ok ? 0 : 1);
