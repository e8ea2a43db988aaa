import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const PKG = fileURLToPath(new URL("..", import.meta.url));
export const ROOT = join(PKG, "..", "..");
export const FIXTURES = join(PKG, "tests", "fixtures");
export const GOLDENS = join(PKG, "tests", "goldens");
export const BIN = join(PKG, "dist", "cli.js");

/**
 * Builds the package once per test file (the root test script builds everything first, this
 * only covers a targeted `vitest run`). gateway-client, which the CLI imports, is rebuilt first
 * when its sources are newer than its dist.
 */
export function buildOnce(): void {
  if (process.env.CONFIG_DIFF_SKIP_BUILD === "1" && existsSync(BIN)) return;
  const clientSrc = join(ROOT, "packages", "gateway-client", "src");
  if (existsSync(BIN) && Math.max(newestMtime(join(PKG, "src")), newestMtime(clientSrc)) < statSync(BIN).mtimeMs)
    return;
  const client = join(ROOT, "packages", "gateway-client");
  const clientDist = join(client, "dist", "index.js");
  if (!existsSync(clientDist) || newestMtime(join(client, "src")) > statSync(clientDist).mtimeMs) {
    spawnSync("npm", ["run", "build", "-w", "packages/gateway-client"], { cwd: ROOT, stdio: "ignore" });
  }
  execFileSync("npm", ["run", "build", "-w", "packages/config-diff"], { cwd: ROOT, stdio: "pipe" });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns the built binary (async: a blocked event loop starves vitest's worker RPC). */
export function runBin(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<RunResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    ...(opts.env ?? {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? PKG,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Compares with a committed golden; UPDATE_GOLDENS=1 rewrites it. */
export function expectGolden(name: string, actual: string): void {
  const file = join(GOLDENS, name);
  if (process.env.UPDATE_GOLDENS === "1" || !existsSync(file)) {
    if (process.env.CI && !existsSync(file))
      throw new Error(`missing golden ${name}: run UPDATE_GOLDENS=1 locally and commit it`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}
