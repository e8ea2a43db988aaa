import type { Agent, OutboxItem, Task, TaskEvent } from "@missionctl/mc-store";
import type { GatewayStatus } from "../gateway.js";

// The shapes the dashboard renders: what the API and the event stream send (types only, so the
// browser bundle imports nothing from the server).

export type { Agent, GatewayStatus, OutboxItem, Task, TaskEvent };

/** GET /api/openclaw/sessions (and the page's first paint from the cache). */
export interface SessionsView {
  source: "gateway" | "cache";
  stale?: boolean;
  gatewayState?: string;
  count?: number;
  sessions: Array<{ key: string; displayName?: unknown; label?: unknown; [field: string]: unknown }>;
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
  agents: Agent[];
  tasks: Task[];
  sessions: SessionsView;
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
}
