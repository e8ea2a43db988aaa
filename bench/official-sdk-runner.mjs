// Child process of bench/gateway-client.bench.mjs, run with the peer's Node 24 (the official
// @openclaw/gateway-client needs Node >= 22.19). Runs one round for the official client and, for
// an apples-to-apples runtime comparison, for our client and the raw ws baseline too.
// Input: BENCH_RUNNER_OPTS (JSON) and GW_TOKEN in the environment (never argv: argv is visible in ps).
// Output: one JSON line on stdout with the raw samples; progress goes to stderr.
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import { officialDriver, oursDriver, rawWsDriver, runRound } from "./gateway-bench-lib.mjs";

const opts = JSON.parse(process.env.BENCH_RUNNER_OPTS ?? "{}");
const token = process.env.GW_TOKEN;
if (!opts.url || !token) {
  process.stderr.write("[bench] official-sdk-runner: BENCH_RUNNER_OPTS.url and GW_TOKEN are required — run bench/gateway-client.bench.mjs instead\n");
  process.exit(2);
}

const drivers = {};
for (const impl of opts.impls) {
  if (impl === "official") {
    const mod = await import(pathToFileURL(opts.sdkEntry).href);
    drivers[impl] = officialDriver(mod, { url: opts.url, token });
  } else if (impl === "ours") {
    const mod = await import(pathToFileURL(opts.oursEntry).href);
    drivers[impl] = oursDriver(mod, { url: opts.url, token });
  } else if (impl === "raw") {
    drivers[impl] = rawWsDriver(WebSocket, { url: opts.url, token });
  }
}

const round = await runRound(drivers, { ...opts, order: opts.order ?? opts.impls });
process.stdout.write(JSON.stringify({ node: process.version, round }) + "\n");
