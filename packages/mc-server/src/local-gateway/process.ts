import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { McServerError } from "../errors.js";

/** Asks the kernel for a free loopback port. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The last `n` lines of a log file ("(no log)" if there is none yet). */
export function tailFile(path: string, n = 40): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-n).join("\n");
  } catch {
    return "(no log)";
  }
}

/** The size of a log file now (0 if there is none yet): where to start reading for new lines. */
export function logOffset(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Waits until a line matching `pattern` is appended to a log after `offset` and returns it; null
 * after `timeoutMs`. Reads only what was appended, every 200 ms.
 */
export async function waitForLogLine(
  path: string,
  offset: number,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  let at = offset;
  while (Date.now() < deadline) {
    const size = logOffset(path);
    if (size > at) {
      const fd = openSync(path, "r");
      try {
        const buf = Buffer.alloc(Math.min(size - at, 1 << 20));
        const n = readSync(fd, buf, 0, buf.length, at);
        at += n;
        text = (text + buf.subarray(0, n).toString("utf8")).slice(-65_536);
      } finally {
        closeSync(fd);
      }
      const line = text.split("\n").find((l) => pattern.test(l));
      if (line) return line.trim();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

export interface SpawnOptions {
  nodeBin: string;
  openclawEntry: string;
  port: number;
  env: Record<string, string>;
  cwd: string;
  /** stdout and stderr of the gateway go here (appended). */
  outputFile: string;
}

/** Starts `openclaw gateway run` on loopback in its own process group. */
export function spawnGateway(o: SpawnOptions): ChildProcess {
  const out = openSync(o.outputFile, "a");
  try {
    const child = spawn(
      o.nodeBin,
      [o.openclawEntry, "gateway", "run", "--port", String(o.port), "--bind", "loopback"],
      {
        env: o.env,
        cwd: o.cwd,
        stdio: ["ignore", out, out],
        detached: true,
      },
    );
    child.unref();
    return child;
  } finally {
    closeSync(out);
  }
}

/** Resolves once `GET /startupz` answers 200; rejects (with the log's tail) if the process exits first or time runs out. */
export async function waitStarted(
  port: number,
  child: ChildProcess,
  outputFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    exited = { code, signal };
  };
  child.once("exit", onExit);
  try {
    while (Date.now() < deadline) {
      if (exited) {
        const e = exited as { code: number | null; signal: NodeJS.Signals | null };
        throw new McServerError(
          "LOCAL_GATEWAY_START_FAILED",
          "local gateway",
          `openclaw exited before it was ready (code ${e.code}, signal ${e.signal})`,
          `read ${outputFile}; its last lines:\n${tailFile(outputFile)}`,
        );
      }
      try {
        const res = await fetch(`http://127.0.0.1:${port}/startupz`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new McServerError(
      "LOCAL_GATEWAY_START_FAILED",
      "local gateway",
      `openclaw on port ${port} did not report /startupz 200 within ${timeoutMs} ms`,
      `read ${outputFile}; its last lines:\n${tailFile(outputFile)}`,
    );
  } finally {
    child.off("exit", onExit);
  }
}

/**
 * Stops the gateway: `signal` (SIGTERM: a clean shutdown takes ~2.5 s), then SIGKILL to its whole
 * process group after `graceMs` — it starts helper processes that must not outlive it.
 */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const pid = child.pid;
    const killGroup = () => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    };
    const timer = setTimeout(killGroup, graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      killGroup();
      resolve();
    });
    try {
      process.kill(pid, signal);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
