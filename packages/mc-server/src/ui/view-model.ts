import type { Agent, OutboxItem, Task, TaskEvent } from "@missionctl/mc-store";
import type { AgentActivity } from "../agent-status.js";
import type { ApprovalView } from "../approvals.js";
import type { Failure } from "../failures.js";
import type { GatewayStatus } from "../gateway.js";
import type { LiveRun, LiveTool } from "../sessions/live-runs.js";
import type { SessionView } from "../sessions/session-index.js";
import type { MessageView } from "../sessions/transcript.js";

// The shapes the dashboard renders: what the API and the event stream send (types only, so the
// browser bundle imports nothing from the server).

export type {
  Agent,
  AgentActivity,
  ApprovalView,
  Failure,
  GatewayStatus,
  LiveRun,
  LiveTool,
  MessageView,
  OutboxItem,
  SessionView,
  Task,
  TaskEvent,
};

/** An agent with its status (GET /api/agents, SSE `agent`); `activity` is absent only in old data. */
export type AgentWithActivity = Agent & { activity?: AgentActivity };

/** A task as the API sends it: when failed, its reason and fix. */
export type TaskWithFailure = Task & { failure?: Failure | null };

/** GET /api/sessions (and the page's first paint from the live index). */
export interface SessionsView {
  source: "gateway" | "cache";
  stale?: boolean;
  /** When the list was taken from the gateway. */
  asOf?: string | null;
  gatewayState?: string;
  count?: number;
  sessions: SessionView[];
}

/** What this server may do, with the scope and the hint when it may not (GET /api/sessions `can`). */
export interface Capability {
  allowed: boolean;
  scope?: string;
  hint: string | null;
}
export interface SessionCapabilities {
  send: Capability;
  abort: Capability;
  create: Capability;
  reset: Capability;
  approve: Capability;
}

/** GET /api/approvals. */
export interface ApprovalsView {
  canResolve: boolean;
  requiredScope?: string;
  hint: string | null;
  approvals: ApprovalView[];
}

/** GET /api/model: can the agent run, and what to do when it cannot. */
export interface ModelView {
  configured: boolean | null;
  managed: boolean;
  canConfigure: boolean;
  fix: string | null;
}

/** GET /api/sessions/:key. */
export interface SessionDetail {
  session: SessionView | null;
  activeRun: LiveRun | null;
  approvals: ApprovalView[];
  outbox: Array<{ id: number; idempotencyKey: string; state: string; lastError: string | null; message: string }>;
  task: TaskWithFailure | null;
  can: SessionCapabilities;
  source?: string;
  asOf?: string | null;
}

/** GET /api/sessions/:key/messages. */
export interface MessagePage {
  messages: MessageView[];
  hasMore: boolean;
  nextOffset: number | null;
  totalMessages: number | null;
}

/** How the last run in a session ended, as its stream said (`session.run`). */
export interface RunOutcome {
  runId: string;
  state: "running" | "waiting_approval" | "done" | "failed" | "aborted";
  failure?: Failure | null;
}

/** Everything the session page shows; the server paints the first part, the browser the rest. */
export interface SessionPageState {
  key: string;
  status: GatewayStatus;
  detail: SessionDetail;
  /** The transcript, oldest first ("loading" until the first page arrives; a string: why it could not be read). */
  messages: MessageView[] | "loading" | string;
  hasMore: boolean;
  nextOffset: number | null;
  live: LiveRun | null;
  outcome: RunOutcome | null;
  /** The answer to the last Stop. */
  stopOutcome: string | null;
  /** The composer's delivery line. */
  sending: string | null;
}

/** The live text of a task's run (the `run` stream event). */
export interface RunProgress {
  taskId: string;
  runId: string | null;
  state: string;
  text: string;
}

/** A doctor report as GET /api/openclaw/diagnose returns it. */
export interface DiagnosisView {
  ok: boolean;
  failedStep?: string;
  skipped?: string[];
  steps: Array<{ step: string; ok: boolean; ms: number; detail: string; warning?: string; hint?: string }>;
}

/** GET /api/tasks/:id/events. */
export interface TaskEventsView {
  events: TaskEvent[];
  outbox: Array<Pick<OutboxItem, "idempotencyKey" | "state" | "attempts" | "lastError">>;
}

/** Everything the page shows; the server paints it first, the browser keeps it current. */
export interface DashboardState {
  status: GatewayStatus;
  agents: AgentWithActivity[];
  tasks: TaskWithFailure[];
  sessions: SessionsView;
  approvals: ApprovalsView;
  model: ModelView | null;
  /** Run progress by task id. */
  live: Record<string, RunProgress>;
  /** The last diagnosis, or a line about it (running, or why it could not run). */
  diagnosis?: DiagnosisView | string;
  /** Task ids whose event list is open. */
  openEvents: Record<string, TaskEventsView | "loading">;
}

/** The events of GET /api/events and their data. */
export interface StreamEvents {
  hello: { gateway: GatewayStatus; at: string };
  gateway: GatewayStatus;
  task: Task;
  "task.deleted": { id: string };
  "task.event": TaskEvent;
  agents: { ids?: string[] };
  sessions: { count?: number; changed?: boolean };
  run: RunProgress;
  session: SessionView | { key: string; deleted: true };
  agent: AgentWithActivity;
  approval: ApprovalView;
  "approval.resolved": { id: string; kind: string; decision: string; sessionKey: string | null };
  "session.delta": { sessionKey: string; runId: string; seq: number; text: string; at: string };
  "session.tool": LiveTool & { sessionKey: string; runId: string };
  "session.run": RunOutcome & { sessionKey: string; phase?: string | null; text?: string };
  "session.message": { sessionKey: string; message: MessageView };
  "local-gateway": unknown;
}
