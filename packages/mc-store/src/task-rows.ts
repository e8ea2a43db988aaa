import type { Db } from "./db.js";
import { StoreError } from "./errors.js";
import type { TaskStatus } from "./lifecycle.js";
import { iso, parseJson } from "./time.js";
import type { Task, TaskEvent, TaskPriority } from "./types.js";

export interface TaskRow {
  seq: number;
  id: string;
  title: string;
  description: string;
  priority: string;
  status: string;
  assigned_agent_id: string | null;
  session_key: string | null;
  created_at: number;
  updated_at: number;
  attempt: number;
  status_reason: string | null;
}

export interface TaskEventRow {
  id: number;
  task_id: string;
  actor: string;
  type: string;
  payload: string;
  created_at: number;
}

export const TASK_COLUMNS =
  "seq, id, title, description, priority, status, assigned_agent_id, session_key, created_at, updated_at, attempt, status_reason";

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    priority: row.priority as TaskPriority,
    status: row.status as TaskStatus,
    assignedAgentId: row.assigned_agent_id,
    sessionKey: row.session_key,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    attempt: row.attempt,
    statusReason: row.status_reason,
  };
}

export function toTaskEvent(row: TaskEventRow): TaskEvent {
  return {
    id: row.id,
    taskId: row.task_id,
    actor: row.actor,
    type: row.type,
    payload: parseJson(row.payload),
    createdAt: iso(row.created_at),
  };
}

export function loadTaskRow(db: Db, id: string, operation: string): TaskRow {
  const row = db.get<TaskRow>(operation, `SELECT ${TASK_COLUMNS} FROM tasks WHERE id = @id`, { id });
  if (!row) {
    throw new StoreError("TASK_NOT_FOUND", {
      subject: `task ${id}`,
      operation,
      taskId: id,
      reason: "no task has this id",
      fix: "list tasks to find the right id; it may have been deleted",
    });
  }
  return row;
}

export function ensureAgentExists(db: Db, agentId: string, operation: string): void {
  const row = db.get<{ id: string }>(operation, "SELECT id FROM agents WHERE id = @id", { id: agentId });
  if (!row) {
    throw new StoreError("AGENT_NOT_FOUND", {
      subject: `agent ${agentId}`,
      operation,
      agentId,
      reason: "no agent has this id",
      fix: "sync agents from the gateway (agents.list) or pick an id from store.agents.list()",
    });
  }
}

/** Inserts one event row; the caller holds the transaction. */
export function insertTaskEvent(
  db: Db,
  taskId: string,
  actor: string,
  type: string,
  payload: unknown,
  now: number,
): TaskEvent {
  const json = JSON.stringify(payload ?? {});
  const result = db.run(
    "append task event",
    "INSERT INTO task_events (task_id, actor, type, payload, created_at) VALUES (@taskId, @actor, @type, @payload, @now)",
    { taskId, actor, type, payload: json, now },
  );
  return {
    id: Number(result.lastInsertRowid),
    taskId,
    actor,
    type,
    payload: JSON.parse(json) as unknown,
    createdAt: iso(now),
  };
}
