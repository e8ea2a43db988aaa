import type { Db } from "./db.js";
import { idempotencyKeySchema, idempotencySaveSchema, parseInput } from "./schemas.js";
import { iso } from "./time.js";

/** How long a stored response answers retries of its key. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface IdempotentResponse {
  key: string;
  /** What identifies the request (method, path, body hash): a retry must match it. */
  fingerprint: string;
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  createdAt: string;
}

export interface IdempotencyRepo {
  /** The response stored for `key`, unless older than IDEMPOTENCY_TTL_MS. */
  get(key: string): IdempotentResponse | undefined;
  /**
   * Stores the first response to a request made with `key`. Call it in the transaction that
   * made the request's changes, so a crash keeps both or neither. Expired keys are purged.
   */
  save(response: Omit<IdempotentResponse, "createdAt">): IdempotentResponse;
}

interface Row {
  key: string;
  fingerprint: string;
  method: string;
  path: string;
  status: number;
  headers: string;
  body: string;
  created_at: number;
}

const COLUMNS = "key, fingerprint, method, path, status, headers, body, created_at";

function toResponse(row: Row): IdempotentResponse {
  let headers: Record<string, string> = {};
  try {
    headers = JSON.parse(row.headers) as Record<string, string>;
  } catch {
    // A damaged header column still answers with the stored status and body.
  }
  return {
    key: row.key,
    fingerprint: row.fingerprint,
    method: row.method,
    path: row.path,
    status: row.status,
    headers,
    body: row.body,
    createdAt: iso(row.created_at),
  };
}

export function createIdempotencyRepo(db: Db, now: () => number): IdempotencyRepo {
  return {
    get(key) {
      const k = parseInput(idempotencyKeySchema, key, "read idempotency key");
      const row = db.get<Row>("read idempotency key", `SELECT ${COLUMNS} FROM idempotency_keys WHERE key = @k`, { k });
      if (!row || row.created_at <= now() - IDEMPOTENCY_TTL_MS) return undefined;
      return toResponse(row);
    },
    save(response) {
      const r = parseInput(idempotencySaveSchema, response, "store idempotency key");
      return db.transaction("store idempotency key", () => {
        const at = now();
        db.run("purge idempotency keys", "DELETE FROM idempotency_keys WHERE created_at <= @before", {
          before: at - IDEMPOTENCY_TTL_MS,
        });
        const row: Row = {
          key: r.key,
          fingerprint: r.fingerprint,
          method: r.method,
          path: r.path,
          status: r.status,
          headers: JSON.stringify(r.headers),
          body: r.body,
          created_at: at,
        };
        db.run(
          "store idempotency key",
          `INSERT INTO idempotency_keys (${COLUMNS}) VALUES (@key, @fingerprint, @method, @path, @status, @headers, @body, @created_at)`,
          { ...row },
        );
        return toResponse(row);
      });
    },
  };
}
