import type { Db } from "./db.js";
import { parseInput, sessionsInputSchema } from "./schemas.js";
import { iso, isoOrNull, parseJson } from "./time.js";
import type { CachedSession } from "./types.js";

/** A session as the gateway's sessions.list returns it; unknown fields are kept in `data`. */
export interface SessionInput {
  key: string;
  agentId?: string | null;
  label?: string | null;
  displayName?: string | null;
  /** Epoch ms or an ISO string. */
  updatedAt?: number | string | null;
  [field: string]: unknown;
}

interface SessionRow {
  key: string;
  agent_id: string | null;
  label: string | null;
  data: string;
  gateway_updated_at: number | null;
  cached_at: number;
}

function toSession(row: SessionRow): CachedSession {
  return {
    key: row.key,
    agentId: row.agent_id,
    label: row.label,
    data: (parseJson(row.data) as Record<string, unknown> | null) ?? {},
    gatewayUpdatedAt: isoOrNull(row.gateway_updated_at),
    cachedAt: iso(row.cached_at),
  };
}

function updatedAtMs(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

const shortString = (value: unknown, max: number): string | null =>
  typeof value === "string" && value !== "" ? value.slice(0, max) : null;

function agentIdOf(session: SessionInput): string | null {
  const explicit = shortString(session.agentId, 200);
  if (explicit) return explicit;
  // Gateway session keys look like agent:<agentId>:<rest>.
  const match = /^agent:([^:]+):/.exec(session.key);
  return match?.[1] ?? null;
}

export interface SessionsRepo {
  /** Replaces the whole cache with a fresh sessions.list answer, in one transaction. */
  replaceAll(sessions: SessionInput[]): number;
  /** Most recently updated first. */
  list(): CachedSession[];
  get(key: string): CachedSession | undefined;
}

export function createSessionsRepo(db: Db, now: () => number): SessionsRepo {
  const COLUMNS = "key, agent_id, label, data, gateway_updated_at, cached_at";
  return {
    replaceAll(input) {
      const sessions = parseInput(sessionsInputSchema, input, "replace sessions") as SessionInput[];
      return db.transaction("replace sessions", () => {
        const at = now();
        db.run("replace sessions", "DELETE FROM sessions");
        for (const session of sessions) {
          db.run(
            "replace sessions",
            `INSERT INTO sessions (${COLUMNS}) VALUES (@key, @agent, @label, @data, @updated, @at)
             ON CONFLICT(key) DO UPDATE SET agent_id = excluded.agent_id, label = excluded.label, data = excluded.data,
               gateway_updated_at = excluded.gateway_updated_at, cached_at = excluded.cached_at`,
            {
              key: session.key,
              agent: agentIdOf(session),
              label: shortString(session.label, 200) ?? shortString(session.displayName, 200),
              data: JSON.stringify(session),
              updated: updatedAtMs(session.updatedAt),
              at,
            },
          );
        }
        db.notify({ type: "sessions.changed", count: sessions.length });
        return sessions.length;
      });
    },
    list() {
      return db
        .all<SessionRow>(
          "list sessions",
          `SELECT ${COLUMNS} FROM sessions ORDER BY gateway_updated_at DESC NULLS LAST, key`,
        )
        .map(toSession);
    },
    get(key) {
      const row = db.get<SessionRow>("get session", `SELECT ${COLUMNS} FROM sessions WHERE key = @key`, {
        key: String(key),
      });
      return row ? toSession(row) : undefined;
    },
  };
}
