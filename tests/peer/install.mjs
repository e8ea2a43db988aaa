// Installs the pinned OpenClaw gateway and the Node 24 it needs into a cache folder that git
// ignores. Idempotent and safe to call from parallel test workers: a second call returns in
// milliseconds, concurrent calls wait for the first one.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const OPENCLAW_VERSION = "2026.9.6";
export const OFFICIAL_SDK_VERSION = "2026.9.1";
const NODE_MAJOR = "24";
const MIN_NODE = [24, 16];

const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export function peerCacheDir() {
  return resolve(process.env.MISSIONCTL_PEER_CACHE ?? join(repoRoot, ".cache", "peer"));
}

function npmInstall(dir, specs, log, nodeBin) {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "package.json"))) {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "missionctl-peer-deps", private: true }, null, 2));
  }
  const started = Date.now();
  const res = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error", ...specs], {
    cwd: dir,
    encoding: "utf8",
    // openclaw's install scripts check the running Node: put Node 24 first on PATH for them.
    env: {
      ...process.env,
      npm_config_update_notifier: "false",
      ...(nodeBin ? { PATH: `${dirname(nodeBin)}:${process.env.PATH ?? ""}` } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 10 * 60_000,
  });
  if (res.status !== 0) {
    throw new Error(
      `[peer] npm install ${specs.join(" ")} failed in ${dir} (exit ${res.status}).\n` +
        `${(res.stderr || "").slice(-2000)}\nCheck that the npm registry is reachable, then run: node tests/peer/cli.mjs install`,
    );
  }
  log(`[peer] installed ${specs.join(" ")} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function nodeVersionOk(bin) {
  if (!existsSync(bin)) return false;
  const res = spawnSync(bin, ["--version"], { encoding: "utf8" });
  const m = /^v(\d+)\.(\d+)/.exec(res.stdout ?? "");
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > MIN_NODE[0] || (maj === MIN_NODE[0] && min >= MIN_NODE[1]);
}

/** The node@24 package ships its binary either through its install script or in the platform package. */
function findNode24(dir) {
  const candidates = [
    join(dir, "node_modules", "node", "bin", "node"),
    join(dir, "node_modules", `node-${process.platform}-${process.arch}`, "bin", "node"),
    join(dir, "node_modules", ".bin", "node"),
  ];
  return candidates.find(nodeVersionOk);
}

function withLock(dir, fn) {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, ".install.lock");
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than 15 minutes belongs to a dead installer.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {}
      if (Date.now() > deadline)
        throw new Error(`[peer] timed out waiting for ${lock}; remove it if no install is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Ensures Node 24 and openclaw@2026.9.6 are installed. Returns the paths the peer needs.
 * With `sdk: true` also installs the official @openclaw/gateway-client (used by bench/).
 */
export function ensurePeerInstalled({ sdk = false, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const root = peerCacheDir();
  const nodeDir = join(root, `node${NODE_MAJOR}`);
  const ocDir = join(root, `openclaw-${OPENCLAW_VERSION}`);
  const sdkDir = join(root, `sdk-${OFFICIAL_SDK_VERSION}`);
  const openclawEntry = join(ocDir, "node_modules", "openclaw", "openclaw.mjs");
  const sdkEntry = join(sdkDir, "node_modules", "@openclaw", "gateway-client", "package.json");

  let nodeBin = findNode24(nodeDir);
  const needSdk = sdk && !existsSync(sdkEntry);
  if (nodeBin && existsSync(join(ocDir, ".installed")) && existsSync(openclawEntry) && !needSdk) {
    return { nodeBin, openclawEntry, ocDir, sdkDir, root };
  }
  return withLock(root, () => {
    nodeBin = findNode24(nodeDir);
    if (!nodeBin) {
      npmInstall(nodeDir, [`node@${NODE_MAJOR}`], log);
      nodeBin = findNode24(nodeDir);
      if (!nodeBin)
        throw new Error(
          `[peer] node@${NODE_MAJOR} installed in ${nodeDir} but no working node >= 24.16 binary was found in it`,
        );
    }
    if (!existsSync(join(ocDir, ".installed")) || !existsSync(openclawEntry)) {
      npmInstall(ocDir, [`openclaw@${OPENCLAW_VERSION}`], log, nodeBin);
      if (!existsSync(openclawEntry)) throw new Error(`[peer] openclaw installed but ${openclawEntry} is missing`);
      const pkg = JSON.parse(readFileSync(join(ocDir, "node_modules", "openclaw", "package.json"), "utf8"));
      if (pkg.version !== OPENCLAW_VERSION)
        throw new Error(`[peer] expected openclaw ${OPENCLAW_VERSION}, got ${pkg.version}`);
      writeFileSync(join(ocDir, ".installed"), `${OPENCLAW_VERSION}\n`);
    }
    if (sdk && !existsSync(sdkEntry)) {
      npmInstall(sdkDir, [`@openclaw/gateway-client@${OFFICIAL_SDK_VERSION}`], log, nodeBin);
    }
    return { nodeBin, openclawEntry, ocDir, sdkDir, root };
  });
}
