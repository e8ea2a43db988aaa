// Starts a real OpenClaw gateway on loopback for tests and benchmarks. Each peer has its own state
// dir, config, log file and HOME, a free port and a random token. Installing, spawning, waiting
// for readiness and stopping are mc-server's own local-gateway code; this adds the test knobs.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  deepMerge,
  freePort,
  initialConfig,
  managedConfig,
  openAiCompatibleProvider,
  spawnGateway,
  stopChild,
  tailFile,
  waitStarted,
} from "@missionctl/mc-server/local-gateway";
import { runProcess } from "../run-process.mjs";
import { ensurePeerInstalled } from "./install.mjs";

export { deepMerge, freePort };

/** The config a peer starts with: local mode, loopback, token auth, no heartbeat model calls. */
export function peerConfig({ port, logFile, autoApproveLocal, trustedProxies, allowedOrigins, stubModelUrl, config }) {
  const gateway = {};
  if (allowedOrigins) gateway.controlUi = { allowedOrigins };
  if (trustedProxies) gateway.trustedProxies = trustedProxies;
  if (autoApproveLocal === false) gateway.nodes = { pairing: { autoApproveLocal: false } };
  // The local gateway's managed part, without its exec approvals (tests ask for those themselves).
  let cfg = deepMerge(managedConfig({ port, logFile }), {
    gateway,
    agents: initialConfig({ port, logFile }).agents,
  });
  if (stubModelUrl) {
    cfg = deepMerge(cfg, {
      models: {
        mode: "replace",
        providers: {
          stub: openAiCompatibleProvider({
            baseUrl: stubModelUrl,
            apiKey: "stub-key",
            model: "stub-model",
            name: "Stub Model",
          }),
        },
      },
      agents: { defaults: { model: { primary: "stub/stub-model" } } },
    });
  }
  return config ? deepMerge(cfg, config) : cfg;
}

function writeAtomic(path, text, mode = 0o600) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

/**
 * Starts a gateway. Options:
 * - autoApproveLocal: false → loopback devices need approval
 * - trustedProxies: string[] → gateway.trustedProxies
 * - allowedOrigins: string[] → gateway.controlUi.allowedOrigins
 * - stubModelUrl: "http://127.0.0.1:<port>/v1" → an OpenAI-compatible model provider "stub/stub-model"
 * - config: extra config deep-merged last
 * - dir: a persistent root (default: a fresh temp dir, removed by stop({ clean: true }))
 * - port, token: fixed values (default: a free port, a random token)
 * - startTimeoutMs (default 90 s)
 */
export async function startPeer(options = {}) {
  const { nodeBin, openclawEntry } = await ensurePeerInstalled({ log: options.log });
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "missionctl-peer-"));
  const ownsDir = !options.dir;
  const stateDir = join(dir, "state");
  const home = join(dir, "home");
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const configPath = join(stateDir, "openclaw.json");
  const logFile = join(dir, "gateway.log");
  const stdoutFile = join(dir, "gateway.stdout.log");
  const tokenFile = join(dir, "token");
  let token = options.token;
  if (!token && existsSync(tokenFile)) token = readFileSync(tokenFile, "utf8").trim();
  if (!token) token = randomBytes(24).toString("hex");
  writeAtomic(tokenFile, `${token}\n`);
  const port = options.port ?? (await freePort());

  const config = peerConfig({ ...options, port, logFile });
  if (!options.keepConfig || !existsSync(configPath)) writeAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);

  const env = {
    PATH: `${join(nodeBin, "..")}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home,
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_CONFIG_PATH: configPath,
    OPENCLAW_GATEWAY_TOKEN: token,
    OPENCLAW_GATEWAY_PORT: String(port),
    NO_COLOR: "1",
    TZ: process.env.TZ ?? "UTC",
    LANG: "C.UTF-8",
    ...(options.env ?? {}),
  };

  let child = null;
  const spawnOnce = async () => {
    child = spawnGateway({ nodeBin, openclawEntry, port, env, cwd: dir, outputFile: stdoutFile });
    try {
      await waitStarted(port, child, stdoutFile, options.startTimeoutMs ?? 120_000);
    } catch (err) {
      await stopChild(child);
      child = null;
      throw err;
    }
  };
  // On a loaded machine the gateway's first start occasionally misses its own internal
  // deadlines (e.g. "state lease heartbeat did not become ready"): one retry absorbs that.
  const spawnWithRetry = async () => {
    try {
      await spawnOnce();
    } catch (err) {
      (options.log ?? ((m) => process.stderr.write(`${m}\n`)))(
        `[peer] first start failed, retrying once: ${String(err.message).split("\n")[0]}`,
      );
      await spawnOnce();
    }
  };

  await spawnWithRetry();

  const info = {
    url: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    port,
    token,
    dir,
    stateDir,
    configPath,
    logFile,
    stdoutFile,
    home,
    env,
    nodeBin,
    openclawEntry,
  };
  const peer = peerHandle(info, {
    get pid() {
      return child?.pid;
    },
    /** Stops the gateway (SIGTERM, then SIGKILL after 10 s). `clean` removes a temp dir. */
    async stop({ clean = ownsDir } = {}) {
      if (child) await stopChild(child);
      child = null;
      if (clean) rmSync(dir, { recursive: true, force: true });
    },
    /** Restarts on the same port and state dir. */
    async restart() {
      if (child) await stopChild(child);
      await spawnWithRetry();
    },
    /** Kills the gateway without a clean shutdown (SIGKILL to its process group). */
    async crash() {
      if (child) await stopChild(child, "SIGKILL");
      child = null;
    },
    /** Starts again after stop()/crash(). */
    async start() {
      if (!child) await spawnWithRetry();
    },
  });
  return peer;
}

/**
 * A peer's fields plus what works from them alone (its CLI, its config and log files), with the
 * process controls given. A gateway shared between test files (shared-peer.mjs) is such a handle
 * in each file, without the controls of its process.
 */
export function peerHandle(info, controls) {
  const { env, port, nodeBin, openclawEntry, dir, configPath, stdoutFile } = info;
  const handle = {
    ...info,
    /** Runs the peer's own `openclaw` CLI against this gateway; returns { status, stdout, stderr }. */
    cli(args, { timeoutMs = 180_000 } = {}) {
      const res = spawnSync(nodeBin, [openclawEntry, ...args], {
        env: { ...env, OPENCLAW_GATEWAY_URL: `ws://127.0.0.1:${port}` },
        cwd: dir,
        encoding: "utf8",
        timeout: timeoutMs,
      });
      return { status: res.status, stdout: res.stdout ?? "", stderr: res.stderr ?? "" };
    },
    /** Async variant of cli() that does not block the event loop. */
    async cliAsync(args, { timeoutMs = 180_000 } = {}) {
      const { status, stdout, stderr } = await runProcess(nodeBin, [openclawEntry, ...args], {
        env: { ...env, OPENCLAW_GATEWAY_URL: `ws://127.0.0.1:${port}` },
        cwd: dir,
        timeoutMs,
      });
      return { status, stdout, stderr };
    },
    readConfig() {
      return readFileSync(configPath, "utf8");
    },
    writeConfig(obj) {
      writeAtomic(configPath, typeof obj === "string" ? obj : `${JSON.stringify(obj, null, 2)}\n`);
    },
    logTail(n) {
      return tailFile(stdoutFile, n);
    },
    /** The fields (and pid) alone: what sharedPeer() gets over the wire to build its own handle. */
    toJSON() {
      return { ...info, pid: handle.pid };
    },
  };
  // Copied with their getters (pid).
  Object.defineProperties(handle, Object.getOwnPropertyDescriptors(controls));
  return handle;
}
