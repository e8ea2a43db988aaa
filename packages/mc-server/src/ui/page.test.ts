import { TASK_STATUSES } from "@missionctl/mc-store/lifecycle";
import { describe, expect, it } from "vitest";
import { renderLogin, renderPage } from "./page.js";
import { EVIL, failure, hostileApproval, hostileSession } from "./test-fixtures.js";
import type { AgentWithActivity, GatewayStatus, TaskWithFailure } from "./view-model.js";

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
const agent: AgentWithActivity = {
  id: "main",
  model: EVIL,
  activity: {
    state: "waiting_approval",
    working: [{ sessionKey: EVIL, title: EVIL, runId: "r1", taskId: "t-in_progress", phase: EVIL }],
    waitingApprovals: [{ id: "ap1", kind: "exec", summary: EVIL, sessionKey: EVIL, taskId: "t-in_progress" }],
    model: null,
    modelConfigured: false,
    modelFix: EVIL,
    lastRun: {
      runId: "r0",
      sessionKey: EVIL,
      taskId: null,
      outcome: "error",
      failure,
      startedAt: null,
      endedAt: null,
      durationMs: null,
    },
    source: "cache",
    asOf: "2026-12-01T21:00:00.000Z",
  },
  name: EVIL,
  emoji: EVIL,
  avatar: null,
  workspace: null,
  status: "idle",
  lastSeenAt: null,
  createdAt: "2026-12-01T21:00:00.000Z",
  updatedAt: "2026-12-01T21:00:00.000Z",
};
const task = (status: TaskWithFailure["status"], title = EVIL): TaskWithFailure => ({
  id: `t-${status}`,
  title,
  description: EVIL,
  priority: "normal",
  status,
  assignedAgentId: status === "inbox" ? null : "main",
  sessionKey: null,
  createdAt: "2026-12-01T21:00:00.000Z",
  updatedAt: "2026-12-01T21:00:00.000Z",
  attempt: 0,
  statusReason: EVIL,
  failure: status === "failed" ? failure : null,
});
const html = renderPage(
  {
    state: {
      status,
      agents: [agent],
      tasks: TASK_STATUSES.map((s) => task(s)),
      sessions: {
        source: "cache",
        stale: true,
        asOf: "2026-12-01T21:00:00.000Z",
        gatewayState: "error",
        sessions: [hostileSession],
      },
      approvals: { canResolve: true, hint: null, approvals: [hostileApproval] },
      model: { configured: false, managed: true, canConfigure: true, fix: EVIL },
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

  it("shows a session's status, tokens, failure and task, and the cache's age; links to its page", () => {
    const row = html.slice(html.indexOf('data-session-key="'));
    expect(row).toContain('data-status="failed"');
    expect(row).toContain("12 in · 34 out");
    expect(row).toContain('href="#task-t-failed"');
    expect(row).toContain(`href="/sessions/${encodeURIComponent(hostileSession.key).replace(/'/g, "&#39;")}"`);
    expect(html).toContain('data-testid="sessions-cache"');
    expect(html).toContain('datetime="2026-12-01T21:00:00.000Z"');
  });

  it("has one column per lifecycle status, in order, and the actions each status allows", () => {
    const columns = [...html.matchAll(/data-column="([a-z_]+)"/g)].map((m) => m[1]);
    expect(columns).toEqual([...TASK_STATUSES]);
    const actions = (s: string) => {
      const card = html.slice(html.indexOf(`id="task-t-${s}"`));
      const end = card.indexOf('<li class="card', 1);
      return [...card.slice(0, end === -1 ? undefined : end).matchAll(/data-action="([a-z-]+)"/g)].map((m) => m[1]);
    };
    expect(actions("inbox")).toEqual(["assign", "events", "delete"]);
    expect(actions("assigned")).toEqual(["assign", "dispatch", "events", "delete"]);
    // The run it waits on asks for an approval: Approve / Deny on the card.
    expect(actions("in_progress")).toEqual(["resolve-approval", "resolve-approval", "events", "delete"]);
    expect(actions("review")).toEqual(["done", "dispatch", "events", "delete"]);
    expect(actions("failed")).toEqual(["dispatch", "events", "delete"]);
    expect(actions("done")).toEqual(["events", "delete"]);
  });

  it("keeps the ids the browser code and the tests address", () => {
    for (const id of ["top-badge", "stream-state", "gateway-body", "diagnosis", "agents-body", "sessions-body"])
      expect(html).toContain(`id="${id}"`);
    for (const id of ["create-form", "new-title", "new-priority", "new-agent", "new-description", "board", "toast"])
      expect(html).toContain(`id="${id}"`);
    for (const id of ["model-body", "model-form", "failure-t-failed", "approval-ap1"])
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
