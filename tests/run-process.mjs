// One way for the test helpers to run a command without blocking the event loop: a test worker
// blocked for long misses vitest's RPC deadline ("Timeout calling onTaskUpdate"), and a blocked
// gateway client misses its ticks. Never rejects: a command that could not start has status null
// and the spawn error in `stderr`; past `timeoutMs` it is killed (SIGKILL) and `timedOut` is set.
import { spawn } from "node:child_process";

export function runProcess(cmd, args, { cwd, env, timeoutMs = 600_000 } = {}) {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      done({ status: null, signal: null, stdout, stderr: stderr + String(err), ms: Date.now() - started, timedOut });
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      done({ status, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}
