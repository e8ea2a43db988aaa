// Child process of bench/gateway-client.bench.mjs, run with the peer's Node 24 (the official
// @openclaw/gateway-client needs Node >= 22.19). Runs one round for the official client and, for
// an apples-to-apples runtime comparison, for our client and the raw ws baseline too.
// Input: BENCH_RUNNER_OPTS (JSON) and GW_TOKEN in the environment (never argv: argv is visible in ps).
// Output: one JSON line on stdout with the raw samples; progress goes to stderr.
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import { officialDriver, oursDriver, rawWsDriver, readDeviceFile, runRound } from "./gateway-bench-lib.mjs";

const opts = JSON.parse(process.env.BENCH_RUNNER_OPTS ?? "{}");
const token = process.env.GW_TOKEN;
if (!opts.url || !token) {
  process.stderr.write(
    "[bench] official-sdk-runner: BENCH_RUNNER_OPTS.url and GW_TOKEN are required — run bench/gateway-client.bench.mjs instead\n",
  );
  process.exit(2);
}

// Driver names: "<impl>" (no device) and "<impl>+device" (the same v3-signed device for all).
const drivers = {};
const oursMod = opts.order.some((n) => n.startsWith("ours")) ? await import(pathToFileURL(opts.oursEntry).href) : null;
const sdkMod = opts.order.some((n) => n.startsWith("official"))
  ? await import(pathToFileURL(opts.sdkEntry).href)
  : null;
const device = opts.deviceFile ? readDeviceFile(opts.deviceFile) : undefined;
for (const name of opts.order) {
  const [impl, mode] = name.split("+");
  const dev = mode === "device" ? device : undefined;
  if (impl === "official") drivers[name] = officialDriver(sdkMod, { url: opts.url, token, device: dev });
  else if (impl === "ours")
    drivers[name] = oursDriver(oursMod, {
      url: opts.url,
      token,
      identity: dev ? await oursMod.loadIdentity(opts.deviceFile) : null,
    });
  else if (impl === "raw") drivers[name] = rawWsDriver(WebSocket, { url: opts.url, token, device: dev });
}

const round = await runRound(drivers, { ...opts, order: opts.order });
process.stdout.write(`${JSON.stringify({ node: process.version, round })}\n`);
