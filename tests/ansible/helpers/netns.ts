// Two network namespaces made by the test itself, joined by a veth pair with addresses from a
// private test range that exists only inside them: "pi" (the Mission Control host) and "vps"
// (Caddy + the gateway). Nothing is configured in the host's own network namespace.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

export interface Topology {
  pi: string;
  vps: string;
  piAddr: string;
  vpsAddr: string;
  destroy(): void;
}

function ip(args: string[]): void {
  const res = spawnSync("ip", args, { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`[e2e] ip ${args.join(" ")} failed (exit ${res.status}): ${res.stderr.trim()}`);
}

export function createTopology(): Topology {
  const id = randomBytes(3).toString("hex");
  const octet = 1 + (parseInt(id, 16) % 250);
  const pi = `mctl-e2e-${id}-pi`;
  const vps = `mctl-e2e-${id}-vps`;
  const [vethPi, vethVps] = [`mce${id}p`, `mce${id}v`];
  const piAddr = `10.213.${octet}.1`;
  const vpsAddr = `10.213.${octet}.2`;
  const destroy = () => {
    for (const ns of [pi, vps]) spawnSync("ip", ["netns", "del", ns]); // also removes the veth pair
  };
  try {
    ip(["netns", "add", pi]);
    ip(["netns", "add", vps]);
    ip(["link", "add", vethPi, "type", "veth", "peer", "name", vethVps]);
    ip(["link", "set", vethPi, "netns", pi]);
    ip(["link", "set", vethVps, "netns", vps]);
    ip(["-n", pi, "addr", "add", `${piAddr}/24`, "dev", vethPi]);
    ip(["-n", vps, "addr", "add", `${vpsAddr}/24`, "dev", vethVps]);
    for (const [ns, dev] of [
      [pi, vethPi],
      [vps, vethVps],
    ] as const) {
      ip(["-n", ns, "link", "set", "lo", "up"]);
      ip(["-n", ns, "link", "set", dev, "up"]);
    }
  } catch (err) {
    destroy();
    throw err;
  }
  return { pi, vps, piAddr, vpsAddr, destroy };
}

/** Starts a long-running process inside a namespace (ip netns exec execs it: the PID is the process). */
export function spawnIn(
  ns: string,
  cmd: string,
  args: string[],
  env: Record<string, string | undefined>,
  cwd?: string,
): ChildProcess {
  return spawn("ip", ["netns", "exec", ns, cmd, ...args], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
}

/** Resolves with the first stdout line (e.g. a "ready" JSON line), or rejects on exit/timeout. */
export function firstLine(child: ChildProcess, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`[e2e] ${what}: no ready line within ${timeoutMs} ms\n${err.slice(-2000)}`)),
      timeoutMs,
    );
    child.stderr?.on("data", (d) => (err += d));
    child.stdout?.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolveLine(out.slice(0, nl));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`[e2e] ${what} exited (code ${code}) before it was ready\n${err.slice(-2000)}`));
    });
  });
}

/** Stops a child we started: SIGTERM, then SIGKILL after graceMs. */
export function stopChild(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  return new Promise((done) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      done();
    });
    child.kill("SIGTERM");
  });
}
