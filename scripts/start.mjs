// Starts Mission Control (mc-server). When OPENCLAW_GATEWAY_URL is unset, mc-server runs the
// pinned local OpenClaw gateway itself (MC_LOCAL_GATEWAY=1: loopback only, its token, port,
// config and state kept in $XDG_DATA_HOME/missionctl/local-gateway) and connects to it; provider
// keys in the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, MC_MODEL_BASE_URL + MC_MODEL…)
// give its agent a model.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
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
if (!env.OPENCLAW_GATEWAY_URL) {
  env.MC_LOCAL_GATEWAY = "1";
  // The same install the tests use (MISSIONCTL_PEER_CACHE, else .cache/peer in the checkout).
  env.MC_LOCAL_GATEWAY_CACHE ??= resolve(env.MISSIONCTL_PEER_CACHE ?? join(root, ".cache", "peer"));
}

const server = spawn(process.execPath, [serverBin], { env, stdio: "inherit" });
const forward = (signal) => {
  if (server.exitCode === null) server.kill(signal);
};
process.on("SIGINT", () => forward("SIGINT"));
process.on("SIGTERM", () => forward("SIGTERM"));
server.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 0 : 1);
});
