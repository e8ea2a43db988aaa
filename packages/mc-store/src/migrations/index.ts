import { migration001 } from "./001-core.js";
import { migration002 } from "./002-dispatch-outbox.js";
import { migration003 } from "./003-agent-presence-task-listing.js";
import { migration004 } from "./004-delivery-idempotency.js";
import { migration005 } from "./005-session-messages.js";
import type { Migration } from "./types.js";

/** In order. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export type { Migration } from "./types.js";
