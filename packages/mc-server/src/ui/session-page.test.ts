import { describe, expect, it } from "vitest";
import { renderSessionPage } from "./page.js";
import { toHtml } from "./render.js";
import { SESSION_REGIONS } from "./session-regions.js";
import { EVIL, hostileApproval, hostileSession } from "./test-fixtures.js";
import type { GatewayStatus, SessionPageState } from "./view-model.js";

const script = { src: "/assets/app.js?v=0123456789abcdef" };
const status = { state: "connected" } as GatewayStatus;
const allowed = { allowed: true, scope: "operator.write", hint: null };

const state: SessionPageState = {
  key: hostileSession.key,
  status,
  detail: {
    session: hostileSession,
    activeRun: null,
    approvals: [hostileApproval],
    outbox: [],
    task: null,
    can: {
      send: allowed,
      abort: allowed,
      create: allowed,
      reset: { allowed: false, scope: "operator.admin", hint: EVIL },
      approve: { allowed: true, hint: null },
    },
  },
  messages: [
    {
      id: "m1",
      seq: 1,
      role: "assistant",
      runId: "r0",
      at: "2026-12-01T21:00:00.000Z",
      text: EVIL,
      toolCalls: [{ id: "c1", name: EVIL, summary: EVIL }],
      tool: null,
      stopReason: null,
      error: EVIL,
      model: null,
      usage: null,
    },
  ],
  hasMore: true,
  nextOffset: 50,
  live: {
    sessionKey: hostileSession.key,
    runId: "r1",
    agentId: "main",
    phase: EVIL,
    text: EVIL,
    tools: [
      {
        toolCallId: "c2",
        name: "exec",
        title: EVIL,
        status: "waiting_approval",
        summary: EVIL,
        output: EVIL,
        error: EVIL,
        approvalId: "ap1",
      },
    ],
    waitingApproval: "ap1",
    startedAt: "2026-12-01T21:00:00.000Z",
  },
  outcome: null,
  stopOutcome: EVIL,
  sending: EVIL,
};

describe("the session page (server render)", () => {
  const html = renderSessionPage(state, true, "bm9uY2U=", script);

  it("shows gateway text as text: transcript, live run, tools, approvals, failure", () => {
    expect(html).not.toContain("<img");
    expect(html.match(/<script/g)).toHaveLength(2); // the bundle and the JSON state
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const json = html.slice(html.indexOf('id="initial-session">'));
    expect(json.slice(0, json.indexOf("</script>"))).not.toMatch(/<\/?script/i);
  });

  it("has the composer, Stop, the older-page button, the live reply and the approval's buttons", () => {
    for (const id of [
      "session-page",
      "session-header",
      "session-status",
      "session-stop",
      "session-stop-outcome",
      "session-failure",
      "session-approvals",
      "transcript",
      "transcript-older",
      "live-run",
      "composer",
      "composer-message",
      "composer-send",
      "composer-status",
    ])
      expect(html).toContain(`id="${id}"`);
    expect(html).toContain('data-decision="allow-once"');
    expect(html).toContain('data-decision="deny"');
    // Reset needs operator.admin here: no button, the hint instead.
    expect(html).not.toContain('id="session-reset"');
  });

  it("each region renders alone, as the browser re-renders it, with the same escaping", () => {
    for (const region of Object.values(SESSION_REGIONS)) {
      const out = toHtml(region.view(state));
      expect(out).not.toContain("<img");
      expect(out).not.toContain("<script");
    }
  });
});
