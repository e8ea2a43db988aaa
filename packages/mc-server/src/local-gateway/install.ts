import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { McServerError } from "../errors.js";

/** The OpenClaw release the local gateway runs (and the tests run against). */
export const OPENCLAW_VERSION = "2026.9.6";
/** The official SDK release the client benchmark compares against. */
export const OFFICIAL_SDK_VERSION = "2026.9.1";
const NODE_MAJOR = "24";
/** openclaw 2026.9.6 declares node >=24.16 (it uses node:sqlite). */
const MIN_NODE: [number, number] = [24, 16];
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const LOCK_STALE_MS = 15 * 60_000;

export interface InstalledGateway {
  /** A Node ≥ 24.16 binary (the project itself runs on Node ≥ 20). */
  nodeBin: string;
  /** openclaw.mjs of the pinned release. */
  openclawEntry: string;
  ocDir: string;
  sdkDir: string;
  root: string;
}

export interface InstallOptions {
  /** Where Node 24 and openclaw are installed (shared by every local gateway and test run). */
  cacheDir: string;
  /** Also install the official @openclaw/gateway-client (the client benchmark needs it). */
  sdk?: boolean;
  log?: (line: string) => void;
}

function runNpm(dir: string, specs: string[], log: (line: string) => void, nodeBin?: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "package.json")))
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "missionctl-gateway-deps", private: true }, null, 2),
    );
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error", ...specs], {
      cwd: dir,
      // openclaw's install scripts check the running Node: put Node 24 first on PATH for them.
      env: {
        ...process.env,
        npm_config_update_notifier: "false",
        ...(nodeBin ? { PATH: `${dirname(nodeBin)}:${process.env.PATH ?? ""}` } : {}),
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr = (stderr + String(d)).slice(-4_000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), INSTALL_TIMEOUT_MS);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) {
        log(`[local-gateway] installed ${specs.join(" ")} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolve();
        return;
      }
      reject(
        new McServerError(
          "LOCAL_GATEWAY_INSTALL_FAILED",
          `local gateway: npm install ${specs.join(" ")}`,
          `npm exited with ${code} in ${dir}: ${stderr.trim().split("\n").slice(-3).join(" ") || "(no output)"}`,
          "check that the npm registry is reachable (npm ping), then start again",
        ),
      );
    });
  });
}

function nodeVersionOk(bin: string): boolean {
  if (!existsSync(bin)) return false;
  try {
    // A version check on a binary we installed: cheap, and it catches a half-written file.
    const out = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 10_000 });
    const m = /^v(\d+)\.(\d+)/.exec(out.stdout ?? "");
    if (!m) return false;
    const [maj, min] = [Number(m[1]), Number(m[2])];
    return maj > MIN_NODE[0] || (maj === MIN_NODE[0] && min >= MIN_NODE[1]);
  } catch {
    return false;
  }
}

/** The node@24 package ships its binary either through its install script or in the platform package. */
function findNode24(dir: string): string | undefined {
  return [
    join(dir, "node_modules", "node", "bin", "node"),
    join(dir, "node_modules", `node-${process.platform}-${process.arch}`, "bin", "node"),
    join(dir, "node_modules", ".bin", "node"),
  ].find(nodeVersionOk);
}

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dir, { recursive: true });
  const lock = join(dir, ".install.lock");
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // A lock older than the install timeout belongs to a dead installer.
      try {
        if (Date.now() - (await stat(lock)).mtimeMs > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
      } catch {}
      if (Date.now() > deadline)
        throw new McServerError(
          "LOCAL_GATEWAY_INSTALL_FAILED",
          "local gateway: install",
          `timed out waiting for ${lock}`,
          "remove that folder if no install is running, then start again",
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function paths(root: string) {
  const nodeDir = join(root, `node${NODE_MAJOR}`);
  const ocDir = join(root, `openclaw-${OPENCLAW_VERSION}`);
  const sdkDir = join(root, `sdk-${OFFICIAL_SDK_VERSION}`);
  return {
    nodeDir,
    ocDir,
    sdkDir,
    openclawEntry: join(ocDir, "node_modules", "openclaw", "openclaw.mjs"),
    sdkEntry: join(sdkDir, "node_modules", "@openclaw", "gateway-client", "package.json"),
  };
}

/** Whether the pinned gateway is installed in `cacheDir` already (no install needed to start). */
export function isInstalled(cacheDir: string): boolean {
  const p = paths(cacheDir);
  return existsSync(join(p.ocDir, ".installed")) && existsSync(p.openclawEntry) && !!findNode24(p.nodeDir);
}

/**
 * Installs Node 24 and openclaw@2026.9.6 from the npm registry into `cacheDir` unless they are
 * there. Idempotent and safe from parallel processes (a lock folder); a second call returns at once.
 */
export async function ensureInstalled(opts: InstallOptions): Promise<InstalledGateway> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const root = opts.cacheDir;
  const p = paths(root);
  const ready = () =>
    existsSync(join(p.ocDir, ".installed")) && existsSync(p.openclawEntry) && (!opts.sdk || existsSync(p.sdkEntry));
  let nodeBin = findNode24(p.nodeDir);
  if (nodeBin && ready()) return { nodeBin, openclawEntry: p.openclawEntry, ocDir: p.ocDir, sdkDir: p.sdkDir, root };
  return withLock(root, async () => {
    nodeBin = findNode24(p.nodeDir);
    if (!nodeBin) {
      await runNpm(p.nodeDir, [`node@${NODE_MAJOR}`], log);
      nodeBin = findNode24(p.nodeDir);
      if (!nodeBin)
        throw new McServerError(
          "LOCAL_GATEWAY_INSTALL_FAILED",
          "local gateway: install",
          `node@${NODE_MAJOR} installed in ${p.nodeDir} but no working node >= ${MIN_NODE.join(".")} binary was found in it`,
          `remove ${p.nodeDir} and start again`,
        );
    }
    if (!existsSync(join(p.ocDir, ".installed")) || !existsSync(p.openclawEntry)) {
      await runNpm(p.ocDir, [`openclaw@${OPENCLAW_VERSION}`], log, nodeBin);
      const pkgFile = join(p.ocDir, "node_modules", "openclaw", "package.json");
      const version = existsSync(pkgFile)
        ? (JSON.parse(readFileSync(pkgFile, "utf8")) as { version?: string }).version
        : null;
      if (!existsSync(p.openclawEntry) || version !== OPENCLAW_VERSION)
        throw new McServerError(
          "LOCAL_GATEWAY_INSTALL_FAILED",
          "local gateway: install",
          `expected openclaw ${OPENCLAW_VERSION} in ${p.ocDir}, found ${version ?? "nothing"}`,
          `remove ${p.ocDir} and start again`,
        );
      writeFileSync(join(p.ocDir, ".installed"), `${OPENCLAW_VERSION}\n`);
    }
    if (opts.sdk && !existsSync(p.sdkEntry))
      await runNpm(p.sdkDir, [`@openclaw/gateway-client@${OFFICIAL_SDK_VERSION}`], log, nodeBin);
    return { nodeBin, openclawEntry: p.openclawEntry, ocDir: p.ocDir, sdkDir: p.sdkDir, root };
  });
}
