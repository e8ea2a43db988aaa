// The README's run command: with no OPENCLAW_GATEWAY_URL, scripts/start.mjs starts the pinned
// local gateway and mc-server connected to it; SIGTERM stops both.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../peer/peer.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const serverBin = join(root, "packages", "mc-server", "dist", "bin.js");

describe.skipIf(!existsSync(serverBin))("scripts/start.mjs (the README's run command)", () => {
  const dir = mkdtempSync(join(tmpdir(), "missionctl-start-"));
  let child: ChildProcess | undefined;
  let output = "";

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child!.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts the local gateway, connects the dashboard to it, and stops both on SIGTERM", async () => {
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: join(dir, "home"),
      XDG_DATA_HOME: join(dir, "data"),
      PORT: String(port),
      DATABASE_PATH: join(dir, "data", "mc.db"),
      MC_IDENTITY_DIR: join(dir, "identity"),
    };
    child = spawn(process.execPath, [join(root, "scripts", "start.mjs")], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));

    let status: { state?: string; gatewayUrl?: string; serverVersion?: string } = {};
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline && status.state !== "connected") {
      await new Promise((r) => setTimeout(r, 1000));
      if (child.exitCode !== null) throw new Error(`start.mjs exited early (${child.exitCode}):\n${output}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/openclaw/status`, { signal: AbortSignal.timeout(2000) });
        status = (await res.json()) as typeof status;
      } catch {}
    }
    expect(status.state, output).toBe("connected");
    expect(status.gatewayUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(status.serverVersion).toBe("2026.9.6");

    // The generated token is kept 0600 and never printed.
    const tokenFile = join(dir, "data", "missionctl", "local-gateway", "token");
    expect(statSync(tokenFile).mode & 0o077).toBe(0);
    const token = readFileSync(tokenFile, "utf8").trim();
    expect(output).not.toContain(token);
    expect(output).toContain("OPENCLAW_GATEWAY_URL");

    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child!.once("exit", (c) => r(c)));
    expect(code).toBe(0);
    const gatewayPort = Number(status.gatewayUrl!.split(":").pop());
    await expect(
      fetch(`http://127.0.0.1:${gatewayPort}/healthz`, { signal: AbortSignal.timeout(2000) }),
    ).rejects.toThrow();
  }, 300_000);
});
