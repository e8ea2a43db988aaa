import type { TaskStatus } from "./lifecycle.js";

export type TaskPriority = "low" | "normal" | "high" | "urgent";

/** Timestamps are ISO 8601 strings (UTC, millisecond precision). */
export interface Agent {
  id: string;
  name: string | null;
  emoji: string | null;
  avatar: string | null;
  workspace: string | null;
  status: string;
  /** The agent's primary model as the gateway last reported it ("provider/model"). */
  model: string | null;
  lastSeenAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Task {
  id: string;
  title: string;
  description: string;
  priority: TaskPriority;
  status: TaskStatus;
  assignedAgentId: string | null;
  /** The gateway session the task was last dispatched to. */
  sessionKey: string | null;
  /** Why the task reached its current status (the gateway's message for a failed run, …); null if none was given. */
  statusReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** How many times the task has been dispatched; part of the outbox idempotency key. */
  attempt: number;
}

export interface TaskEvent {
  id: number;
  taskId: string;
  actor: string;
  type: string;
  payload: unknown;
  createdAt: string;
}

export type OutboxState = "pending" | "sent" | "acknowledged" | "failed";

export interface ChatSendPayload {
  sessionKey: string;
  message: string;
  agentId: string;
}

export interface OutboxItem {
  id: number;
  /** The task this delivery dispatches; null for a message an operator sent into a session. */
  taskId: string | null;
  /** The session the message goes to (also `payload.sessionKey`). */
  sessionKey: string;
  /**
   * Pass it to chat.send. A dispatch: `missionctl-task-<taskId>-dispatch-<attempt>`, stable per
   * task and attempt; a session message: `missionctl-msg-<client key>`.
   */
  idempotencyKey: string;
  kind: "chat.send";
  payload: ChatSendPayload;
  state: OutboxState;
  /** How many times the message reached the gateway (claims and failed sends do not count). */
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  leaseOwner: string | null;
  leaseUntil: string | null;
  runId: string | null;
  /** What markAcknowledged recorded. */
  result: unknown;
  createdAt: string;
  updatedAt: string;
  /** The key of the latest chat.send: `idempotencyKey`, or `<idempotencyKey>-r<n>` after n re-deliveries. */
  sendKey: string;
  /** How many times the delivery was sent again under a new key after its turn ended without a reply. */
  redeliveries: number;
  /** The gateway boot (hello-ok server.bootId) that last accepted it, if known. */
  gatewayBoot: string | null;
  /** When it last reached the gateway. */
  sentAt: string | null;
}

export interface CachedSession {
  key: string;
  agentId: string | null;
  label: string | null;
  /** The session object as the gateway's sessions.list returned it. */
  data: Record<string, unknown>;
  gatewayUpdatedAt: string | null;
  cachedAt: string;
}

export interface GatewayHistoryEntry {
  id: number;
  state: string;
  code: string | null;
  detailCode: string | null;
  message: string | null;
  at: string;
}

/** Delivered to `store.onChange` listeners after the transaction that made the change commits. */
export type StoreChange =
  | { type: "task.created"; task: Task; event: TaskEvent }
  | { type: "task.updated"; task: Task; fields: string[]; event: TaskEvent }
  | { type: "task.status_changed"; task: Task; from: TaskStatus; to: TaskStatus; event: TaskEvent }
  | { type: "task.deleted"; taskId: string; event: TaskEvent }
  | { type: "task_event.appended"; event: TaskEvent }
  | { type: "outbox.changed"; item: OutboxItem }
  | { type: "agents.changed"; ids: string[] }
  | { type: "sessions.changed"; count: number }
  | { type: "gateway.recorded"; entry: GatewayHistoryEntry };
