import type { Db } from "./db.js";
import { StoreError } from "./errors.js";
import { appendEventSchema, idSchema, parseInput } from "./schemas.js";
import { insertTaskEvent, loadTaskRow, type TaskEventRow, toTaskEvent } from "./task-rows.js";
import type { TaskEvent } from "./types.js";

/** Event types the store writes itself; append() refuses them so the log cannot be forged. */
export const LIFECYCLE_EVENT_TYPES = ["created", "updated", "status_changed", "dispatched", "deleted"] as const;

export interface TaskEventsRepo {
  /** Oldest first. Events of a deleted task remain listable. */
  list(taskId: string, options?: { afterId?: number; limit?: number }): TaskEvent[];
  /**
   * Every task's events after `afterId`, oldest first: the log's ids only grow, across
   * restarts, so a live stream can resume from the last id it delivered.
   */
  since(afterId: number, options?: { limit?: number }): TaskEvent[];
  /** The id of the newest event (0 when there is none). */
  lastId(): number;
  append(taskId: string, event: { actor: string; type: string; payload?: unknown }): TaskEvent;
}

export function createTaskEventsRepo(db: Db, now: () => number): TaskEventsRepo {
  return {
    list(taskId, options = {}) {
      const id = parseInput(idSchema, taskId, "list task events");
      const afterId = options.afterId ?? 0;
      const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 1_000)), 10_000);
      const rows = db.all<TaskEventRow>(
        "list task events",
        "SELECT id, task_id, actor, type, payload, created_at FROM task_events " +
          "WHERE task_id = @id AND id > @afterId ORDER BY id LIMIT @limit",
        { id, afterId, limit },
      );
      if (rows.length === 0 && afterId === 0) loadTaskRow(db, id, "list task events");
      return rows.map(toTaskEvent);
    },
    since(afterId, options = {}) {
      const after = Math.max(0, Math.trunc(Number.isFinite(afterId) ? afterId : 0));
      const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 1_000)), 10_000);
      return db
        .all<TaskEventRow>(
          "list task events",
          "SELECT id, task_id, actor, type, payload, created_at FROM task_events WHERE id > @after ORDER BY id LIMIT @limit",
          { after, limit },
        )
        .map(toTaskEvent);
    },
    lastId() {
      return db.get<{ id: number | null }>("last task event", "SELECT MAX(id) AS id FROM task_events")?.id ?? 0;
    },
    append(taskId, event) {
      const id = parseInput(idSchema, taskId, "append task event");
      const input = parseInput(appendEventSchema, event, "append task event");
      if ((LIFECYCLE_EVENT_TYPES as readonly string[]).includes(input.type)) {
        throw new StoreError("VALIDATION_FAILED", {
          subject: "append task event",
          operation: "append task event",
          reason: `type "${input.type}" is written by the store itself`,
          fix: "use tasks.transition/update/dispatch, or choose another event type (e.g. activity, note, run.completed)",
          issues: [{ path: "type", message: "is reserved", code: "custom" }],
        });
      }
      return db.transaction("append task event", () => {
        loadTaskRow(db, id, "append task event");
        const appended = insertTaskEvent(db, id, input.actor, input.type, input.payload ?? {}, now());
        db.notify({ type: "task_event.appended", event: appended });
        return appended;
      });
    },
  };
}
