// The dashboard in Chromium against a real mc-server and a real OpenClaw gateway (tests/peer):
// login, pairing from the page, the board, live updates, escaping of gateway text, and the resync
// after the stream was down. One gateway and one browser for the file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, startServer } from "@missionctl/mc-server";
import { openStore } from "@missionctl/mc-store";
import { TASK_STATUSES } from "@missionctl/mc-store/lifecycle";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Peer } from "../../../tests/peer/peer.mjs";
import { sharedPeer } from "../../../tests/peer/shared-peer.mjs";
import { CHROMIUM_ARGS } from "./helpers.js";

const API_TOKEN = "dashboard-test-token-0123456789abcdef";
// Gateway text that would run if it reached the page as HTML: the stub model echoes the title.
const HOSTILE = `<script>window.__injected = "script"</script><img src="x" onerror="window.__injected = 'img'">`;

let peer: Peer;
let browser: Browser;
let page: Page;
let dir: string;
let env: Record<string, string>;
let server: Awaited<ReturnType<typeof startServer>>;
const scriptErrors: string[] = [];

const start = (port: number) =>
  startServer({
    env: { ...env, PORT: String(port) },
    logger: createLogger("warn", () => {}),
    gateway: { pairingPollMs: 1_000, retryInitialMs: 300, retryMaxMs: 2_000 },
    dispatcher: { pollMs: 250, retryInitialMs: 300, retryMaxMs: 2_000 },
  });

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) };
}

const card = (column: string, text: string) => page.locator(`[data-column="${column}"] .card`, { hasText: text });

beforeAll(async () => {
  // Loopback devices need approval, the agents answer through the stub model (shared with mc-server's gateway tests).
  peer = await sharedPeer("stub");
  dir = mkdtempSync(join(tmpdir(), "mc-dashboard-test-"));
  // cli/cli with a device identity: the gateway asks it to pair; operator.pairing lets the page approve.
  env = {
    HOME: dir,
    HOST: "127.0.0.1",
    DATABASE_PATH: join(dir, "mc.db"),
    MC_IDENTITY_DIR: join(dir, "identity"),
    MC_API_TOKEN: API_TOKEN,
    OPENCLAW_GATEWAY_URL: peer.url,
    OPENCLAW_GATEWAY_TOKEN: peer.token,
    MC_GATEWAY_CLIENT_ID: "cli",
    MC_GATEWAY_CLIENT_MODE: "cli",
    MC_GATEWAY_SCOPES: "operator.read,operator.write,operator.pairing",
  };
  server = await start(0);
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (e) => scriptErrors.push(String(e)));
  page.on("dialog", (d) => void d.accept());
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await peer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the dashboard in Chromium, against a real gateway", () => {
  it("serves its one script from 'self' under a strict CSP, with no inline script", async () => {
    const res = await page.goto(`${server.url}/`);
    const csp = res!.headers()["content-security-policy"]!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const scripts = await page.$$eval("script", (els) =>
      els.map((s) => ({ src: s.getAttribute("src"), type: s.getAttribute("type"), inline: !!s.textContent })),
    );
    expect(scripts).toEqual([
      { src: expect.stringMatching(/^\/assets\/app\.js\?v=[0-9a-f]{16}$/), type: null, inline: false },
    ]);
    const js = await fetch(server.url + scripts[0]!.src!);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("text/javascript");
    expect(js.headers.get("cache-control")).toContain("immutable");
  });

  it("asks for the API token: a wrong one is refused with the server's message, the right one opens the board", async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel("API token").fill("not-the-token");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator("#login-error", { hasText: "does not match MC_API_TOKEN" }).waitFor();
    await page.getByLabel("API token").fill(API_TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator("#board").waitFor();
    await page.getByText("live", { exact: true }).waitFor();
  });

  it("shows the pairing request and pairs the device with its Approve button", async () => {
    const pairing = page.getByTestId("pairing");
    await pairing.waitFor({ timeout: 60_000 });
    const requestId = await page.getByTestId("pairing-request-id").textContent();
    expect(requestId).toMatch(/\S/);
    await expect.poll(() => pairing.locator("pre").textContent()).toContain(requestId);
    await page.getByRole("button", { name: "Approve this device" }).click();
    await page.getByTestId("gateway-state").first().filter({ hasText: "Connected" }).waitFor({ timeout: 60_000 });
    await page.locator("#toast", { hasText: "Approved" }).waitFor();
    // After connecting the server syncs the agents: the panel and both pickers update live.
    await page.locator("#agents-body code", { hasText: "main" }).waitFor({ timeout: 30_000 });
    await page.locator("#new-agent option[value=main]").waitFor({ state: "attached" });
  });

  it("lays the board out in mc-store's lifecycle; created tasks show up, from the form and from elsewhere", async () => {
    const columns = await page
      .locator("#board [data-column]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-column")));
    expect(columns).toEqual([...TASK_STATUSES]);

    await page.getByLabel("Title").fill("Triage the inbox");
    await page.getByLabel("Agent", { exact: true }).selectOption("");
    await page.getByRole("button", { name: "Create task" }).click();
    await card("inbox", "Triage the inbox").waitFor();
    await page.locator("#toast", { hasText: "Task created" }).waitFor();
    expect(await page.getByLabel("Title").inputValue()).toBe("");

    // Another client's change arrives over the stream.
    const other = await call("POST", "/api/tasks", { title: "Created by another client", assignedAgentId: "main" });
    expect(other.status).toBe(201);
    await card("assigned", "Created by another client").waitFor();

    // Assigning from the card moves it to assigned; a refused action shows the server's message.
    const inbox = card("inbox", "Triage the inbox");
    await inbox.getByRole("combobox").selectOption("main");
    await card("assigned", "Triage the inbox")
      .getByRole("button", { name: /^Dispatch/ })
      .waitFor();
    await call("DELETE", `/api/tasks/${other.body.task.id}`);
    await card("assigned", "Created by another client").waitFor({ state: "detached" });
  });

  it("shows gateway text as text: a reply echoing <script> and <img onerror> runs nothing", async () => {
    await page.getByLabel("Title").fill(HOSTILE);
    await page.getByLabel("Agent", { exact: true }).selectOption("main");
    await page.getByRole("button", { name: "Create task" }).click();
    const assigned = card("assigned", "window.__injected");
    await assigned.getByRole("button", { name: /^Dispatch/ }).click();
    const reviewed = card("review", "window.__injected");
    await reviewed.waitFor({ timeout: 150_000 });
    await reviewed.getByRole("button", { name: "Events" }).click();
    const reply = reviewed.locator(".event-list li", { hasText: "run.reply" });
    await reply.waitFor();
    expect(await reply.textContent()).toContain(`STUB-REPLY: ${HOSTILE}`);
    expect(await reviewed.locator(".card-title").textContent()).toBe(HOSTILE);
    expect(await page.locator("#board img, #board script").count()).toBe(0);
    expect(await page.evaluate(() => (window as { __injected?: unknown }).__injected)).toBeUndefined();
  }, 240_000);

  it("reloads the state when the stream comes back: a change made while it was down shows up", async () => {
    const port = server.port;
    await server.close();
    await page.locator("#stream-state", { hasText: "reconnecting" }).waitFor();
    // Written straight to the database while no server runs: no event was ever sent for it.
    const store = openStore({ path: env.DATABASE_PATH!, logger: () => {} });
    store.tasks.create({ title: "Written while the server was down" });
    store.close();
    server = await start(port);
    await card("inbox", "Written while the server was down").waitFor({ timeout: 30_000 });
    await page.locator("#stream-state", { hasText: "live" }).waitFor();
    expect(scriptErrors).toEqual([]);
  }, 120_000);
});
