import { TASK_STATUSES } from "@missionctl/mc-store";
import type { Hono } from "hono";
import * as z from "zod";
import type { AppContext, Task } from "../context.js";
import { taskSessionKey } from "../context.js";
import { ApiError } from "../errors.js";
import { jsonResponse, parseBody, readJson } from "../http.js";
import { mutate } from "../idempotency.js";
import { presentTask } from "../task-view.js";

const priority = z.enum(["low", "normal", "high", "urgent"]);
const agentId = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

const CreateTask = z.strictObject({
  title: z.string().trim().min(1, "is required").max(200, "must be at most 200 characters"),
  description: z.string().max(20_000, "must be at most 20000 characters").optional(),
  priority: priority.optional(),
  assignedAgentId: agentId.nullish(),
});

const PatchTask = z
  .strictObject({
    title: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters").optional(),
    description: z.string().max(20_000, "must be at most 20000 characters").optional(),
    priority: priority.optional(),
    assignedAgentId: agentId.nullable().optional(),
    status: z.enum(TASK_STATUSES).optional(),
    reason: z.string().max(2_000, "must be at most 2000 characters").optional(),
  })
  .refine(
    (p) => Object.entries(p).some(([k, v]) => k !== "reason" && v !== undefined),
    "must change at least one field",
  );

const DispatchBody = z.strictObject({
  message: z.string().trim().min(1, "must not be empty").max(100_000, "must be at most 100000 characters").optional(),
});

const ListQuery = z.strictObject({
  status: z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean)
        : undefined,
    )
    .pipe(z.array(z.enum(TASK_STATUSES)).optional()),
  agentId: agentId.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(64).optional(),
});

/**
 * The task list cache's key: what the query means, not how it was spelled, so repeated or
 * reordered parameters (`?limit=500&limit=<n>`) share one entry instead of each adding a body.
 */
function taskListKey(status: string[] | undefined, q: { agentId?: string; limit?: number; cursor?: string }): string {
  return JSON.stringify([status ?? null, q.agentId ?? null, q.limit ?? null, q.cursor ?? null]);
}
const FIRST_PAGE_KEY = taskListKey(undefined, {});

/** GET /api/tasks without a query, when its body is cached (for the Node fast lane, fast-lane.ts). */
export function cachedFirstTaskPage(ctx: AppContext): { status: number; body: string } | undefined {
  const body = ctx.taskListCache.get(FIRST_PAGE_KEY);
  return body === undefined ? undefined : { status: 200, body };
}

/** The brief an agent receives: the task as written, and how it will be followed. */
export function taskBrief(task: Task): string {
  const lines = [`# ${task.title}`, ""];
  if (task.description.trim()) lines.push(task.description.trim(), "");
  lines.push(
    `Priority: ${task.priority}. Task ${task.id} from Mission Control; your reply in this session is recorded on the task.`,
  );
  return lines.join("\n");
}

type PatchInput = z.output<typeof PatchTask>;

/** A PATCH's field changes and status move; the caller holds the transaction. */
function patchTask(ctx: AppContext, id: string, body: PatchInput): Task {
  const { store } = ctx;
  let task = store.tasks.get(id);
  const { status, reason, ...fields } = body;
  const actor = { actor: "api" };
  const assign = fields.assignedAgentId;
  const hasFields = Object.values(fields).some((v) => v !== undefined);
  if (status && status !== task.status) {
    // Status and assignee together (inbox → assigned with an agent) are one move.
    const { assignedAgentId: _a, ...rest } = fields;
    if (Object.values(rest).some((v) => v !== undefined)) task = store.tasks.update(id, rest, actor);
    task = store.tasks.transition(id, status, {
      ...actor,
      ...(reason ? { reason } : {}),
      ...(assign ? { assignedAgentId: assign } : {}),
    });
    if (assign === null) task = store.tasks.update(id, { assignedAgentId: null }, actor);
  } else if (assign && task.status === "inbox") {
    const { assignedAgentId: _a, ...rest } = fields;
    if (Object.values(rest).some((v) => v !== undefined)) task = store.tasks.update(id, rest, actor);
    task = store.tasks.transition(id, "assigned", { ...actor, assignedAgentId: assign });
  } else if (assign === null && task.status === "assigned") {
    task = store.tasks.transition(id, "inbox", { ...actor, reason: reason ?? "unassigned" });
    task = store.tasks.update(id, fields, actor);
  } else if (hasFields) {
    task = store.tasks.update(id, fields, actor);
  }
  return task;
}

export function registerTaskRoutes(app: Hono, ctx: AppContext): void {
  const { store } = ctx;

  app.get("/api/tasks", (c) => {
    const q = parseBody(ListQuery, c.req.query(), "query");
    const status = q.status ? [...new Set(q.status)].sort() : undefined;
    const key = taskListKey(status, q);
    const cached = ctx.taskListCache.get(key);
    if (cached !== undefined) return jsonResponse(cached);
    const page = store.tasks.list({
      ...(status ? { status: status.length === 1 ? status[0]! : status } : {}),
      ...(q.agentId ? { agentId: q.agentId } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    } as never);
    const body = JSON.stringify({
      tasks: page.items.map((t) => presentTask(ctx, t)),
      nextCursor: page.nextCursor ?? null,
    });
    ctx.taskListCache.set(key, body);
    return jsonResponse(body);
  });

  app.post("/api/tasks", async (c) => {
    const body = await readJson(c, CreateTask);
    // One transaction: created directly as "assigned" when an agent is given, never an orphan in the inbox.
    return mutate(c, ctx, () => {
      const task = store.tasks.create({
        title: body.title,
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.priority ? { priority: body.priority } : {}),
        ...(body.assignedAgentId ? { assignedAgentId: body.assignedAgentId } : {}),
        actor: "api",
      });
      return {
        body: JSON.stringify({ task: presentTask(ctx, task) }),
        status: 201,
        headers: { location: `/api/tasks/${task.id}` },
      };
    });
  });

  app.get("/api/tasks/:id", (c) => {
    const task = store.tasks.get(c.req.param("id"));
    return jsonResponse(
      JSON.stringify({ task: presentTask(ctx, task), approvals: ctx.approvals.list({ taskId: task.id }) }),
    );
  });

  app.patch("/api/tasks/:id", async (c) => {
    const id = c.req.param("id");
    const body = await readJson(c, PatchTask);
    return mutate(c, ctx, () => ({ body: JSON.stringify({ task: presentTask(ctx, patchTask(ctx, id, body)) }) }));
  });

  app.delete("/api/tasks/:id", (c) => {
    return mutate(c, ctx, () => {
      store.tasks.delete(c.req.param("id"), { actor: "api" });
      return { body: "", status: 204 };
    });
  });

  app.post("/api/tasks/:id/dispatch", async (c) => {
    const id = c.req.param("id");
    const body = await readJson(c, DispatchBody, { optional: true });
    const task = store.tasks.get(id);
    if (!task.assignedAgentId) {
      throw new ApiError(
        409,
        "AGENT_REQUIRED",
        `[mc-server] task ${id}: no agent is assigned`,
        'assign an agent first (PATCH {"assignedAgentId":"main"}), then dispatch',
      );
    }
    const connected = ctx.gateway.state === "connected";
    const res = mutate(c, ctx, () => {
      const result = store.tasks.dispatch(id, {
        actor: "api",
        message: body.message ?? taskBrief(task),
        sessionKey: taskSessionKey(task.assignedAgentId!, id),
      });
      return {
        status: 202,
        body: JSON.stringify({
          task: presentTask(ctx, result.task),
          outbox: {
            id: result.outbox.id,
            idempotencyKey: result.outbox.idempotencyKey,
            state: result.outbox.state,
            sessionKey: result.outbox.payload.sessionKey,
          },
          delivery: connected
            ? "sending"
            : `queued: the gateway is ${ctx.gateway.state}; it is sent once the connection is up`,
        }),
      };
    });
    ctx.kickDispatcher();
    return res;
  });

  app.get("/api/tasks/:id/events", (c) => {
    const id = c.req.param("id");
    store.tasks.get(id); // 404 for an unknown task rather than an empty list
    const outbox = store.outbox.listByTask(id).map((i) => ({
      id: i.id,
      idempotencyKey: i.idempotencyKey,
      sendKey: i.sendKey,
      redeliveries: i.redeliveries,
      state: i.state,
      attempts: i.attempts,
      lastError: i.lastError,
      runId: i.runId,
      gatewayBoot: i.gatewayBoot,
      sessionKey: i.payload.sessionKey,
    }));
    return jsonResponse(JSON.stringify({ events: store.taskEvents.list(id), outbox }));
  });
}
