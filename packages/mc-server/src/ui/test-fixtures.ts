// Gateway text that would run if it reached a page as HTML, in the shapes the components render
// (shared by the page tests; not part of the build).
import type { ApprovalView, Failure, SessionView } from "./view-model.js";

export const EVIL = `<script>alert(1)</script><img src=x onerror="alert(2)">`;
export const failure: Failure = { kind: "no_model", reason: EVIL, fix: EVIL };
export const hostileSession: SessionView = {
  key: `agent:main:${EVIL}`,
  agentId: "main",
  title: EVIL,
  status: "failed",
  activeRunIds: [],
  phase: null,
  lastActivityAt: "2026-12-01T21:00:00.000Z",
  lastRunId: "r0",
  lastRunError: EVIL,
  lastRunStartedAt: null,
  lastRunEndedAt: null,
  lastRunMs: null,
  failure,
  tokens: { input: 12, output: 34, total: 46 },
  model: EVIL,
  taskId: "t-failed",
  preview: EVIL,
  createdAt: null,
};
export const hostileApproval: ApprovalView = {
  id: "ap1",
  kind: "exec",
  agentId: "main",
  sessionKey: hostileSession.key,
  taskId: "t-in_progress",
  runId: "r1",
  toolCallId: "c1",
  summary: EVIL,
  ask: { command: EVIL, cwd: EVIL, host: "gateway" },
  allowedDecisions: ["allow-once", "deny"],
  createdAt: null,
  expiresAt: null,
  details: true,
};
