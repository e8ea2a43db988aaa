import { type BackoffOptions, computeBackoffMs } from "./backoff.js";
import type { Db } from "./db.js";
import { StoreError } from "./errors.js";
import {
  claimSchema,
  enqueueMessageSchema,
  idSchema,
  markAckSchema,
  markFailedSchema,
  markSentSchema,
  outboxIdSchema,
  parseInput,
  sessionKeySchema,
} from "./schemas.js";
import { iso, isoOrNull, parseJson, toMs } from "./time.js";
import type { ChatSendPayload, OutboxItem, OutboxState } from "./types.js";

export interface OutboxRow {
  id: number;
  task_id: string | null;
  session_key: string;
  idempotency_key: string;
  kind: string;
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  run_id: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
  send_key: string | null;
  redeliveries: number;
  gateway_boot: string | null;
  sent_at: number | null;
}

const OUTBOX_COLUMNS =
  "id, task_id, session_key, idempotency_key, kind, payload, state, attempts, next_attempt_at, last_error, lease_owner, " +
  "lease_until, run_id, result, created_at, updated_at, send_key, redeliveries, gateway_boot, sent_at";

export function toOutboxItem(row: OutboxRow): OutboxItem {
  return {
    id: row.id,
    taskId: row.task_id,
    sessionKey: row.session_key,
    idempotencyKey: row.idempotency_key,
    kind: row.kind as "chat.send",
    payload: parseJson(row.payload) as ChatSendPayload,
    state: row.state as OutboxState,
    attempts: row.attempts,
    nextAttemptAt: iso(row.next_attempt_at),
    lastError: row.last_error,
    leaseOwner: row.lease_owner,
    leaseUntil: isoOrNull(row.lease_until),
    runId: row.run_id,
    result: parseJson(row.result),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    sendKey: row.send_key ?? row.idempotency_key,
    redeliveries: row.redeliveries,
    gatewayBoot: row.gateway_boot,
    sentAt: isoOrNull(row.sent_at),
  };
}

/**
 * The chat.send key of a delivery's n-th re-delivery (0 = the first send). A re-delivery after
 * an interrupted turn needs a key the gateway has not seen: under a known key it does not store
 * the message again, so the next run would not carry the task.
 */
export function redeliveryKey(idempotencyKey: string, redelivery: number): string {
  return redelivery === 0 ? idempotencyKey : `${idempotencyKey}-r${redelivery}`;
}

/** Every key a delivery was (or will be) sent with, oldest first. */
export function deliveryKeys(item: Pick<OutboxItem, "idempotencyKey" | "redeliveries">): string[] {
  return Array.from({ length: item.redeliveries + 1 }, (_, n) => redeliveryKey(item.idempotencyKey, n));
}

/** The idempotency key of a task's dispatch attempt: stable across retries of that attempt and across restarts. */
export function dispatchIdempotencyKey(taskId: string, attempt: number): string {
  return `${deliveryKeyPrefix(taskId)}${attempt}`;
}

/** What every delivery key of one task starts with (its dispatch attempts and their re-deliveries). */
export function deliveryKeyPrefix(taskId: string): string {
  return `missionctl-task-${taskId}-dispatch-`;
}

/** Inserts a pending chat.send item; the caller holds the transaction (the one that moved the task). */
export function enqueueChatSend(
  db: Db,
  taskId: string,
  attempt: number,
  payload: ChatSendPayload,
  now: number,
): OutboxItem {
  const row: OutboxRow = {
    id: 0,
    task_id: taskId,
    session_key: payload.sessionKey,
    idempotency_key: dispatchIdempotencyKey(taskId, attempt),
    kind: "chat.send",
    payload: JSON.stringify(payload),
    state: "pending",
    attempts: 0,
    next_attempt_at: now,
    last_error: null,
    lease_owner: null,
    lease_until: null,
    run_id: null,
    result: null,
    created_at: now,
    updated_at: now,
    send_key: null,
    redeliveries: 0,
    gateway_boot: null,
    sent_at: null,
  };
  const result = db.run(
    "enqueue dispatch",
    "INSERT INTO outbox (task_id, session_key, idempotency_key, kind, payload, state, attempts, next_attempt_at, " +
      "created_at, updated_at) " +
      "VALUES (@task_id, @session_key, @idempotency_key, @kind, @payload, 'pending', 0, @next_attempt_at, @created_at, " +
      "@updated_at)",
    {
      task_id: row.task_id,
      session_key: row.session_key,
      idempotency_key: row.idempotency_key,
      kind: row.kind,
      payload: row.payload,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    },
  );
  row.id = Number(result.lastInsertRowid);
  return toOutboxItem(row);
}

/**
 * Pending items nobody holds a lease on stop being sent once their task moves on
 * (cancelled, done, back to the queue…): a stale dispatch must not reach the agent.
 */
export function supersedePending(db: Db, taskId: string, reason: string, now: number): OutboxItem[] {
  const rows = db.all<OutboxRow>(
    "supersede dispatch",
    `UPDATE outbox SET state = 'failed', last_error = @reason, lease_owner = NULL, lease_until = NULL, updated_at = @now
     WHERE task_id = @taskId AND state = 'pending' AND (lease_until IS NULL OR lease_until <= @now)
     RETURNING ${OUTBOX_COLUMNS}`,
    { taskId, reason, now },
  );
  return rows.map(toOutboxItem);
}

export interface OutboxOptions extends BackoffOptions {
  /** After this many deliveries that reached the gateway, a failure or re-delivery is terminal. Default 8. */
  maxAttempts?: number;
}

/** The idempotency key of a message an operator sends into a session, from the client's own key. */
export function messageIdempotencyKey(clientKey: string): string {
  return `missionctl-msg-${clientKey}`;
}

export interface EnqueueMessageInput {
  sessionKey: string;
  message: string;
  agentId: string;
  /** The client's key for this message (a retry of the same request sends the same one). */
  clientKey: string;
}

export interface OutboxRepo {
  /**
   * Queues a message into a session (no task). The same client key again returns the item
   * queued first (a retried request), unless the message or session differ: IDEMPOTENCY_KEY_REUSED.
   */
  enqueueMessage(input: EnqueueMessageInput): { item: OutboxItem; created: boolean };
  /**
   * Leases up to `limit` due pending items to `workerId` for `leaseMs`, in one write
   * transaction: two workers (or processes) never hold the same item. A claim is not an
   * attempt (a reconnect storm must not use them up). An item whose lease expired without
   * markSent/markFailed is due again.
   */
  claimDue(options: { workerId: string; leaseMs: number; limit?: number; now?: number | Date }): OutboxItem[];
  /**
   * pending → sent once the message reached the gateway: counts one attempt and records which
   * gateway boot got it. With `workerId`, refuses if the lease moved to another worker. On an
   * item the run already settled (acknowledged) it changes nothing.
   */
  markSent(id: number, options?: { runId?: string | null; workerId?: string; gatewayBoot?: string | null }): OutboxItem;
  /** pending|sent → acknowledged (the run finished). Repeating it is a no-op. */
  markAcknowledged(id: number, options?: { payload?: unknown; workerId?: string }): OutboxItem;
  /**
   * Records the error; pending again at `retryAt` (default: now + capped exponential
   * backoff with jitter), or failed for good when `terminal`, or when a sent item is out of
   * attempts. An item already settled (acknowledged or failed) is returned unchanged: the run's
   * outcome, which can arrive while its delivery is still in flight, wins.
   */
  markFailed(
    id: number,
    options: { error: string; retryAt?: number | Date; terminal?: boolean; workerId?: string },
  ): OutboxItem;
  /**
   * The turn ended without a reply (the gateway drained or lost it): pending again at `retryAt`
   * (default now) under a new send key, so the next chat.send carries the task again. Failed
   * for good once the item used its attempts.
   */
  redeliver(id: number, options: { error: string; retryAt?: number | Date; workerId?: string }): OutboxItem;
  /** Pending items waiting for a later retry become due now (the gateway is back). Returns how many. */
  wakePending(): number;
  /** failed → pending now, attempts reset (an operator's retry). */
  retry(id: number): OutboxItem;
  get(id: number): OutboxItem;
  /** The item with this idempotency key or current send key (= the run id chat.send answers), if any. */
  getByKey(idempotencyKey: string): OutboxItem | undefined;
  listByTask(taskId: string): OutboxItem[];
  /** A session's deliveries (dispatches and messages), oldest first, at most `limit` (default 100) of the newest. */
  listBySession(sessionKey: string, options?: { limit?: number }): OutboxItem[];
  list(options?: { state?: OutboxState; limit?: number }): OutboxItem[];
}

export function createOutboxRepo(db: Db, now: () => number, options: OutboxOptions = {}): OutboxRepo {
  const maxAttempts = options.maxAttempts ?? 8;

  function load(id: number, operation: string): OutboxRow {
    const row = db.get<OutboxRow>(operation, `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = @id`, { id });
    if (!row) {
      throw new StoreError("OUTBOX_ITEM_NOT_FOUND", {
        subject: `outbox item ${id}`,
        operation,
        outboxId: id,
        reason: "no outbox item has this id",
        fix: "list the task's outbox items with outbox.listByTask(taskId)",
      });
    }
    return row;
  }

  function invalidState(row: OutboxRow, operation: string, expected: string): StoreError {
    return new StoreError("OUTBOX_INVALID_STATE", {
      subject: `outbox item ${row.id}`,
      operation,
      outboxId: row.id,
      ...(row.task_id ? { taskId: row.task_id } : {}),
      from: row.state,
      reason: `is ${row.state}, expected ${expected}`,
      fix: "re-read the item: another worker or a task transition already settled it",
    });
  }

  function checkLease(row: OutboxRow, workerId: string | undefined, operation: string, at: number): void {
    if (workerId === undefined || row.lease_owner === null || row.lease_owner === workerId) return;
    throw new StoreError("LEASE_LOST", {
      subject: `outbox item ${row.id}`,
      operation,
      outboxId: row.id,
      ...(row.task_id ? { taskId: row.task_id } : {}),
      reason: `is leased to another worker${row.lease_until !== null && row.lease_until <= at ? " (expired lease taken over)" : ""}`,
      fix: "drop this item; the worker holding the lease settles it (raise leaseMs if sends take longer than the lease)",
    });
  }

  function update(operation: string, id: number, set: string, params: Record<string, unknown>): OutboxItem {
    const row = db.get<OutboxRow>(
      operation,
      `UPDATE outbox SET ${set}, updated_at = @now WHERE id = @id RETURNING ${OUTBOX_COLUMNS}`,
      { ...params, id },
    );
    const item = toOutboxItem(row!);
    db.notify({ type: "outbox.changed", item });
    return item;
  }

  return {
    enqueueMessage(input) {
      const data = parseInput(enqueueMessageSchema, input, "queue a session message");
      return db.transaction("queue a session message", () => {
        const at = now();
        const key = messageIdempotencyKey(data.clientKey);
        const existing = db.get<OutboxRow>(
          "queue a session message",
          `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE idempotency_key = @key`,
          { key },
        );
        if (existing) {
          const prior = toOutboxItem(existing);
          if (prior.sessionKey === data.sessionKey && prior.payload.message === data.message)
            return { item: prior, created: false };
          throw new StoreError("IDEMPOTENCY_KEY_REUSED", {
            subject: `message key ${data.clientKey}`,
            operation: "queue a session message",
            outboxId: prior.id,
            reason: "this idempotency key was already used for a different message or session",
            fix: "send a new idempotency key for a new message; reuse a key only to retry the same request",
          });
        }
        const payload = { sessionKey: data.sessionKey, message: data.message, agentId: data.agentId };
        const row = db.get<OutboxRow>(
          "queue a session message",
          `INSERT INTO outbox (task_id, session_key, idempotency_key, kind, payload, state, attempts, next_attempt_at,
             created_at, updated_at)
           VALUES (NULL, @session, @key, 'chat.send', @payload, 'pending', 0, @at, @at, @at) RETURNING ${OUTBOX_COLUMNS}`,
          { session: data.sessionKey, key, payload: JSON.stringify(payload), at },
        );
        const item = toOutboxItem(row!);
        db.notify({ type: "outbox.changed", item });
        return { item, created: true };
      });
    },

    getByKey(idempotencyKey) {
      const row = db.get<OutboxRow>(
        "get outbox item by key",
        `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE idempotency_key = @key OR send_key = @key`,
        { key: String(idempotencyKey) },
      );
      return row ? toOutboxItem(row) : undefined;
    },

    listBySession(sessionKey, input = {}) {
      const key = parseInput(sessionKeySchema, sessionKey, "list a session's outbox items");
      const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? 100)), 1_000);
      return db
        .all<OutboxRow>(
          "list a session's outbox items",
          `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE session_key = @key ORDER BY id DESC LIMIT @limit`,
          { key, limit },
        )
        .reverse()
        .map(toOutboxItem);
    },

    claimDue(input) {
      const opts = parseInput(claimSchema, input, "claim outbox items");
      const at = opts.now === undefined ? now() : toMs(opts.now);
      return db.transaction("claim outbox items", () => {
        const rows = db.all<OutboxRow>(
          "claim outbox items",
          `UPDATE outbox SET lease_owner = @workerId, lease_until = @until, updated_at = @at
           WHERE id IN (
             SELECT id FROM outbox
             WHERE state = 'pending' AND next_attempt_at <= @at AND (lease_until IS NULL OR lease_until <= @at)
             ORDER BY next_attempt_at, id LIMIT @limit
           )
           RETURNING ${OUTBOX_COLUMNS}`,
          { workerId: opts.workerId, until: at + opts.leaseMs, at, limit: opts.limit ?? 10 },
        );
        const items = rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id).map(toOutboxItem);
        for (const item of items) db.notify({ type: "outbox.changed", item });
        return items;
      });
    },

    markSent(id, input) {
      const itemId = parseInput(outboxIdSchema, id, "mark outbox item sent");
      const opts = parseInput(markSentSchema, input, "mark outbox item sent") ?? {};
      return db.transaction("mark outbox item sent", () => {
        const at = now();
        const row = load(itemId, "mark outbox item sent");
        if (row.state === "sent" && (opts.runId ?? null) === row.run_id) return toOutboxItem(row);
        // The run's final event can settle the item while its chat.send is still in flight.
        if (row.state === "acknowledged") return toOutboxItem(row);
        if (row.state !== "pending") throw invalidState(row, "mark outbox item sent", "pending");
        checkLease(row, opts.workerId, "mark outbox item sent", at);
        return update(
          "mark outbox item sent",
          itemId,
          "state = 'sent', run_id = @runId, lease_owner = NULL, lease_until = NULL, last_error = NULL, " +
            "attempts = attempts + 1, gateway_boot = @boot, sent_at = @now",
          { runId: opts.runId ?? null, boot: opts.gatewayBoot ?? null, now: at },
        );
      });
    },

    markAcknowledged(id, input) {
      const itemId = parseInput(outboxIdSchema, id, "acknowledge outbox item");
      const opts = parseInput(markAckSchema, input, "acknowledge outbox item") ?? {};
      return db.transaction("acknowledge outbox item", () => {
        const at = now();
        const row = load(itemId, "acknowledge outbox item");
        if (row.state === "acknowledged") return toOutboxItem(row);
        if (row.state !== "pending" && row.state !== "sent")
          throw invalidState(row, "acknowledge outbox item", "pending or sent");
        checkLease(row, opts.workerId, "acknowledge outbox item", at);
        const result = opts.payload === undefined ? null : JSON.stringify(opts.payload);
        return update(
          "acknowledge outbox item",
          itemId,
          "state = 'acknowledged', result = @result, lease_owner = NULL, lease_until = NULL",
          { result, now: at },
        );
      });
    },

    markFailed(id, input) {
      const itemId = parseInput(outboxIdSchema, id, "mark outbox item failed");
      const opts = parseInput(markFailedSchema, input, "mark outbox item failed");
      return db.transaction("mark outbox item failed", () => {
        const at = now();
        const row = load(itemId, "mark outbox item failed");
        if (row.state === "acknowledged" || row.state === "failed") return toOutboxItem(row);
        checkLease(row, opts.workerId, "mark outbox item failed", at);
        const terminal = opts.terminal === true || (row.state === "sent" && row.attempts >= maxAttempts);
        if (terminal) {
          return update(
            "mark outbox item failed",
            itemId,
            "state = 'failed', last_error = @error, lease_owner = NULL, lease_until = NULL",
            { error: opts.error, now: at },
          );
        }
        const next =
          opts.retryAt === undefined ? at + computeBackoffMs(Math.max(1, row.attempts), options) : toMs(opts.retryAt);
        return update(
          "mark outbox item failed",
          itemId,
          "state = 'pending', last_error = @error, next_attempt_at = @next, lease_owner = NULL, lease_until = NULL",
          { error: opts.error, next, now: at },
        );
      });
    },

    redeliver(id, input) {
      const itemId = parseInput(outboxIdSchema, id, "re-deliver outbox item");
      const opts = parseInput(markFailedSchema.omit({ terminal: true }), input, "re-deliver outbox item");
      return db.transaction("re-deliver outbox item", () => {
        const at = now();
        const row = load(itemId, "re-deliver outbox item");
        if (row.state === "acknowledged" || row.state === "failed") return toOutboxItem(row);
        checkLease(row, opts.workerId, "re-deliver outbox item", at);
        if (row.attempts >= maxAttempts) {
          return update(
            "re-deliver outbox item",
            itemId,
            "state = 'failed', last_error = @error, lease_owner = NULL, lease_until = NULL",
            {
              error: `${row.attempts} deliveries ended without a reply; the last: ${opts.error}`.slice(0, 4_000),
              now: at,
            },
          );
        }
        const redeliveries = row.redeliveries + 1;
        return update(
          "re-deliver outbox item",
          itemId,
          "state = 'pending', last_error = @error, next_attempt_at = @next, lease_owner = NULL, lease_until = NULL, " +
            "redeliveries = @redeliveries, send_key = @key, run_id = NULL",
          {
            error: opts.error,
            next: opts.retryAt === undefined ? at : toMs(opts.retryAt),
            redeliveries,
            key: redeliveryKey(row.idempotency_key, redeliveries),
            now: at,
          },
        );
      });
    },

    wakePending() {
      const at = now();
      return db.transaction("wake pending outbox items", () => {
        const rows = db.all<OutboxRow>(
          "wake pending outbox items",
          `UPDATE outbox SET next_attempt_at = @at, updated_at = @at
           WHERE state = 'pending' AND next_attempt_at > @at AND (lease_until IS NULL OR lease_until <= @at)
           RETURNING ${OUTBOX_COLUMNS}`,
          { at },
        );
        for (const row of rows) db.notify({ type: "outbox.changed", item: toOutboxItem(row) });
        return rows.length;
      });
    },

    retry(id) {
      const itemId = parseInput(outboxIdSchema, id, "retry outbox item");
      return db.transaction("retry outbox item", () => {
        const at = now();
        const row = load(itemId, "retry outbox item");
        if (row.state !== "failed") throw invalidState(row, "retry outbox item", "failed");
        return update(
          "retry outbox item",
          itemId,
          "state = 'pending', attempts = 0, next_attempt_at = @now, lease_owner = NULL, lease_until = NULL",
          { now: at },
        );
      });
    },

    get(id) {
      const itemId = parseInput(outboxIdSchema, id, "get outbox item");
      return toOutboxItem(load(itemId, "get outbox item"));
    },

    listByTask(taskId) {
      const id = parseInput(idSchema, taskId, "list outbox items");
      return db
        .all<OutboxRow>("list outbox items", `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE task_id = @id ORDER BY id`, {
          id,
        })
        .map(toOutboxItem);
    },

    list(input = {}) {
      const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? 100)), 10_000);
      const rows = input.state
        ? db.all<OutboxRow>(
            "list outbox items",
            `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE state = @state ORDER BY id DESC LIMIT @limit`,
            { state: input.state, limit },
          )
        : db.all<OutboxRow>("list outbox items", `SELECT ${OUTBOX_COLUMNS} FROM outbox ORDER BY id DESC LIMIT @limit`, {
            limit,
          });
      return rows.map(toOutboxItem);
    },
  };
}
