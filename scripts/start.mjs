// Starts Mission Control (mc-server). When OPENCLAW_GATEWAY_URL is unset it first starts the
// pinned local OpenClaw gateway (the same peer the tests use, loopback only, with a generated
// token stored 0600 in its own folder) and connects mc-server to it.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const log = (level, msg, extra = {}) =>
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, component: "start", msg, ...extra })}\n`,
  );

const serverBin = join(root, "packages", "mc-server", "dist", "bin.js");
if (!existsSync(serverBin)) {
  log("error", `mc-server is not built (${serverBin} is missing): run npm run build first`);
  process.exit(2);
}

const env = { ...process.env };
let peer = null;

if (!env.OPENCLAW_GATEWAY_URL) {
  const dataHome = env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  const dir = env.MISSIONCTL_LOCAL_GATEWAY_DIR || join(dataHome, "missionctl", "local-gateway");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const portFile = join(dir, "port");
  const { startPeer, freePort } = await import("../tests/peer/peer.mjs");
  // Reuse the port of the previous run so the dashboard's device pairing and URLs stay stable.
  let port = existsSync(portFile) ? Number(readFileSync(portFile, "utf8")) : undefined;
  if (port) {
    const probe = await freePort().catch(() => undefined);
    const inUse = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(500) }).then(
      () => true,
      () => false,
    );
    if (inUse || !probe) port = undefined;
  }
  log(
    "info",
    "OPENCLAW_GATEWAY_URL is not set: starting the pinned local OpenClaw gateway on loopback (first start installs it, about a minute)",
    { dir },
  );
  peer = await startPeer({ dir, port, keepConfig: false, log: (m) => log("info", m) });
  writeFileSync(portFile, `${peer.port}\n`, { mode: 0o600 });
  env.OPENCLAW_GATEWAY_URL = peer.url;
  env.OPENCLAW_GATEWAY_TOKEN = peer.token;
  log("info", `local OpenClaw gateway ready at ${peer.url} (token stored 0600 in ${join(dir, "token")})`, {
    gatewayUrl: peer.url,
    hint: "to use a real gateway instead, set OPENCLAW_GATEWAY_URL (e.g. wss://gateway.example.org) and OPENCLAW_GATEWAY_TOKEN, then start again",
  });
}

const server = spawn(process.execPath, [serverBin], { env, stdio: "inherit" });
let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  if (server.exitCode === null) server.kill(signal);
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
server.on("exit", async (code, signal) => {
  if (peer) {
    log("info", "stopping the local OpenClaw gateway");
    await peer.stop({ clean: false });
  }
  process.exitCode = code ?? (signal ? 0 : 1);
});
