import type { Migration } from "./types.js";

/**
 * When an agent was last seen in the gateway's agents.list, and one index that answers
 * "tasks of status S for agent A, newest first" without a sort (seq is the rowid).
 */
export const migration003: Migration = {
  version: 3,
  name: "agent-presence-task-listing",
  sql: `
ALTER TABLE agents ADD COLUMN last_seen_at INTEGER;
DROP INDEX tasks_status;
CREATE INDEX tasks_status_agent ON tasks(status, assigned_agent_id);
`,
};
