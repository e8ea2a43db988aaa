import type { Migration } from "./types.js";

/**
 * What a delivery needs to survive restarts of either side: the key of its latest chat.send
 * (a re-delivery after an interrupted turn gets a new one, so the gateway stores the task
 * again), how many re-deliveries it took, which gateway boot and when it was last sent to;
 * and the first response of each mutating API request made with an Idempotency-Key.
 */
export const migration004: Migration = {
  version: 4,
  name: "delivery-idempotency",
  sql: `
ALTER TABLE outbox ADD COLUMN send_key TEXT;
ALTER TABLE outbox ADD COLUMN redeliveries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN gateway_boot TEXT;
ALTER TABLE outbox ADD COLUMN sent_at INTEGER;
CREATE INDEX outbox_state ON outbox(state, id);

CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  headers TEXT NOT NULL DEFAULT '{}',
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
`,
};
