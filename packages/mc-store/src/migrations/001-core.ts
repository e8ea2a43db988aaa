import type { Migration } from "./types.js";

/** Agents, tasks, the append-only task event log, the sessions cache and the gateway history. */
export const migration001: Migration = {
  version: 1,
  name: "core",
  sql: `
CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  name TEXT,
  emoji TEXT,
  avatar TEXT,
  workspace TEXT,
  status TEXT NOT NULL DEFAULT 'unknown',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- seq is the rowid: it gives a stable creation order for cursors and rides along in every index.
CREATE TABLE tasks (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  status TEXT NOT NULL DEFAULT 'inbox'
    CHECK (status IN ('inbox', 'assigned', 'in_progress', 'review', 'done', 'failed', 'cancelled')),
  assigned_agent_id TEXT REFERENCES agents(id) ON DELETE SET NULL,
  session_key TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_status ON tasks(status);
CREATE INDEX tasks_agent ON tasks(assigned_agent_id);

-- No foreign key on task_id: the log outlives a deleted task (it records the deletion).
CREATE TABLE task_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);
CREATE INDEX task_events_task ON task_events(task_id, id);
CREATE TRIGGER task_events_no_update BEFORE UPDATE ON task_events
BEGIN SELECT RAISE(ABORT, 'task_events is append-only'); END;
CREATE TRIGGER task_events_no_delete BEFORE DELETE ON task_events
BEGIN SELECT RAISE(ABORT, 'task_events is append-only'); END;

CREATE TABLE sessions (
  key TEXT PRIMARY KEY,
  agent_id TEXT,
  label TEXT,
  data TEXT NOT NULL,
  gateway_updated_at INTEGER,
  cached_at INTEGER NOT NULL
);

CREATE TABLE gateway_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  state TEXT NOT NULL,
  code TEXT,
  detail_code TEXT,
  message TEXT,
  at INTEGER NOT NULL
);
`,
};
