import type { Migration } from "./types.js";

/** The dispatch outbox (leases, backoff, idempotency keys) and the task's dispatch attempt counter. */
export const migration002: Migration = {
  version: 2,
  name: "dispatch-outbox",
  sql: `
ALTER TABLE tasks ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'acknowledged', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  lease_owner TEXT,
  lease_until INTEGER,
  run_id TEXT,
  result TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_task ON outbox(task_id, id);
`,
};
