// The session page in Chromium against a real mc-server and a real OpenClaw gateway (tests/peer)
// with the stub model: open a dispatched task's session from the Sessions panel, read its
// transcript, talk to it from the composer, Stop a long streaming run, approve an exec approval a
// real run asked for and deny another, keyboard use, a send retried after a lost answer, the
// cached list with the gateway unreachable. One gateway and one browser for the file.
import { join } from "node:path";
import { chatHistory, messageText } from "@missionctl/gateway-client";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Peer, startPeer } from "../../../tests/peer/peer.mjs";
import { CHROMIUM_ARGS, startTestServer, type TestServer, waitFor } from "./helpers.js";
import { type StubModel, startStubModel } from "./stub-model.js";

let peer: Peer;
let stub: StubModel;
let t: TestServer;
let browser: Browser;
let page: Page;
const scriptErrors: string[] = [];
// Set to write the README's screenshot (docs/session-page.png) from this run.
const SCREENSHOT = process.env.MC_DOCS_SCREENSHOTS === "1";

async function post(path: string, body: unknown = {}) {
  const res = await fetch(t.url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const transcript = () => page.locator("#transcript");
const focusedId = () => page.evaluate(() => document.activeElement?.id ?? "");
const focusRing = () =>
  page.evaluate(() => {
    const st = getComputedStyle(document.activeElement as Element);
    return { style: st.outlineStyle, width: st.outlineWidth };
  });
/** Tabs from the top of the page until the element with this id has the focus (at most 40 steps). */
async function tabTo(id: string): Promise<boolean> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.locator("body").focus();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    if ((await focusedId()) === id) return true;
  }
  return false;
}

async function send(text: string) {
  await page.getByLabel("Message", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator("#composer-status", { hasText: /^Sent\b/ }).waitFor();
}

beforeAll(async () => {
  stub = await startStubModel();
  // exec on the gateway host in ask mode: the stub's TOOL-EXEC run waits for an approval.
  peer = await startPeer({
    stubModelUrl: stub.url,
    startTimeoutMs: 240_000,
    config: { tools: { exec: { host: "gateway", mode: "ask" } } },
  });
  t = await startTestServer(
    {
      OPENCLAW_GATEWAY_URL: peer.url,
      OPENCLAW_GATEWAY_TOKEN: peer.token,
      MC_GATEWAY_SCOPES: "operator.read,operator.write,operator.approvals",
      LOG_LEVEL: "warn",
    },
    {
      gateway: { retryInitialMs: 300, retryMaxMs: 2_000 },
      dispatcher: { pollMs: 250, retryInitialMs: 300, retryMaxMs: 2_000 },
    },
  );
  await waitFor(async () => (await (await fetch(`${t.url}/api/openclaw/status`)).json()).state === "connected", {
    what: "connected",
    timeoutMs: 60_000,
  });
  await post("/api/agents/sync");
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on("pageerror", (e) => scriptErrors.push(String(e)));
  page.on("dialog", (d) => void d.accept());
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await peer?.stop();
  await stub?.close();
});

describe("the session page in Chromium, against a real gateway", () => {
  let sessionUrl = "";
  let sessionKey = "";

  it("opens a dispatched task's session from the Sessions panel and shows its transcript", async () => {
    const created = await post("/api/tasks", { title: "hello from the session page", assignedAgentId: "main" });
    const id = created.body.task.id as string;
    expect((await post(`/api/tasks/${id}/dispatch`)).status).toBe(202);
    const key = `agent:main:missionctl-task-${id}`;
    sessionKey = key;
    await page.goto(`${t.url}/`);
    const row = page.locator(`#sessions-body [data-session-key="${key}"]`);
    await row.waitFor({ timeout: 60_000 });
    // The agents panel names the model; the card links to its session once listed.
    await page.locator("#agent-main", { hasText: "stub/stub-model" }).waitFor({ timeout: 60_000 });
    await row.locator("a.session-link").click();
    await page.waitForURL(`**/sessions/${encodeURIComponent(key)}`);
    sessionUrl = page.url();
    await transcript()
      .locator('[data-role="assistant"]', { hasText: "STUB-REPLY: hello from the session page" })
      .waitFor({ timeout: 120_000 });
    await transcript().locator('[data-role="user"]', { hasText: "hello from the session page" }).waitFor();
    await page.locator("#session-header a", { hasText: "hello from the session page" }).waitFor();
    await page.locator("#session-status[data-status=idle]").waitFor({ timeout: 60_000 });
  }, 240_000);

  it("sends a message from the composer and shows the reply, live", async () => {
    await send("second message from the composer");
    await transcript()
      .locator('[data-role="assistant"]', { hasText: "STUB-REPLY: second message from the composer" })
      .waitFor({ timeout: 120_000 });
    // Survives a reload: the page's address is the session.
    await page.reload();
    await transcript()
      .locator('[data-role="assistant"]', { hasText: "STUB-REPLY: second message from the composer" })
      .waitFor({ timeout: 30_000 });
  }, 180_000);

  it("is keyboard-usable: Enter sends, Shift+Enter is a new line, Tab reaches Send and Stop with a visible focus", async () => {
    const box = page.getByLabel("Message", { exact: true });
    await box.focus();
    await page.keyboard.type("first line by keyboard");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("second line by keyboard");
    // Shift+Enter made a line break and sent nothing.
    expect(await box.inputValue()).toBe("first line by keyboard\nsecond line by keyboard");
    expect(await page.locator("#composer-status").textContent()).not.toContain("Sending");
    await page.keyboard.press("Enter");
    await page.locator("#composer-status", { hasText: /^Sent\b/ }).waitFor({ timeout: 30_000 });
    expect(await box.inputValue()).toBe("");
    await transcript()
      .locator('[data-role="user"]', { hasText: "second line by keyboard" })
      .waitFor({ timeout: 120_000 });
    await transcript()
      .locator('[data-role="assistant"]', { hasText: "STUB-REPLY: first line by keyboard" })
      .waitFor({ timeout: 120_000 });
    expect(stub.requests.filter((r) => r.text.includes("first line by keyboard"))).toHaveLength(1);
    // Tab from the message box reaches Send, drawn with the focus ring.
    await box.focus();
    await page.keyboard.press("Tab");
    expect(await focusedId()).toBe("composer-send");
    expect(await focusRing()).toMatchObject({ style: "solid", width: "3px" });
    // From the top of the page, Tab reaches Stop (before the transcript), focus ring too.
    expect(await tabTo("session-stop")).toBe(true);
    expect(await focusRing()).toMatchObject({ style: "solid", width: "3px" });
  }, 180_000);

  it("shows a long run streaming and Stop ends it as aborted", async () => {
    stub.chunkMs = 700;
    await send("SLOW-STREAM 60");
    await page.locator("#live-run", { hasText: "[chunk 2]" }).waitFor({ timeout: 120_000 });
    await page.locator("#session-status[data-status=running]").waitFor();
    if (SCREENSHOT)
      await page.screenshot({ path: join(import.meta.dirname, "../docs/session-page.png"), fullPage: false });
    // Stop by keyboard: Tab to it, Enter.
    expect(await tabTo("session-stop")).toBe(true);
    await page.keyboard.press("Enter");
    await page.locator("#session-stop-outcome", { hasText: "Stopped: run" }).waitFor({ timeout: 30_000 });
    await page.locator("#session-status[data-status=aborted]").waitFor({ timeout: 60_000 });
    await page.locator("#session-failure", { hasText: "aborted by the operator" }).waitFor();
    await expect.poll(() => page.locator("#live-run").count(), { timeout: 30_000 }).toBe(0);
    stub.chunkMs = 400;
  }, 180_000);

  it("shows an exec approval with its command and approves it from the page", async () => {
    await send("TOOL-EXEC: echo approved-in-chromium");
    const approval = page.locator("#session-approvals .approval", { hasText: "echo approved-in-chromium" });
    await approval.waitFor({ timeout: 120_000 });
    await expect(approval.locator("dd").first().textContent()).resolves.toContain("echo approved-in-chromium");
    await approval.getByRole("button", { name: "Approve once" }).click();
    await transcript()
      .locator('[data-role="assistant"]', { hasText: "exec said: approved-in-chromium" })
      .waitFor({ timeout: 120_000 });
    await expect.poll(() => page.locator("#session-approvals .approval").count(), { timeout: 30_000 }).toBe(0);
    // The tool call is one compact line in the transcript.
    await transcript().locator(".tool-call", { hasText: "echo approved-in-chromium" }).first().waitFor();
    expect(page.url()).toBe(sessionUrl);
  }, 240_000);

  it("denies an exec approval from the page; the agents panel shows the wait; the command never runs", async () => {
    await send("TOOL-EXEC: echo denied-in-chromium");
    const approval = page.locator("#session-approvals .approval", { hasText: "echo denied-in-chromium" });
    await approval.waitFor({ timeout: 120_000 });
    // The dashboard, in a second tab: the agent waits for this approval, in its session.
    const dash = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    try {
      await dash.goto(`${t.url}/`);
      const agent = dash.locator("#agent-main");
      await agent
        .locator("[data-testid=agent-state]", { hasText: "waiting for approval" })
        .waitFor({ timeout: 60_000 });
      await agent.locator("li.warn", { hasText: "echo denied-in-chromium" }).waitFor();
      if (SCREENSHOT)
        await dash
          .locator("section", { has: dash.locator("#agent-main") })
          .screenshot({ path: join(import.meta.dirname, "../docs/agents-panel.png") });
    } finally {
      await dash.close();
    }
    await approval.getByRole("button", { name: "Deny" }).click();
    await expect.poll(() => page.locator("#session-approvals .approval").count(), { timeout: 30_000 }).toBe(0);
    // The agent is told: the tool result is an error saying it was denied; then the stub replies.
    const denied = transcript()
      .locator('[data-role="tool"]', { hasText: /denied/i })
      .last();
    await denied.waitFor({ timeout: 120_000 });
    await denied.locator(".pill.status-failed", { hasText: "error" }).waitFor();
    expect(await denied.textContent()).not.toContain("denied-in-chromium\n");
    const toolResult = await waitFor(
      () => stub.requests.find((r) => r.text.includes("echo denied-in-chromium") && r.toolResult),
      { what: "the model told about the denial", timeoutMs: 60_000 },
    );
    expect(String(toolResult.toolResult)).toMatch(/denied/i);
  }, 240_000);

  it("a send whose answer was lost, sent again, reaches the gateway once (one Idempotency-Key)", async () => {
    const text = "composer retry after a lost answer";
    const keys: string[] = [];
    // The first answer never reaches the page: the request reaches mc-server, the browser sees a
    // network error. The retry carries the same key and gets the first answer back.
    await page.route("**/messages", async (route) => {
      keys.push(route.request().headers()["idempotency-key"] ?? "");
      if (keys.length === 1) {
        await route.fetch();
        await route.abort("connectionreset");
      } else await route.continue();
    });
    try {
      await page.getByLabel("Message", { exact: true }).fill(text);
      await page.getByRole("button", { name: "Send" }).click();
      await page.locator("#composer-status", { hasText: "Not sent" }).waitFor({ timeout: 30_000 });
      await page.getByRole("button", { name: "Send" }).click();
      await page.locator("#composer-status", { hasText: /^Sent\b/ }).waitFor({ timeout: 30_000 });
    } finally {
      await page.unroute("**/messages");
    }
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    await transcript()
      .locator('[data-role="assistant"]', { hasText: `STUB-REPLY: ${text}` })
      .waitFor({ timeout: 120_000 });
    // The gateway's own transcript (chat.history) and the model: once.
    const history = await chatHistory(t.server.ctx.gateway, { sessionKey, limit: 200 });
    const sentTexts = history.messages.filter((m) => m.role === "user" && messageText(m).includes(text));
    expect(sentTexts).toHaveLength(1);
    expect(stub.requests.filter((r) => r.text.includes(text))).toHaveLength(1);
  }, 180_000);

  it("with the gateway unreachable, the Sessions panel says the list is the last known one and when it was taken", async () => {
    // The same database, a gateway address nothing listens on: no gateway restart needed.
    await t.close({ keepDir: true });
    const dead = await freePort();
    t = await startTestServer(
      { OPENCLAW_GATEWAY_URL: `ws://127.0.0.1:${dead}`, OPENCLAW_GATEWAY_TOKEN: peer.token, LOG_LEVEL: "warn" },
      { gateway: { retryInitialMs: 300, retryMaxMs: 2_000 } },
      { dir: t.dir },
    );
    await page.goto(`${t.url}/`);
    const note = page.locator("[data-testid=sessions-cache]");
    await note.waitFor({ timeout: 30_000 });
    expect(await note.textContent()).toMatch(
      /Last known list, taken .+ — the gateway is (connecting|error|not connected)/,
    );
    expect(await note.locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Still listed, from the cache: the task's session.
    await page.locator(`#sessions-body [data-session-key="${sessionKey}"]`).waitFor();
    await page.goto(`${t.url}/sessions/${encodeURIComponent(sessionKey)}`);
    await page.locator("#session-header .warn", { hasText: "the gateway is down: last known state" }).waitFor();
    expect(scriptErrors).toEqual([]);
  }, 120_000);
});
