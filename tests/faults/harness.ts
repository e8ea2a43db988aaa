// The pieces of the fault suite: mc-server as a real process that can be SIGKILLed and started
// again on the same database and port, and an API client that retries like an operator's
// script would (same Idempotency-Key, until the server answers).
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const SERVER_BIN = join(root, "packages", "mc-server", "dist", "bin.js");

export interface ServerProcess {
  url: string;
  readonly pid: number | undefined;
  readonly starts: number;
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no cleanup, whatever was in flight. */
  kill(): Promise<void>;
  /** SIGTERM and wait (the end of the suite). */
  stop(): Promise<void>;
  logLines(): Promise<Record<string, any>[]>;
}

export function serverProcess(opts: {
  port: number;
  dir: string;
  env: Record<string, string>;
  logFile: string;
}): ServerProcess {
  let child: ChildProcess | null = null;
  let starts = 0;
  let log: WriteStream | null = null;
  const url = `http://127.0.0.1:${opts.port}`;
  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once("exit", () => resolve());
    });
  return {
    url,
    get pid() {
      return child?.pid;
    },
    get starts() {
      return starts;
    },
    async start() {
      log ??= createWriteStream(opts.logFile, { flags: "a" });
      const c = spawn(process.execPath, [SERVER_BIN], {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: join(opts.dir, "home"),
          HOST: "127.0.0.1",
          PORT: String(opts.port),
          DATABASE_PATH: join(opts.dir, "mc.db"),
          MC_IDENTITY_DIR: join(opts.dir, "identity"),
          LOG_LEVEL: "info",
          ...opts.env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = c;
      starts++;
      c.stdout!.pipe(log, { end: false });
      c.stderr!.pipe(log, { end: false });
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (c.exitCode !== null) throw new Error(`[faults] mc-server exited at start (code ${c.exitCode})`);
        try {
          const r = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1_000) });
          await r.arrayBuffer();
          if (r.ok) return;
        } catch {}
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("[faults] mc-server did not answer /api/health within 60 s");
    },
    async kill() {
      const c = child;
      child = null;
      if (!c?.pid) return;
      c.kill("SIGKILL");
      await exited(c);
    },
    async stop() {
      const c = child;
      child = null;
      if (c?.pid) {
        c.kill("SIGTERM");
        const timer = setTimeout(() => c.kill("SIGKILL"), 15_000);
        await exited(c);
        clearTimeout(timer);
      }
      await new Promise<void>((r) => (log ? log.end(() => r()) : r()));
      log = null;
    },
    async logLines() {
      const { readFileSync } = await import("node:fs");
      return readFileSync(opts.logFile, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, any>;
          } catch {
            return {};
          }
        });
    },
  };
}

/**
 * A request that survives server kills: repeated (with the same Idempotency-Key) while the
 * server cannot be reached or answers 5xx, until `deadline`.
 */
export async function retrying(
  url: string,
  init: { method: string; body?: unknown; key?: string },
  deadline: number,
): Promise<{ status: number; body: any; attempts: number }> {
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const res = await fetch(url, {
        method: init.method,
        headers: {
          "content-type": "application/json",
          ...(init.key ? { "idempotency-key": init.key } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      if (res.status < 500) return { status: res.status, body: text ? JSON.parse(text) : null, attempts };
    } catch {
      // refused or cut: the server is being restarted
    }
    if (Date.now() > deadline) throw new Error(`[faults] ${init.method} ${url}: no answer before the deadline`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
