// The README's run command: with no OPENCLAW_GATEWAY_URL, scripts/start.mjs starts mc-server,
// which runs the pinned local gateway itself and connects to it; SIGTERM stops both. Without a
// model the dashboard says what to do; with one in the environment (here an OpenAI-compatible
// stub on loopback, as a local Ollama would be) a dispatched task gets the agent's reply. The
// gateway's token, config and state survive a restart.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS } from "../../packages/mc-server/tests/helpers.js";
import { type StubModel, startStubModel } from "../../packages/mc-server/tests/stub-model.js";
import { freePort } from "../peer/peer.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const serverBin = join(root, "packages", "mc-server", "dist", "bin.js");

describe.skipIf(!existsSync(serverBin))("scripts/start.mjs (the README's run command)", () => {
  const dir = mkdtempSync(join(tmpdir(), "missionctl-start-"));
  let child: ChildProcess | undefined;
  let output = "";
  let stub: StubModel | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child!.once("exit", r));
    }
    await stub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(port: number, extra: Record<string, string> = {}) {
    // A test that failed before its stop() leaves its server running: stop it, or both share the dir.
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child!.once("exit", r));
    }
    output = "";
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: join(dir, "home"),
      XDG_DATA_HOME: join(dir, "data"),
      PORT: String(port),
      DATABASE_PATH: join(dir, "data", "mc.db"),
      MC_IDENTITY_DIR: join(dir, "identity"),
      ...(process.env.MISSIONCTL_PEER_CACHE ? { MISSIONCTL_PEER_CACHE: process.env.MISSIONCTL_PEER_CACHE } : {}),
      ...extra,
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
    return status;
  }

  async function stop() {
    child!.kill("SIGTERM");
    const started = Date.now();
    const code = await new Promise<number | null>((r) => child!.once("exit", (c) => r(c)));
    expect(code, `${output}\n(stopped after ${Date.now() - started} ms)`).toBe(0);
  }

  const api = async (port: number, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  /** Creates a task for main, dispatches it and waits until it is in review or failed (3 minutes at most). */
  async function dispatchAndSettle(port: number, title: string) {
    const created = await api(port, "/api/tasks", { title, assignedAgentId: "main" });
    expect(created.status).toBe(201);
    const id = created.body.task.id as string;
    expect((await api(port, `/api/tasks/${id}/dispatch`, {})).status).toBe(202);
    let task: { status?: string } = {};
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && task.status !== "review" && task.status !== "failed") {
      await new Promise((r) => setTimeout(r, 1000));
      task = (await api(port, `/api/tasks/${id}`)).body.task;
    }
    return { id, task };
  }

  it("without a model: connected, the dashboard says how to give the agent one and its form does; SIGTERM stops both", async () => {
    const port = await freePort();
    const status = await start(port);
    expect(status.gatewayUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(status.serverVersion).toBe("2026.9.6");

    const local = await api(port, "/api/local-gateway");
    expect(local.body).toMatchObject({ managed: true, state: "running", version: "2026.9.6" });
    expect(local.body.model.configured).toBe(false);
    expect(local.body.model.fix).toMatch(/OPENAI_API_KEY/);
    expect(local.body.model.fix).toMatch(/MC_MODEL_BASE_URL/);
    const model = await api(port, "/api/model");
    expect(model.body).toMatchObject({ configured: false, managed: true, canConfigure: true });
    expect(output).toContain("the local gateway's agent has no model");

    // The generated token is kept 0600 and never printed.
    const tokenFile = join(dir, "data", "missionctl", "local-gateway", "token");
    expect(statSync(tokenFile).mode & 0o077).toBe(0);
    const token = readFileSync(tokenFile, "utf8").trim();
    expect(output).not.toContain(token);
    expect(output).toContain("OPENCLAW_GATEWAY_URL");

    // In Chromium: the notice and its form. A bad model is refused with what to fix; a good one
    // (the stub, as a local Ollama would be) is what the agent's next run uses.
    stub = await startStubModel();
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const scriptErrors: string[] = [];
      page.on("pageerror", (e) => scriptErrors.push(String(e)));
      await page.goto(`http://127.0.0.1:${port}/`);
      const notice = page.locator("#model-notice");
      await notice.waitFor({ timeout: 30_000 });
      expect(await notice.textContent()).toMatch(/no model/);
      await notice.getByLabel(/^Model/).fill("llama3.2");
      await notice.getByRole("button", { name: "Give the agent this model" }).click();
      const toast = page.locator("#toast");
      await toast.filter({ hasText: "without baseUrl, model must be a provider/model ref" }).waitFor();
      expect(await toast.textContent()).toMatch(/fix the listed fields/);
      await notice.getByLabel(/^OpenAI-compatible server URL/).fill(stub.url);
      await notice.getByLabel(/^Model/).fill("stub-form-model");
      await notice.getByRole("button", { name: "Give the agent this model" }).click();
      await toast.filter({ hasText: "Model set" }).waitFor();
      const set = await api(port, "/api/local-gateway");
      expect(set.body.model).toMatchObject({ primary: "local/stub-form-model", source: "dashboard" });
      expect(JSON.stringify(set.body)).not.toContain(token);
      // The agent's card shows the new model at once (no reload, no manual sync) ...
      await page
        .locator("#agent-main .activity code", { hasText: "local/stub-form-model" })
        .waitFor({ timeout: 15_000 });
      const agents = await api(port, "/api/agents");
      expect(agents.body.agents.find((a: { id: string }) => a.id === "main")?.activity?.model).toBe(
        "local/stub-form-model",
      );
      // ... and the agent's next run goes to that model, without a restart.
      const { id: taskId, task: after } = await dispatchAndSettle(port, "hello from the model form");
      expect(after.status, JSON.stringify(after)).toBe("review");
      const asked = stub.requests.filter((r) => r.text.includes("hello from the model form"));
      expect(asked.map((r) => r.model)).toContain("stub-form-model");
      // The task's session page names the model its run used.
      await page.goto(
        `http://127.0.0.1:${port}/sessions/${encodeURIComponent(`agent:main:missionctl-task-${taskId}`)}`,
      );
      await page.locator("#session-header dd code", { hasText: "stub-form-model" }).waitFor({ timeout: 30_000 });
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.locator("#model-body").waitFor({ state: "attached" });
      expect(await page.locator("#model-notice").count()).toBe(0);
      expect(scriptErrors).toEqual([]);
    } finally {
      await browser.close();
    }

    await stop();
    const gatewayPort = Number(status.gatewayUrl!.split(":").pop());
    await expect(
      fetch(`http://127.0.0.1:${gatewayPort}/healthz`, { signal: AbortSignal.timeout(2000) }),
    ).rejects.toThrow();
  }, 300_000);

  it("with MC_MODEL_BASE_URL + MC_MODEL: same token and state, and a dispatched task gets the agent's reply", async () => {
    stub ??= await startStubModel();
    const tokenFile = join(dir, "data", "missionctl", "local-gateway", "token");
    const tokenBefore = readFileSync(tokenFile, "utf8");
    const port = await freePort();
    await start(port, { MC_MODEL_BASE_URL: stub.url, MC_MODEL: "stub-model", MC_MODEL_API_KEY: "stub-secret-key" });
    expect(readFileSync(tokenFile, "utf8")).toBe(tokenBefore);
    const local = await api(port, "/api/local-gateway");
    expect(local.body.model).toMatchObject({ configured: true, primary: "local/stub-model", source: "env" });
    // The key stays in the environment: the config on disk refers to it.
    const config = readFileSync(join(dir, "data", "missionctl", "local-gateway", "state", "openclaw.json"), "utf8");
    expect(config).not.toContain("stub-secret-key");
    expect(config).toContain("${MC_MODEL_API_KEY}");

    const agents = await api(port, "/api/agents/sync", {});
    expect(agents.body.agents.map((a: { id: string }) => a.id)).toContain("main");
    const { task } = await dispatchAndSettle(port, "hello from the run command");
    expect(task.status, output).toBe("review");
    expect(stub.requests.some((r) => r.text.includes("hello from the run command"))).toBe(true);
    await stop();
  }, 360_000);
});
