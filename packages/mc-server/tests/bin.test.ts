import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The built bin, as scripts/start.sh and systemd run it (build first: npm run build -w packages/mc-server).
const BIN = join(dirname(fileURLToPath(import.meta.url)), "../dist/bin.js");

const BUN = join(dirname(fileURLToPath(import.meta.url)), "../../../node_modules/.bin/bun");

function run(env: Record<string, string>, runtime = process.execPath) {
  const dir = mkdtempSync(join(tmpdir(), "mc-bin-"));
  const child = spawn(runtime, [BIN], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      DATABASE_PATH: join(dir, "mc.db"),
      MC_IDENTITY_DIR: join(dir, "id"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, any>[] = [];
  let buf = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf("\n")) !== -1) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, lines, exited, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe.skipIf(!existsSync(BIN))("missionctl-server (dist/bin.js)", () => {
  it("logs one JSON line with the URL when it listens, and stops cleanly on SIGTERM", async () => {
    const p = run({ PORT: "0", MC_API_TOKN: "typo" });
    const deadline = Date.now() + 30_000;
    while (!p.lines.some((l) => l.msg === "mc-server listening") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const listening = p.lines.find((l) => l.msg === "mc-server listening");
    expect(listening).toMatchObject({ level: "info", gatewayUrl: null });
    expect(listening!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(p.lines.find((l) => l.variable === "MC_API_TOKN")?.msg).toBe(
      "unknown variable MC_API_TOKN is ignored — did you mean MC_API_TOKEN?",
    );
    const health = await fetch(`${listening!.url}/api/health`);
    expect(health.status).toBe(200);
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(p.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["mc-server shutting down", "mc-server stopped"]));
    p.cleanup();
  });

  it("exits 78 with the variable and the fix on a configuration error", async () => {
    const p = run({ HOST: "0.0.0.0", PORT: "0" });
    expect(await p.exited).toBe(78);
    expect(p.lines[0]).toMatchObject({ level: "error", code: "CONFIG_UNSAFE_BIND", variable: "HOST" });
    expect(p.lines[0]!.hint).toMatch(/MC_API_TOKEN/);
    p.cleanup();
  });

  it("refuses DATABASE_URL without DATABASE_PATH (the database would land elsewhere), exit 78", async () => {
    const p = run({ PORT: "0", DATABASE_PATH: "", DATABASE_URL: "sqlite:///var/lib/mc.db" });
    expect(await p.exited).toBe(78);
    expect(p.lines[0]).toMatchObject({ level: "warn", variable: "DATABASE_URL", suggestion: "DATABASE_PATH" });
    const error = p.lines.find((l) => l.level === "error")!;
    expect(error).toMatchObject({ code: "CONFIG_DATABASE", variable: "DATABASE_PATH" });
    expect(error.msg.split(error.hint).length).toBe(2); // the fix is stated once
    p.cleanup();
  });

  it.skipIf(!existsSync(BUN))("runs under Bun too: API, SSE and a clean stop", async () => {
    const p = run({ PORT: "0" }, BUN);
    const deadline = Date.now() + 30_000;
    while (!p.lines.some((l) => l.msg === "mc-server listening") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const url = p.lines.find((l) => l.msg === "mc-server listening")!.url as string;
    const created = await fetch(`${url}/api/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"title":"on bun"}',
    });
    expect(created.status).toBe(201);
    const ac = new AbortController();
    const sse = await fetch(`${url}/api/events`, { signal: ac.signal });
    expect(sse.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = sse.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: hello");
    ac.abort();
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    p.cleanup();
  });
});
