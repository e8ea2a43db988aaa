// Issue 13 against the built missionctl-server process (build first: npm run build -w packages/mc-server).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@missionctl/mc-store";
import { describe, expect, it } from "vitest";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../dist/bin.js");

/** The bin under `umask 022` (a distribution's default), with its own HOME and database. */
function start(env: Record<string, string>, seed?: (dbPath: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "mc-bin-hardening-"));
  seed?.(join(dir, "data", "mc.db"));
  const child = spawn("/bin/sh", ["-c", 'umask 022; exec "$0" "$1"', process.execPath, BIN], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      DATABASE_PATH: join(dir, "data", "mc.db"),
      MC_IDENTITY_DIR: join(dir, "id"),
      PORT: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  let buf = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf("\n")) !== -1) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const listening = async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const l = lines.map((x) => JSON.parse(x)).find((x) => x.msg === "mc-server listening");
      if (l) return l.url as string;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`not listening: ${lines.join("\n")}${stderr}`);
  };
  return { child, dir, lines, exited, listening, stderr: () => stderr };
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

describe.skipIf(!existsSync(BIN))("missionctl-server hardening (dist/bin.js)", () => {
  it("a credential in OPENCLAW_GATEWAY_URL: one JSON line, exit 78, the secret redacted, the fix named", async () => {
    for (const url of [
      "wss://gw.example.org/?token=SECRET-in-query-1",
      "ws://127.0.0.1:18789/?password=SECRET-in-query-2",
      "wss://mc:SECRET-userinfo-3@gw.example.org",
    ]) {
      const p = start({ OPENCLAW_GATEWAY_URL: url });
      expect(await p.exited, url).toBe(78);
      expect(p.lines, url).toHaveLength(1);
      const line = JSON.parse(p.lines[0]!);
      expect(line).toMatchObject({ level: "error", code: "CONFIG_INVALID", variable: "OPENCLAW_GATEWAY_URL" });
      expect(line.msg).toMatch(/carries a credential/);
      expect(line.hint).toMatch(/OPENCLAW_GATEWAY_TOKEN/);
      expect(p.lines.join("\n") + p.stderr()).not.toMatch(/SECRET/);
      expect(p.stderr()).toBe("");
      rmSync(p.dir, { recursive: true, force: true });
    }
    const plain = start({ OPENCLAW_GATEWAY_URL: "ws://gw.example.org:18789" });
    expect(await plain.exited).toBe(78);
    expect(JSON.parse(plain.lines[0]!)).toMatchObject({
      code: "CONFIG_INVALID",
      hint: expect.stringMatching(/wss:\/\//),
    });
    rmSync(plain.dir, { recursive: true, force: true });
  });

  it("MC_ALLOWED_HOSTS is validated: a wildcard or a URL is a configuration error (exit 78)", async () => {
    for (const value of ["*", "https://mc.example.org"]) {
      const p = start({ MC_ALLOWED_HOSTS: value });
      expect(await p.exited, value).toBe(78);
      expect(JSON.parse(p.lines[0]!)).toMatchObject({ code: "CONFIG_INVALID", variable: "MC_ALLOWED_HOSTS" });
      rmSync(p.dir, { recursive: true, force: true });
    }
  });

  it("an unknown argument carrying escape sequences is echoed inert (exit 2)", async () => {
    const child = spawn(process.execPath, [BIN, "\u001b]0;pwned\u0007\u001b[2K\u009b31m"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown argument/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach the terminal
    expect(stderr.replace(/\n$/, "")).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(stderr).toContain("pwned");
  });

  it("creates its database owner-only", async () => {
    const p = start({});
    try {
      const url = await p.listening();
      const db = join(p.dir, "data", "mc.db");
      const r = await fetch(`${url}/api/tasks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "task text other local users must not read" }),
      });
      expect(r.status).toBe(201);
      expect(statSync(join(p.dir, "data")).mode & 0o777).toBe(0o700);
      for (const f of [db, `${db}-wal`, `${db}-shm`]) expect([f, statSync(f).mode & 0o777]).toEqual([f, 0o600]);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
      rmSync(p.dir, { recursive: true, force: true });
    }
  });

  it("150 task-list queries spelled differently do not grow memory by hundreds of MB", async () => {
    const p = start({}, (dbPath) => {
      // 120 tasks with long descriptions: one page of the list is about 2.3 MB.
      const store = openStore({ path: dbPath, env: {}, logger: () => {} });
      const description = "d".repeat(19_000);
      store.transaction(() => {
        for (let i = 0; i < 120; i++) store.tasks.create({ title: `task ${i}`, description, actor: "seed" });
      });
      store.close();
    });
    try {
      const url = await p.listening();
      const warm = await fetch(`${url}/api/tasks?limit=500`);
      expect(((await warm.json()) as { tasks: unknown[] }).tasks).toHaveLength(120);
      const before = rssMb(p.child.pid!);
      for (let n = 0; n < 150; n++) {
        const r = await fetch(`${url}/api/tasks?limit=500&limit=${n}`);
        expect(r.status).toBe(200);
        await r.arrayBuffer();
      }
      const after = rssMb(p.child.pid!);
      console.info(
        `[hardening] RSS around 150 GET /api/tasks?limit=500&limit=<n>: ${before.toFixed(0)} → ${after.toFixed(0)} MB`,
      );
      // Before the fix one full body was kept per spelling of the query (the issue measured 101 → 703 MB).
      expect(after - before, `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB`).toBeLessThan(150);
      const head = await fetch(`${url}/api/events`, { method: "HEAD", signal: AbortSignal.timeout(5_000) });
      expect(head.status).toBe(200);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
      rmSync(p.dir, { recursive: true, force: true });
    }
  }, 180_000);
});
