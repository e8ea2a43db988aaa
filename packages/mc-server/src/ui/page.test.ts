import { TASK_STATUSES } from "@missionctl/mc-store/lifecycle";
import { describe, expect, it } from "vitest";
import { renderLogin, renderPage } from "./page.js";
import type { Agent, GatewayStatus, Task } from "./view-model.js";

const EVIL = `<script>alert(1)</script><img src=x onerror="alert(2)">`;
const script = { src: "/assets/app.js?v=0123456789abcdef" };

const status: GatewayStatus = {
  state: "pairing_required",
  gatewayUrl: "wss://gateway.example.org",
  protocol: null,
  serverVersion: null,
  scopes: [],
  requestedScopes: ["operator.read"],
  deviceId: "a".repeat(64),
  client: { id: "cli", mode: "cli" },
  lastError: { code: "PAIRING_REQUIRED", detailCode: null, message: EVIL, hint: EVIL, layer: "connect" },
  pairing: {
    requestId: EVIL,
    approveCommand: `openclaw devices approve ${EVIL}`,
    deviceId: null,
    remoteIp: null,
    reason: null,
  },
  canApprovePairing: true,
  since: "2026-12-01T21:00:00.000Z",
};
const agent: Agent = {
  id: "main",
  name: EVIL,
  emoji: EVIL,
  avatar: null,
  workspace: null,
  status: "idle",
  model: null,
  lastSeenAt: null,
  createdAt: "2026-12-01T21:00:00.000Z",
  updatedAt: "2026-12-01T21:00:00.000Z",
};
const task = (status: Task["status"], title = EVIL): Task => ({
  id: `t-${status}`,
  title,
  description: EVIL,
  priority: "normal",
  status,
  assignedAgentId: status === "inbox" ? null : "main",
  sessionKey: null,
  statusReason: null,
  createdAt: "2026-12-01T21:00:00.000Z",
  updatedAt: "2026-12-01T21:00:00.000Z",
  attempt: 0,
});

const html = renderPage(
  {
    state: {
      status,
      agents: [agent],
      tasks: TASK_STATUSES.map((s) => task(s)),
      sessions: { source: "cache", gatewayState: "error", sessions: [{ key: "agent:main:x", displayName: EVIL }] },
    },
    version: "0.1.0",
    authRequired: true,
  },
  "bm9uY2U=",
  script,
);

describe("the dashboard page (server render)", () => {
  it("escapes every text the gateway or a user sent: no markup but the page's own", () => {
    expect(html).not.toContain("<img");
    expect(html.match(/<script/g)).toHaveLength(2); // the bundle and the JSON state
    expect(html).toContain(`<script src="${script.src}" defer=""></script>`);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // The initial state cannot end its <script type="application/json"> early.
    const json = html.slice(html.indexOf('id="initial-state">'));
    expect(json.slice(0, json.indexOf("</script>"))).not.toMatch(/<\/?script/i);
  });

  it("has one column per lifecycle status, in order, and the actions each status allows", () => {
    const columns = [...html.matchAll(/data-column="([a-z_]+)"/g)].map((m) => m[1]);
    expect(columns).toEqual([...TASK_STATUSES]);
    const actions = (s: string) => {
      const card = html.slice(html.indexOf(`id="task-t-${s}"`));
      return [...card.slice(0, card.indexOf("</li>")).matchAll(/data-action="([a-z-]+)"/g)].map((m) => m[1]);
    };
    expect(actions("inbox")).toEqual(["assign", "events", "delete"]);
    expect(actions("assigned")).toEqual(["assign", "dispatch", "events", "delete"]);
    expect(actions("in_progress")).toEqual(["events", "delete"]);
    expect(actions("review")).toEqual(["done", "dispatch", "events", "delete"]);
    expect(actions("failed")).toEqual(["dispatch", "events", "delete"]);
    expect(actions("done")).toEqual(["events", "delete"]);
  });

  it("keeps the ids the browser code and the tests address", () => {
    for (const id of ["top-badge", "stream-state", "gateway-body", "diagnosis", "agents-body", "sessions-body"])
      expect(html).toContain(`id="${id}"`);
    for (const id of ["create-form", "new-title", "new-priority", "new-agent", "new-description", "board", "toast"])
      expect(html).toContain(`id="${id}"`);
    expect(html).toContain('data-action="approve"');
    expect(html).toContain('data-action="logout"');
  });

  it("renders the login page with the same script and no inline code", () => {
    const login = renderLogin("bm9uY2U=", script, EVIL);
    expect(login).toContain('id="login-form"');
    expect(login).toContain("&lt;script&gt;");
    expect(login.match(/<script/g)).toHaveLength(1);
  });
});
