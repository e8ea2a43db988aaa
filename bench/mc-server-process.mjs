// mc-server as the benches run it: its built bin in a child process on a free loopback port, with
// its own database and identity folder under `dir`, request logs off (LOG_LEVEL=warn: the
// baselines do not log either). Shared by bench/mc-server.bench.mjs and bench/session-page.bench.mjs.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const MC_SERVER_BIN = join(dirname(fileURLToPath(import.meta.url)), "../packages/mc-server/dist/bin.js");

/** Exits with a clear message when mc-server is not built. */
export function requireMcServerBuild(buildCommand = "npm run build -w packages/mc-server") {
  if (existsSync(MC_SERVER_BIN)) return;
  console.error(`[bench] ${MC_SERVER_BIN} is missing — run: ${buildCommand}`);
  process.exit(2);
}

/** A free loopback TCP port (the probe server is closed before it resolves). */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Polls `url` until it answers below 500; resolves with its JSON body (undefined when not JSON). */
export async function waitHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      const text = await r.text();
      if (r.status < 500) {
        try {
          return JSON.parse(text);
        } catch {
          return undefined;
        }
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`[bench] ${url} did not answer within ${timeoutMs} ms`);
}

/**
 * Starts mc-server and waits for /api/health. `env` adds to (or overrides) the bench environment,
 * `nodeArgs` are Node flags for the server process (e.g. --cpu-prof). The caller stops `proc`.
 */
export async function startMcServer({ dir, env = {}, nodeArgs = [] }) {
  const port = await freePort();
  const proc = spawn(process.execPath, [...nodeArgs, MC_SERVER_BIN], {
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_PATH: join(dir, "mc.db"),
      MC_IDENTITY_DIR: join(dir, "identity"),
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((_, reject) =>
    proc.once("exit", (code, signal) =>
      reject(new Error(`[bench] mc-server exited (${code ?? signal}) while starting`)),
    ),
  );
  exited.catch(() => {});
  await Promise.race([waitHttp(`${url}/api/health`, 60_000), exited]);
  return { proc, port, url };
}
