import { createHash, randomUUID } from "node:crypto";
import {
  chatAbort,
  chatHistory,
  parseAgentSessionKey,
  sessionsAbort,
  sessionsCreate,
  sessionsReset,
} from "@missionctl/gateway-client";
import type { Context, Hono } from "hono";
import * as z from "zod";
import type { AppContext, OutboxItem } from "../context.js";
import { ApiError } from "../errors.js";
import { jsonResponse, parseBody, readJson } from "../http.js";
import { bodyIdempotencyKey, mutate, requestIdempotencyKey } from "../idempotency.js";
import { toMessageView } from "../sessions/transcript.js";
import { presentTask } from "../task-view.js";

const sessionKey = z.string().min(1, "must not be empty").max(512, "must be at most 512 characters");
/**
 * The message's outbox key (and so its gateway idempotency key and run id) from the request's
 * Idempotency-Key: as it is when it fits one, else its digest; a fresh one without a key.
 */
function messageKeyOf(c: Context): string {
  const key = requestIdempotencyKey(c);
  if (key === undefined) return randomUUID();
  return /^[A-Za-z0-9._:-]{1,128}$/.test(key) ? key : `h-${createHash("sha256").update(key).digest("base64url")}`;
}

/** The body's idempotencyKey: the Idempotency-Key header by another name (bodyIdempotencyKey checked it). */
const bodyKey = z.string().optional();

const SendBody = z.strictObject({
  message: z.string().trim().min(1, "must not be empty").max(100_000, "must be at most 100000 characters"),
  idempotencyKey: bodyKey,
});
const AbortBody = z.strictObject({ runId: z.string().min(1).max(256).optional() });
const CreateBody = z.strictObject({
  agentId: z.string().trim().min(1, "must not be empty").max(200),
  label: z.string().trim().min(1).max(200).optional(),
  message: z.string().trim().min(1).max(100_000).optional(),
  idempotencyKey: bodyKey,
});
const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
const ListQuery = z.strictObject({
  agentId: z.string().min(1).max(200).optional(),
  status: z.enum(["running", "idle", "failed", "aborted"]).optional(),
});

/** What this server may do on sessions with the scopes the gateway granted it, and how to get the rest. */
export function sessionCapabilities(ctx: AppContext) {
  const can = (scope: string, what: string) => {
    const connected = ctx.gateway.state === "connected";
    const allowed = connected ? ctx.gateway.holds(scope) : ctx.config.gatewayScopes.includes(scope);
    return {
      allowed,
      scope,
      hint: allowed
        ? null
        : `${what} needs ${scope}: add it to MC_GATEWAY_SCOPES, restart mc-server and approve the device's scope upgrade on the ` +
          "gateway if it asks",
    };
  };
  return {
    send: can("operator.write", "sending a message"),
    abort: can("operator.write", "stopping a run"),
    create: can("operator.write", "creating a session"),
    reset: can("operator.admin", "resetting a session (the gateway allows it to admins only)"),
    // Whether approvals can be answered is the approval tracker's to say (one owner of its hints).
    approve: ctx.approvals.capability(),
  };
}

function requireScope(cap: { allowed: boolean; scope: string; hint: string | null }, what: string) {
  if (cap.allowed) return;
  throw new ApiError(
    403,
    "SCOPE_REQUIRED",
    `[mc-server] ${what}: this server's gateway connection does not hold ${cap.scope}`,
    cap.hint ?? `grant ${cap.scope}`,
    { requiredScope: cap.scope },
  );
}

function outboxView(i: OutboxItem) {
  return {
    id: i.id,
    idempotencyKey: i.idempotencyKey,
    runId: i.runId ?? i.idempotencyKey,
    taskId: i.taskId,
    state: i.state,
    attempts: i.attempts,
    lastError: i.lastError,
    message: i.payload.message.length > 500 ? `${i.payload.message.slice(0, 500)}…` : i.payload.message,
    createdAt: i.createdAt,
  };
}

/** One session as GET /api/sessions/:key (and the session page) shows it; null when nothing knows it. */
export function sessionDetail(ctx: AppContext, key: string) {
  const session = ctx.sessions.get(key);
  const outbox = ctx.store.outbox.listBySession(key, { limit: 50 });
  if (!session && outbox.length === 0) return null;
  const taskId = session?.taskId ?? null;
  let task = null;
  if (taskId) {
    try {
      task = presentTask(ctx, ctx.store.tasks.get(taskId));
    } catch {
      task = null;
    }
  }
  return {
    ...ctx.sessions.freshness(),
    session: session ?? null,
    activeRun: ctx.live.get(key),
    approvals: ctx.approvals.list({ sessionKey: key }),
    outbox: outbox.filter((i) => i.state === "pending" || i.state === "sent" || i.state === "failed").map(outboxView),
    task,
    can: sessionCapabilities(ctx),
  };
}

function agentOfKey(ctx: AppContext, key: string): string {
  const agentId = parseAgentSessionKey(key)?.agentId ?? ctx.sessions.get(key)?.agentId;
  if (!agentId) {
    throw new ApiError(
      400,
      "SESSION_AGENT_UNKNOWN",
      `[mc-server] session ${key}: the key names no agent and the gateway has not listed it`,
      "use an agent session key (agent:<agentId>:<name>) or one from GET /api/sessions",
    );
  }
  return agentId;
}

export function registerSessionsRoutes(app: Hono, ctx: AppContext): void {
  const { store } = ctx;
  const keyFromBody = bodyIdempotencyKey(ctx);
  const param = (c: { req: { param(name: string): string } }) =>
    parseBody(sessionKey, c.req.param("key"), "session key");

  app.get("/api/sessions", (c) => {
    const q = parseBody(ListQuery, c.req.query(), "query");
    let sessions = ctx.sessions.list();
    if (q.agentId) sessions = sessions.filter((s) => s.agentId === q.agentId);
    if (q.status) sessions = sessions.filter((s) => s.status === q.status);
    return jsonResponse(
      JSON.stringify({
        ...ctx.sessions.freshness(),
        gatewayState: ctx.gateway.state,
        count: sessions.length,
        sessions,
        can: sessionCapabilities(ctx),
      }),
    );
  });

  app.post("/api/sessions", keyFromBody, async (c) => {
    const body = await readJson(c, CreateBody);
    requireScope(sessionCapabilities(ctx).create, "create a session");
    const created = await sessionsCreate(ctx.gateway, {
      agentId: body.agentId,
      ...(body.label ? { label: body.label } : {}),
    });
    let delivery: ReturnType<typeof outboxView> | null = null;
    if (body.message) {
      const { item } = store.outbox.enqueueMessage({
        sessionKey: created.key,
        message: body.message,
        agentId: body.agentId,
        clientKey: messageKeyOf(c),
      });
      ctx.kickDispatcher();
      delivery = outboxView(item);
    }
    void ctx.sessions.sync();
    return jsonResponse(
      JSON.stringify({ key: created.key, session: ctx.sessions.get(created.key) ?? null, outbox: delivery }),
      201,
      { location: `/api/sessions/${encodeURIComponent(created.key)}` },
    );
  });

  app.get("/api/sessions/:key", (c) => {
    const key = param(c);
    const detail = sessionDetail(ctx, key);
    if (!detail) {
      throw new ApiError(
        404,
        "SESSION_NOT_FOUND",
        `[mc-server] session ${key}: the gateway has no such session`,
        "list sessions with GET /api/sessions; a task's session appears once it is dispatched",
      );
    }
    return jsonResponse(JSON.stringify(detail));
  });

  app.get("/api/sessions/:key/messages", async (c) => {
    const key = param(c);
    const q = parseBody(PageQuery, c.req.query(), "query");
    const page = await chatHistory(ctx.gateway, {
      sessionKey: key,
      limit: q.limit ?? 100,
      ...(q.offset ? { offset: q.offset } : {}),
    });
    const base = (page.totalMessages ?? page.messages.length) - (q.offset ?? 0) - page.messages.length;
    return jsonResponse(
      JSON.stringify({
        sessionKey: key,
        messages: page.messages.map((m, i) => toMessageView(m, base + i + 1)),
        hasMore: page.hasMore ?? false,
        nextOffset: page.hasMore ? (page.nextOffset ?? (q.offset ?? 0) + page.messages.length) : null,
        totalMessages: page.totalMessages ?? null,
      }),
    );
  });

  app.post("/api/sessions/:key/messages", keyFromBody, async (c) => {
    const key = param(c);
    const body = await readJson(c, SendBody);
    requireScope(sessionCapabilities(ctx).send, "send a message");
    const agentId = agentOfKey(ctx, key);
    const connected = ctx.gateway.state === "connected";
    let created = false;
    // One key per message: the request's Idempotency-Key (header, or its body alias) is stored
    // with this answer (a retry gets it again) and names the outbox item, which is the gateway's
    // idempotency key too: a retry never sends twice.
    const res = mutate(c, ctx, () => {
      const queued = store.outbox.enqueueMessage({
        sessionKey: key,
        message: body.message,
        agentId,
        clientKey: messageKeyOf(c),
      });
      created = queued.created;
      return {
        status: created ? 202 : 200,
        body: JSON.stringify({
          outbox: outboxView(queued.item),
          duplicate: !created,
          delivery: connected
            ? "sending"
            : `queued: the gateway is ${ctx.gateway.state}; it is sent once the connection is up`,
        }),
      };
    });
    if (created) ctx.kickDispatcher();
    return res;
  });

  app.post("/api/sessions/:key/abort", async (c) => {
    const key = param(c);
    const body = await readJson(c, AbortBody, { optional: true });
    requireScope(sessionCapabilities(ctx).abort, "stop a run");
    const active = ctx.sessions.get(key)?.activeRunIds ?? [];
    const live = ctx.live.get(key)?.runId;
    const runId = body.runId ?? live ?? active[0];
    ctx.noteAbort(key, runId ? [runId] : active);
    let runIds: string[] = [];
    let aborted = false;
    if (runId) {
      const r = await chatAbort(ctx.gateway, { sessionKey: key, runId });
      runIds = r.runIds ?? [runId];
      aborted = r.aborted ?? r.ok ?? false;
    }
    if (!aborted) {
      // No run id known here (another client started it): the gateway finds the session's active run.
      const r = await sessionsAbort(ctx.gateway, { key });
      aborted = !!r.abortedRunId || (r.ok === true && r.status !== "no-active-run");
      if (r.abortedRunId) {
        runIds = [r.abortedRunId];
        ctx.noteAbort(key, runIds);
      }
    }
    ctx.log.info("session run stop requested", { sessionKey: key, runIds, aborted });
    return jsonResponse(
      JSON.stringify({
        sessionKey: key,
        aborted,
        runIds,
        ...(aborted ? {} : { reason: "no run was active in this session" }),
      }),
    );
  });

  app.post("/api/sessions/:key/reset", async (c) => {
    const key = param(c);
    requireScope(sessionCapabilities(ctx).reset, "reset a session");
    const r = await sessionsReset(ctx.gateway, { key, reason: "reset" });
    void ctx.sessions.sync();
    return jsonResponse(JSON.stringify({ ok: r.ok ?? true, key: r.key }));
  });
}
