// Benchmark of the session page (run: `npm run build && node bench/session-page.bench.mjs`), against
// the real gateway (tests/peer) and the stub model, with a plain node:http + SSE server doing the
// same jobs on its own gateway connection as the baseline (bench/session-baseline.mjs), in the
// same run:
// 1. A 2,000-message transcript: the first page (200 newest) and the whole transcript through the
//    API, and the first render of the session page in Chromium (until its transcript is on screen)
//    against a minimal page that fetches and lists the same messages.
// 2. The live delta path, gateway event → browser: 100 subscribed streams on each server while a
//    run streams; latency from the moment a direct gateway connection sees each delta.
// Prints the figures, the ratios and `uptime`, and one final JSON line. Bounded: counts from
// BENCH_* (below), and the whole run is stopped after BENCH_TIMEOUT_MS (default 15 minutes).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { agentWait, chatInject, chatSend, GatewayClient, messageText } from "../packages/gateway-client/dist/index.js";
import { CHROMIUM, launchChromium } from "../tests/browser/chromium.mjs";
import { freePort, startPeer } from "../tests/peer/peer.mjs";
import { requireMcServerBuild, startMcServer, waitHttp } from "./mc-server-process.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 100);
const RUNS = Number(process.env.BENCH_DELTA_RUNS ?? 3);
const PAGE_ROUNDS = Number(process.env.BENCH_PAGE_ROUNDS ?? 20);
/** The session page's first page of messages (PAGE in src/ui/browser/session-page.ts). */
const FIRST_PAGE = 50;
const RENDER_ROUNDS = Number(process.env.BENCH_RENDER_ROUNDS ?? 6);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 15 * 60_000);
const load = () => execFileSync("uptime", { encoding: "utf8" }).trim();

requireMcServerBuild("npm run build");
console.log(`[bench] uptime before: ${load()}`);

const dir = mkdtempSync(join(tmpdir(), "session-bench-"));
const deadline = setTimeout(() => {
  console.error(`[bench] stopped: over BENCH_TIMEOUT_MS (${TIMEOUT_MS} ms)`);
  void cleanup().finally(() => process.exit(3));
}, TIMEOUT_MS);
deadline.unref();
const children = [];
let peer;
const cleanup = async () => {
  for (const c of children) {
    try {
      c.kill("SIGTERM");
    } catch {}
  }
  await peer?.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
};

function child(cmd, args, env, readyLine) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    children.push(p);
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
      const m = readyLine.exec(out);
      if (m) resolve({ proc: p, match: m });
    });
    p.on("exit", (code) => reject(new Error(`[bench] ${args.join(" ")} exited ${code}: ${out.slice(-500)}`)));
  });
}

const pct = (sorted, p) =>
  sorted.length
    ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10
    : null;
const median = (xs) =>
  pct(
    [...xs].sort((a, b) => a - b),
    50,
  );

try {
  // The stub model runs under Bun (it is the tests' TypeScript helper); SLOW-STREAM chunks 100 ms apart.
  const stubScript = `import { startStubModel } from "${join(ROOT, "packages/mc-server/tests/stub-model.ts")}";
    const s = await startStubModel(); s.chunkMs = 100; console.log("STUB " + s.url);`;
  const stub = await child(join(ROOT, "node_modules/.bin/bun"), ["-e", stubScript], {}, /STUB (\S+)/);
  const stubUrl = stub.match[1];
  peer = await startPeer({ stubModelUrl: stubUrl, startTimeoutMs: 240_000 });
  const admin = new GatewayClient({
    url: peer.url,
    token: peer.token,
    identity: null,
    scopes: ["operator.admin"],
    clientId: "gateway-client",
    clientMode: "backend",
    displayName: "bench-admin",
  });
  await admin.connect();

  // ── a 2,000-message transcript ────────────────────────────────────────────
  const key = "agent:main:bench-transcript";
  await chatSend(admin, { sessionKey: key, message: "start of a long transcript", idempotencyKey: "bench-t0" });
  await agentWait(admin, { runId: "bench-t0", timeoutMs: 120_000 }, { timeoutMs: 130_000 });
  const injectStart = Date.now();
  let next = 2;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < MESSAGES) {
        const i = next++;
        // Operator notes (chat.inject, no run): a transcript of 2,000 messages without 2,000 model runs.
        await chatInject(admin, {
          sessionKey: key,
          message: `message ${i}: ${"lorem ipsum dolor sit amet ".repeat(4)}`,
        });
      }
    }),
  );
  console.log(
    `[bench] transcript of ${MESSAGES} messages written in ${((Date.now() - injectStart) / 1000).toFixed(1)} s`,
  );

  const { proc: mc, url: MC } = await startMcServer({
    dir,
    env: { OPENCLAW_GATEWAY_URL: peer.url, OPENCLAW_GATEWAY_TOKEN: peer.token },
  });
  children.push(mc);
  for (let i = 0; i < 300; i++) {
    const s = await waitHttp(`${MC}/api/openclaw/status`);
    if (s?.state === "connected") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const basePort = await freePort();
  await child(
    process.execPath,
    [join(ROOT, "bench/session-baseline.mjs"), String(basePort), peer.url],
    { OPENCLAW_GATEWAY_TOKEN: peer.token },
    /ready/,
  );
  const BASE = `http://127.0.0.1:${basePort}`;
  const enc = encodeURIComponent(key);

  async function timed(url) {
    const t = performance.now();
    const r = await fetch(url);
    const body = await r.json();
    if (!r.ok) throw new Error(`[bench] ${url}: HTTP ${r.status}`);
    return { ms: performance.now() - t, body };
  }
  const page = { mc: [], base: [] };
  const whole = { mc: [], base: [] };
  for (let round = 0; round < PAGE_ROUNDS; round++) {
    const order = round % 2 ? ["mc", "base"] : ["base", "mc"];
    for (const who of order) {
      const u = who === "mc" ? `${MC}/api/sessions/${enc}/messages?limit=200` : `${BASE}/history?key=${enc}&limit=200`;
      page[who].push((await timed(u)).ms);
    }
  }
  for (let round = 0; round < Math.max(2, PAGE_ROUNDS / 5); round++) {
    for (const who of round % 2 ? ["mc", "base"] : ["base", "mc"]) {
      let offset = 0;
      let ms = 0;
      let count = 0;
      for (;;) {
        const u =
          who === "mc"
            ? `${MC}/api/sessions/${enc}/messages?limit=1000&offset=${offset}`
            : `${BASE}/history?key=${enc}&limit=1000&offset=${offset}`;
        const r = await timed(u);
        ms += r.ms;
        count += r.body.messages.length;
        if (!r.body.hasMore) break;
        offset = r.body.nextOffset ?? offset + r.body.messages.length;
      }
      whole[who].push(ms);
      if (count < MESSAGES * 0.9) throw new Error(`[bench] ${who} read ${count} messages, expected ~${MESSAGES}`);
    }
  }
  const transcript = {
    messages: MESSAGES,
    firstPageMs: { mc: median(page.mc), baseline: median(page.base) },
    wholeMs: { mc: median(whole.mc), baseline: median(whole.base) },
  };
  transcript.firstPageRatio = Math.round((transcript.firstPageMs.mc / transcript.firstPageMs.baseline) * 100) / 100;
  transcript.wholeRatio = Math.round((transcript.wholeMs.mc / transcript.wholeMs.baseline) * 100) / 100;
  console.log(
    `[bench] transcript API: first page (200) mc-server ${transcript.firstPageMs.mc} ms vs baseline ${transcript.firstPageMs.baseline} ms → ${transcript.firstPageRatio}×; all ${MESSAGES}: ${transcript.wholeMs.mc} ms vs ${transcript.wholeMs.baseline} ms → ${transcript.wholeRatio}×`,
  );

  // ── first render in Chromium ──────────────────────────────────────────────
  let render = null;
  const pageRoute = await fetch(`${MC}/sessions/${enc}`).then((r) => r.status);
  if (pageRoute === 200 && existsSync(CHROMIUM)) {
    const browser = await launchChromium();
    try {
      const times = { mc: [], base: [] };
      for (let round = 0; round < RENDER_ROUNDS + 1; round++) {
        for (const who of round % 2 ? ["mc", "base"] : ["base", "mc"]) {
          const ctx = await browser.newContext();
          const p = await ctx.newPage();
          await p.goto(who === "mc" ? `${MC}/sessions/${enc}` : `${BASE}/page?key=${enc}&limit=${FIRST_PAGE}`);
          await p.locator("[data-transcript-ready]").waitFor({ timeout: 60_000 });
          const ms = await p.evaluate(() => {
            const mark = performance.getEntriesByName("transcript-rendered")[0];
            return mark ? mark.startTime : performance.now();
          });
          if (round > 0) times[who].push(ms); // the first round warms the caches
          await ctx.close();
        }
      }
      render = { mcMs: median(times.mc), baselineMs: median(times.base) };
      render.ratio = Math.round((render.mcMs / render.baselineMs) * 100) / 100;
      console.log(
        `[bench] first render in Chromium: mc-server ${render.mcMs} ms vs baseline ${render.baselineMs} ms → ${render.ratio}×`,
      );
    } finally {
      await browser.close();
    }
  } else {
    console.log(
      `[bench] first render in Chromium skipped (session page: HTTP ${pageRoute}, chromium: ${existsSync(CHROMIUM)})`,
    );
  }

  // ── live deltas at 100 subscribed browsers ───────────────────────────────
  const liveKey = "agent:main:bench-live";
  const agentHttp = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const seenAt = new Map(); // `${runId}:${length}` → when the direct connection saw the delta
  const observer = new GatewayClient({
    url: peer.url,
    token: peer.token,
    identity: null,
    scopes: ["operator.read"],
    clientId: "gateway-client",
    clientMode: "backend",
    displayName: "bench-observer",
  });
  await observer.connect();
  observer.on("chat", (p) => {
    if (p.sessionKey !== liveKey || p.state !== "delta") return;
    const k = `${p.runId}:${messageText(p.message).length}`;
    if (!seenAt.has(k)) seenAt.set(k, performance.timeOrigin + performance.now());
  });
  const lat = { mc: [], base: [] };
  const arrivals = { mc: [], base: [] };
  const streams = [];
  function subscribe(who) {
    const url =
      who === "mc"
        ? `${MC}/api/events?session=${encodeURIComponent(liveKey)}`
        : `${BASE}/events?key=${encodeURIComponent(liveKey)}`;
    return new Promise((resolve, reject) => {
      const req = http.get(url, { agent: agentHttp, headers: { accept: "text/event-stream" } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`[bench] SSE ${who}: HTTP ${res.statusCode}`));
        res.setEncoding("utf8");
        let buf = "";
        res.on("data", (chunk) => {
          const now = performance.timeOrigin + performance.now();
          buf += chunk;
          let i;
          while ((i = buf.indexOf("\n\n")) !== -1) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            if (frame.includes("event: hello")) resolve();
            const isDelta = who === "mc" ? frame.includes("event: session.delta\n") : frame.includes("event: chat\n");
            if (!isDelta) continue;
            const data = JSON.parse(frame.slice(frame.indexOf("data: ") + 6));
            if (who === "mc") arrivals.mc.push({ k: `${data.runId}:${data.text.length}`, at: now });
            else if (data.state === "delta")
              arrivals.base.push({ k: `${data.runId}:${messageText(data.message).length}`, at: now });
          }
        });
        res.on("error", () => {});
      });
      req.on("error", reject);
      streams.push(req);
    });
  }
  for (let i = 0; i < CLIENTS; i += 25) {
    await Promise.all([
      ...Array.from({ length: Math.min(25, CLIENTS - i) }, () => subscribe("mc")),
      ...Array.from({ length: Math.min(25, CLIENTS - i) }, () => subscribe("base")),
    ]);
  }
  for (let run = 0; run < RUNS; run++) {
    const runId = `bench-live-${run}`;
    await chatSend(admin, { sessionKey: liveKey, message: "SLOW-STREAM 50", idempotencyKey: runId });
    await agentWait(admin, { runId, timeoutMs: 120_000 }, { timeoutMs: 130_000 });
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const who of ["mc", "base"]) {
    for (const a of arrivals[who]) {
      const t0 = seenAt.get(a.k);
      if (t0 !== undefined) lat[who].push(Math.max(0, a.at - t0));
    }
    lat[who].sort((x, y) => x - y);
  }
  const deltas = {
    clients: CLIENTS,
    runs: RUNS,
    deltasSeen: seenAt.size,
    mc: { delivered: lat.mc.length, p50Ms: pct(lat.mc, 50), p99Ms: pct(lat.mc, 99) },
    baseline: { delivered: lat.base.length, p50Ms: pct(lat.base, 50), p99Ms: pct(lat.base, 99) },
  };
  deltas.p99Ratio = deltas.baseline.p99Ms ? Math.round((deltas.mc.p99Ms / deltas.baseline.p99Ms) * 100) / 100 : null;
  console.log(
    `[bench] live deltas, ${CLIENTS} streams each, ${seenAt.size} deltas: mc-server p50 ${deltas.mc.p50Ms} ms p99 ${deltas.mc.p99Ms} ms (${deltas.mc.delivered} deliveries) vs baseline p50 ${deltas.baseline.p50Ms} ms p99 ${deltas.baseline.p99Ms} ms (${deltas.baseline.delivered}) → p99 ${deltas.p99Ratio}×`,
  );
  for (const s of streams) s.destroy();
  agentHttp.destroy();
  await observer.close();
  await admin.close();
  const after = load();
  console.log(`[bench] uptime after: ${after}`);
  console.log(JSON.stringify({ bench: "session-page", transcript, render, deltas, uptime: after }));
} finally {
  await cleanup();
}
process.exit(0);
