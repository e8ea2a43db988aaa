// Benchmark: the connection doctor (8 layers: url, dns, tcp, tls, upgrade, challenge, connect,
// health) on a healthy gateway vs a bare GatewayClient connect + `health` + close, alternated in
// the same run against the same real gateway (the test peer).
//   node bench/doctor.bench.mjs            (bundles packages/gateway-client/src with esbuild first)
// Target: doctor median <= 1.5x the bare median. Prints a final JSON line with the figures.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startPeer } from "../tests/peer/peer.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const WARMUP = 5;

// From source, so the figures never come from a stale dist/; dependencies stay external.
const outDir = join(ROOT, "node_modules/.cache/missionctl-bench");
mkdirSync(outDir, { recursive: true });
const out = join(outDir, "gateway-client.mjs");
const build = spawnSync(
  join(ROOT, "node_modules/.bin/esbuild"),
  [
    join(ROOT, "packages/gateway-client/src/index.ts"),
    "--bundle",
    "--platform=node",
    "--format=esm",
    "--target=node20",
    // Published dependencies external; the private @missionctl/shared bundled, as tsup does.
    ...Object.keys(
      JSON.parse(readFileSync(join(ROOT, "packages/gateway-client/package.json"), "utf8")).dependencies,
    ).map((d) => `--external:${d}`),
    `--outfile=${out}`,
  ],
  { encoding: "utf8" },
);
if (build.status !== 0) throw new Error(`esbuild failed: ${build.stderr}`);
const { GatewayClient, diagnose } = await import(pathToFileURL(out).href);

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p90: q(0.9), min: s[0], mean: s.reduce((a, b) => a + b, 0) / s.length };
}
const r1 = (x) => Math.round(x * 10) / 10;

const peer = await startPeer({ startTimeoutMs: 200_000 });
try {
  async function bare() {
    const t0 = performance.now();
    const c = new GatewayClient({ url: peer.url, token: peer.token, reconnect: false });
    await c.connect();
    await c.request("health");
    await c.close();
    return performance.now() - t0;
  }
  async function doctor() {
    const t0 = performance.now();
    const r = await diagnose({ url: peer.url, token: peer.token });
    if (!r.ok) throw new Error(`doctor failed at ${r.failedStep}: ${JSON.stringify(r.steps.at(-1))}`);
    return performance.now() - t0;
  }
  for (let i = 0; i < WARMUP; i++) {
    await bare();
    await doctor();
  }
  const b = [];
  const d = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate the order so neither side always runs right after the other's socket teardown.
    if (i % 2) {
      b.push(await bare());
      d.push(await doctor());
    } else {
      d.push(await doctor());
      b.push(await bare());
    }
  }
  const sb = stats(b);
  const sd = stats(d);
  const ratio = sd.median / sb.median;
  console.log(
    `bare connect + health + close: median ${r1(sb.median)} ms, p90 ${r1(sb.p90)} ms, min ${r1(sb.min)} ms (${ROUNDS} rounds)`,
  );
  console.log(`doctor (8 layers):             median ${r1(sd.median)} ms, p90 ${r1(sd.p90)} ms, min ${r1(sd.min)} ms`);
  console.log(
    `ratio doctor/bare (median): ${ratio.toFixed(2)}x (target <= 1.5x) ${ratio <= 1.5 ? "OK" : "OVER TARGET"}`,
  );
  console.log(
    JSON.stringify({
      bench: "doctor",
      rounds: ROUNDS,
      bareMedianMs: r1(sb.median),
      bareP90Ms: r1(sb.p90),
      doctorMedianMs: r1(sd.median),
      doctorP90Ms: r1(sd.p90),
      ratio: Math.round(ratio * 100) / 100,
      target: 1.5,
      ok: ratio <= 1.5,
    }),
  );
  if (ratio > 1.5) process.exitCode = 1;
} finally {
  await peer.stop();
}
