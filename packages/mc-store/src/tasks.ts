import { randomUUID } from "node:crypto";
import type { Db } from "./db.js";
import { StoreError } from "./errors.js";
import {
  allowedTransitions,
  canTransition,
  isDispatchable,
  STATUSES_REQUIRING_AGENT,
  type TaskStatus,
} from "./lifecycle.js";
import { enqueueChatSend, supersedePending } from "./outbox.js";
import {
  actorOptionsSchema,
  createTaskSchema,
  dispatchOptionsSchema,
  idSchema,
  listTasksSchema,
  parseInput,
  statusSchema,
  transitionOptionsSchema,
  updateTaskSchema,
} from "./schemas.js";
import { ensureAgentExists, insertTaskEvent, loadTaskRow, TASK_COLUMNS, type TaskRow, toTask } from "./task-rows.js";
import type { OutboxItem, Task, TaskPriority } from "./types.js";

export interface CreateTaskInput {
  title: string;
  description?: string;
  priority?: TaskPriority;
  /** With an agent the task starts as `assigned`, else `inbox`. */
  assignedAgentId?: string | null;
  actor?: string;
  /**
   * Dispatch at once (needs `assignedAgentId`): the task is created in_progress with its
   * chat.send outbox item, in the same transaction — as create() then dispatch() would.
   */
  dispatch?: { message: string; sessionKey: string };
}

export interface UpdateTaskInput {
  title?: string;
  description?: string;
  priority?: TaskPriority;
  /** null unassigns; refused (AGENT_REQUIRED) while the status needs an agent. */
  assignedAgentId?: string | null;
}

export interface TransitionOptions {
  actor: string;
  reason?: string;
  payload?: unknown;
  /** Assign or reassign in the same transaction (required for inbox → assigned without an agent). */
  assignedAgentId?: string;
}

export interface ListTasksOptions {
  status?: TaskStatus | TaskStatus[];
  /** An agent id, or null for unassigned tasks. */
  agentId?: string | null;
  /** 1–500, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface TaskPage {
  /** Newest first. */
  items: Task[];
  nextCursor?: string;
}

export interface TasksRepo {
  create(input: CreateTaskInput): Task;
  get(id: string): Task;
  list(options?: ListTasksOptions): TaskPage;
  update(id: string, patch: UpdateTaskInput, options: { actor: string }): Task;
  delete(id: string, options: { actor: string }): void;
  /** Moves the task along the lifecycle and logs a `status_changed` event, in one transaction. */
  transition(id: string, to: TaskStatus, options: TransitionOptions): Task;
  /**
   * assigned|review|failed → in_progress, bumps `attempt`, records the session key and
   * enqueues the chat.send outbox item, all in one transaction.
   */
  dispatch(
    id: string,
    options: { actor: string; message: string; sessionKey: string },
  ): { task: Task; outbox: OutboxItem };
}

const DEFAULT_ACTOR = "system";

function encodeCursor(seq: number): string {
  return Buffer.from(`s:${seq}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match) {
    throw new StoreError("VALIDATION_FAILED", {
      subject: "list tasks",
      operation: "list tasks",
      reason: "cursor is not one this store returned",
      fix: "pass the nextCursor of the previous page unchanged, or omit it for the first page",
      issues: [{ path: "cursor", message: "is invalid", code: "custom" }],
    });
  }
  return Number(match[1]);
}

function invalidTransition(
  task: TaskRow,
  to: string,
  operation: string,
  allowed: readonly string[] = allowedTransitions(task.status as TaskStatus),
): StoreError {
  return new StoreError("INVALID_TRANSITION", {
    subject: `task ${task.id}`,
    operation,
    taskId: task.id,
    from: task.status,
    to,
    allowed,
    reason: `cannot go from ${task.status} to ${to}`,
    fix:
      allowed.length > 0
        ? `allowed from ${task.status}: ${allowed.join(", ")}`
        : `${task.status} is final; create a new task instead`,
  });
}

function agentRequired(task: TaskRow, to: string, operation: string): StoreError {
  return new StoreError("AGENT_REQUIRED", {
    subject: `task ${task.id}`,
    operation,
    taskId: task.id,
    from: task.status,
    to,
    reason: `status ${to} needs an assigned agent and the task has none`,
    fix: "pass assignedAgentId (an id from store.agents.list())",
  });
}

function dispatchedPayload(from: TaskStatus, attempt: number, outbox: OutboxItem): Record<string, unknown> {
  return {
    from,
    to: "in_progress",
    attempt,
    sessionKey: outbox.payload.sessionKey,
    outboxId: outbox.id,
    idempotencyKey: outbox.idempotencyKey,
  };
}

export function createTasksRepo(db: Db, now: () => number): TasksRepo {
  function loadTask(id: unknown, operation: string): TaskRow {
    return loadTaskRow(db, parseInput(idSchema, id, operation), operation);
  }

  function writeStatus(
    row: TaskRow,
    to: TaskStatus,
    agentId: string | null,
    at: number,
    extra: { attempt?: number; sessionKey?: string; reason?: string | null } = {},
  ): TaskRow {
    const next: TaskRow = {
      ...row,
      status: to,
      assigned_agent_id: agentId,
      updated_at: at,
      attempt: extra.attempt ?? row.attempt,
      session_key: extra.sessionKey ?? row.session_key,
      // Each status change states its own reason (or none): a stale one would mislabel the card.
      status_reason: extra.reason ?? null,
    };
    db.run(
      "update task status",
      "UPDATE tasks SET status = @status, assigned_agent_id = @agent, updated_at = @at, attempt = @attempt, " +
        "session_key = @sessionKey, status_reason = @reason WHERE seq = @seq",
      {
        status: to,
        agent: agentId,
        at,
        attempt: next.attempt,
        sessionKey: next.session_key,
        reason: next.status_reason,
        seq: row.seq,
      },
    );
    return next;
  }

  function supersede(row: TaskRow, to: TaskStatus, at: number): void {
    if (to === "in_progress" || to === "review") return;
    for (const item of supersedePending(
      db,
      row.id,
      `superseded: task moved from ${row.status} to ${to} before this dispatch was sent`,
      at,
    )) {
      db.notify({ type: "outbox.changed", item });
    }
  }

  return {
    create(input) {
      const data = parseInput(createTaskSchema, input, "create task");
      return db.transaction("create task", () => {
        const at = now();
        const agentId = data.assignedAgentId ?? null;
        if (agentId !== null) ensureAgentExists(db, agentId, "create task");
        else if (data.dispatch) {
          throw new StoreError("AGENT_REQUIRED", {
            subject: "create task",
            operation: "create task",
            to: "in_progress",
            reason: "dispatching a new task needs an assigned agent",
            fix: "pass assignedAgentId together with dispatch",
          });
        }
        const actor = data.actor ?? DEFAULT_ACTOR;
        const initial: TaskStatus = agentId === null ? "inbox" : "assigned";
        const row: TaskRow = {
          seq: 0,
          id: randomUUID(),
          title: data.title,
          description: data.description ?? "",
          priority: data.priority ?? "normal",
          // Created directly in its final state: one row write instead of insert + update.
          status: data.dispatch ? "in_progress" : initial,
          assigned_agent_id: agentId,
          session_key: data.dispatch?.sessionKey ?? null,
          created_at: at,
          updated_at: at,
          attempt: data.dispatch ? 1 : 0,
          status_reason: null,
        };
        db.run(
          "create task",
          "INSERT INTO tasks (id, title, description, priority, status, assigned_agent_id, session_key, created_at, " +
            "updated_at, attempt) " +
            "VALUES (@id, @title, @description, @priority, @status, @agent, @sessionKey, @at, @at, @attempt)",
          {
            id: row.id,
            title: row.title,
            description: row.description,
            priority: row.priority,
            status: row.status,
            agent: agentId,
            sessionKey: row.session_key,
            at,
            attempt: row.attempt,
          },
        );
        const createdEvent = insertTaskEvent(
          db,
          row.id,
          actor,
          "created",
          { status: initial, priority: row.priority, assignedAgentId: agentId },
          at,
        );
        const task = toTask(row);
        if (!data.dispatch || agentId === null) {
          db.notify({ type: "task.created", task, event: createdEvent });
          return task;
        }
        const outbox = enqueueChatSend(
          db,
          row.id,
          1,
          { sessionKey: data.dispatch.sessionKey, message: data.dispatch.message, agentId },
          at,
        );
        const event = insertTaskEvent(db, row.id, actor, "dispatched", dispatchedPayload(initial, 1, outbox), at);
        db.notify({
          type: "task.created",
          task: { ...task, status: initial, attempt: 0, sessionKey: null },
          event: createdEvent,
        });
        db.notify({ type: "task.status_changed", task, from: initial, to: "in_progress", event });
        db.notify({ type: "outbox.changed", item: outbox });
        return task;
      });
    },

    get(id) {
      return toTask(loadTask(id, "get task"));
    },

    list(options) {
      const opts = parseInput(listTasksSchema, options, "list tasks") ?? {};
      const limit = opts.limit ?? 50;
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: limit + 1 };
      if (opts.status !== undefined) {
        const statuses = Array.isArray(opts.status) ? [...new Set(opts.status)] : [opts.status];
        where.push(`status IN (${statuses.map((_, i) => `@s${i}`).join(", ")})`);
        for (const [i, status] of statuses.entries()) params[`s${i}`] = status;
      }
      if (opts.agentId === null) where.push("assigned_agent_id IS NULL");
      else if (opts.agentId !== undefined) {
        where.push("assigned_agent_id = @agent");
        params.agent = opts.agentId;
      }
      if (opts.cursor !== undefined) {
        where.push("seq < @cursor");
        params.cursor = decodeCursor(opts.cursor);
      }
      const sql = `SELECT ${TASK_COLUMNS} FROM tasks ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT @limit`;
      const rows = db.all<TaskRow>("list tasks", sql, params);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return rows.length > limit && last
        ? { items: page.map(toTask), nextCursor: encodeCursor(last.seq) }
        : { items: page.map(toTask) };
    },

    update(id, patch, options) {
      const taskId = parseInput(idSchema, id, "update task");
      const data = parseInput(updateTaskSchema, patch, "update task");
      const { actor } = parseInput(actorOptionsSchema, options, "update task");
      return db.transaction("update task", () => {
        const row = loadTaskRow(db, taskId, "update task");
        const next: TaskRow = { ...row };
        const changed: string[] = [];
        if (data.title !== undefined && data.title !== row.title) {
          next.title = data.title;
          changed.push("title");
        }
        if (data.description !== undefined && data.description !== row.description) {
          next.description = data.description;
          changed.push("description");
        }
        if (data.priority !== undefined && data.priority !== row.priority) {
          next.priority = data.priority;
          changed.push("priority");
        }
        if (data.assignedAgentId !== undefined && data.assignedAgentId !== row.assigned_agent_id) {
          if (data.assignedAgentId === null) {
            if (STATUSES_REQUIRING_AGENT.includes(row.status as TaskStatus))
              throw agentRequired(row, row.status, "update task");
          } else ensureAgentExists(db, data.assignedAgentId, "update task");
          next.assigned_agent_id = data.assignedAgentId;
          changed.push("assignedAgentId");
        }
        if (changed.length === 0) return toTask(row);
        const at = now();
        next.updated_at = at;
        db.run(
          "update task",
          "UPDATE tasks SET title = @title, description = @description, priority = @priority, assigned_agent_id = @agent, " +
            "updated_at = @at WHERE seq = @seq",
          {
            title: next.title,
            description: next.description,
            priority: next.priority,
            agent: next.assigned_agent_id,
            at,
            seq: row.seq,
          },
        );
        const payload: Record<string, unknown> = { fields: changed };
        if (changed.includes("assignedAgentId"))
          payload.assignedAgentId = { from: row.assigned_agent_id, to: next.assigned_agent_id };
        if (changed.includes("priority")) payload.priority = { from: row.priority, to: next.priority };
        const event = insertTaskEvent(db, row.id, actor, "updated", payload, at);
        const task = toTask(next);
        db.notify({ type: "task.updated", task, fields: changed, event });
        return task;
      });
    },

    delete(id, options) {
      const taskId = parseInput(idSchema, id, "delete task");
      const { actor } = parseInput(actorOptionsSchema, options, "delete task");
      db.transaction("delete task", () => {
        const row = loadTaskRow(db, taskId, "delete task");
        const at = now();
        // Its outbox items go with it (ON DELETE CASCADE); its events stay as the audit trail.
        db.run("delete task", "DELETE FROM tasks WHERE seq = @seq", { seq: row.seq });
        const event = insertTaskEvent(db, row.id, actor, "deleted", { title: row.title, status: row.status }, at);
        db.notify({ type: "task.deleted", taskId: row.id, event });
      });
    },

    transition(id, to, options) {
      const taskId = parseInput(idSchema, id, "transition task");
      const target = parseInput(statusSchema, to, "transition task");
      const opts = parseInput(transitionOptionsSchema, options, "transition task");
      return db.transaction("transition task", () => {
        const row = loadTaskRow(db, taskId, "transition task");
        if (!canTransition(row.status as TaskStatus, target)) throw invalidTransition(row, target, "transition task");
        let agentId = row.assigned_agent_id;
        if (opts.assignedAgentId !== undefined) {
          ensureAgentExists(db, opts.assignedAgentId, "transition task");
          agentId = opts.assignedAgentId;
        }
        // Back to the inbox means nobody owns it any more.
        if (target === "inbox") agentId = null;
        if (STATUSES_REQUIRING_AGENT.includes(target) && agentId === null)
          throw agentRequired(row, target, "transition task");
        const at = now();
        const next = writeStatus(row, target, agentId, at, { reason: opts.reason ?? null });
        supersede(row, target, at);
        const payload: Record<string, unknown> = { from: row.status, to: target };
        if (opts.reason !== undefined) payload.reason = opts.reason;
        if (agentId !== row.assigned_agent_id) payload.assignedAgentId = { from: row.assigned_agent_id, to: agentId };
        if (opts.payload !== undefined) payload.data = opts.payload;
        const event = insertTaskEvent(db, row.id, opts.actor, "status_changed", payload, at);
        const task = toTask(next);
        db.notify({ type: "task.status_changed", task, from: row.status as TaskStatus, to: target, event });
        return task;
      });
    },

    dispatch(id, options) {
      const taskId = parseInput(idSchema, id, "dispatch task");
      const opts = parseInput(dispatchOptionsSchema, options, "dispatch task");
      return db.transaction("dispatch task", () => {
        const row = loadTaskRow(db, taskId, "dispatch task");
        const from = row.status as TaskStatus;
        if (!isDispatchable(from)) {
          throw invalidTransition(row, "in_progress", "dispatch task");
        }
        const agentId = row.assigned_agent_id;
        if (agentId === null) throw agentRequired(row, "in_progress", "dispatch task");
        const at = now();
        const attempt = row.attempt + 1;
        const next = writeStatus(row, "in_progress", agentId, at, { attempt, sessionKey: opts.sessionKey });
        const outbox = enqueueChatSend(
          db,
          row.id,
          attempt,
          { sessionKey: opts.sessionKey, message: opts.message, agentId },
          at,
        );
        const event = insertTaskEvent(
          db,
          row.id,
          opts.actor,
          "dispatched",
          dispatchedPayload(from, attempt, outbox),
          at,
        );
        const task = toTask(next);
        db.notify({ type: "task.status_changed", task, from, to: "in_progress", event });
        db.notify({ type: "outbox.changed", item: outbox });
        return { task, outbox };
      });
    },
  };
}
