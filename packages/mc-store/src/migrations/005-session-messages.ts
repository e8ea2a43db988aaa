import type { Migration } from "./types.js";

/**
 * Steering sessions: the outbox also carries messages an operator sends into any session (no
 * task: task_id NULL, session_key set), a task keeps the reason of its last status change (a
 * failed card shows it), an agent keeps its model. SQLite cannot drop a NOT NULL, so the
 * outbox is rebuilt with the same ids (and delivery's columns and indexes from 004).
 */
export const migration005: Migration = {
  version: 5,
  name: "session-messages",
  sql: `
ALTER TABLE tasks ADD COLUMN status_reason TEXT;
ALTER TABLE agents ADD COLUMN model TEXT;

CREATE TABLE outbox_v5 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT REFERENCES tasks(id) ON DELETE CASCADE,
  session_key TEXT NOT NULL,
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
  updated_at INTEGER NOT NULL,
  send_key TEXT,
  redeliveries INTEGER NOT NULL DEFAULT 0,
  gateway_boot TEXT,
  sent_at INTEGER
);
INSERT INTO outbox_v5 (id, task_id, session_key, idempotency_key, kind, payload, state, attempts, next_attempt_at,
  last_error, lease_owner, lease_until, run_id, result, created_at, updated_at, send_key, redeliveries, gateway_boot, sent_at)
SELECT id, task_id, COALESCE(json_extract(payload, '$.sessionKey'), ''), idempotency_key, kind, payload, state, attempts,
  next_attempt_at, last_error, lease_owner, lease_until, run_id, result, created_at, updated_at, send_key, redeliveries,
  gateway_boot, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v5 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_state ON outbox(state, id);
CREATE INDEX outbox_task ON outbox(task_id, id);
CREATE INDEX outbox_session ON outbox(session_key, id);
`,
};
