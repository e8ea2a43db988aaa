import type { Db } from "./db.js";
import { StoreError } from "./errors.js";
import { agentInputSchema, agentsInputSchema, agentsListSchema, idSchema, LIMITS, parseInput } from "./schemas.js";
import { iso, isoOrNull, toMs } from "./time.js";
import type { Agent } from "./types.js";

export interface AgentInput {
  id: string;
  name?: string | null;
  emoji?: string | null;
  avatar?: string | null;
  workspace?: string | null;
  status?: string | null;
  /** The agent's primary model ("provider/model"). */
  model?: string | null;
  /** Defaults to now: an agent in agents.list was seen now. */
  lastSeenAt?: number | string | null;
}

interface AgentRow {
  id: string;
  name: string | null;
  emoji: string | null;
  avatar: string | null;
  workspace: string | null;
  status: string;
  model: string | null;
  last_seen_at: number | null;
  created_at: number;
  updated_at: number;
}

const AGENT_COLUMNS = "id, name, emoji, avatar, workspace, status, model, last_seen_at, created_at, updated_at";

function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    name: row.name,
    emoji: row.emoji,
    avatar: row.avatar,
    workspace: row.workspace,
    status: row.status,
    model: row.model,
    lastSeenAt: isoOrNull(row.last_seen_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export interface RejectedAgent {
  /** Position in the input list. */
  index: number;
  /** The agent's id when it had a usable one. */
  id: string | null;
  /** Which fields broke which rule, e.g. "emoji must be at most 32 characters". */
  reason: string;
}

export interface AgentsRepo {
  /**
   * Inserts or updates agents (e.g. from the gateway's agents.list) in one transaction.
   * A field left undefined keeps its stored value; null clears it. Agents are never
   * deleted: tasks keep pointing at them.
   */
  upsertMany(agents: AgentInput[]): Agent[];
  /**
   * Like upsertMany for a list from outside (the gateway's agents.list): agents that break a
   * rule are left out and reported, the others are written in one transaction.
   */
  upsertValid(agents: unknown[]): { saved: Agent[]; rejected: RejectedAgent[] };
  list(): Agent[];
  /** Throws AGENT_NOT_FOUND. */
  get(id: string): Agent;
}

export function createAgentsRepo(db: Db, now: () => number): AgentsRepo {
  const write = (agents: AgentInput[]): Agent[] =>
    db.transaction("upsert agents", () => {
      const at = now();
      const saved: Agent[] = [];
      for (const agent of agents) {
        const existing = db.get<AgentRow>("upsert agents", `SELECT ${AGENT_COLUMNS} FROM agents WHERE id = @id`, {
          id: agent.id,
        });
        const pick = <K extends "name" | "emoji" | "avatar" | "workspace" | "model">(key: K): string | null =>
          agent[key] === undefined ? (existing?.[key] ?? null) : (agent[key] ?? null);
        const row: AgentRow = {
          id: agent.id,
          name: pick("name"),
          emoji: pick("emoji"),
          avatar: pick("avatar"),
          workspace: pick("workspace"),
          status: agent.status ?? existing?.status ?? "unknown",
          model: pick("model"),
          last_seen_at: agent.lastSeenAt === null ? null : agent.lastSeenAt === undefined ? at : toMs(agent.lastSeenAt),
          created_at: existing?.created_at ?? at,
          updated_at: at,
        };
        db.run(
          "upsert agents",
          `INSERT INTO agents (${AGENT_COLUMNS})
             VALUES (@id, @name, @emoji, @avatar, @workspace, @status, @model, @last_seen_at, @created_at, @updated_at)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, emoji = excluded.emoji, avatar = excluded.avatar,
               workspace = excluded.workspace, status = excluded.status, model = excluded.model,
               last_seen_at = excluded.last_seen_at, updated_at = excluded.updated_at`,
          { ...row },
        );
        saved.push(toAgent(row));
      }
      if (saved.length > 0) db.notify({ type: "agents.changed", ids: saved.map((agent) => agent.id) });
      return saved;
    });

  return {
    upsertMany(input) {
      return write(parseInput(agentsInputSchema, input, "upsert agents"));
    },

    upsertValid(input) {
      const list = parseInput(agentsListSchema, input, "upsert agents");
      const valid: AgentInput[] = [];
      const rejected: RejectedAgent[] = [];
      list.forEach((item, index) => {
        const r = agentInputSchema.safeParse(item);
        if (r.success) valid.push(r.data);
        else {
          const id = (item as { id?: unknown } | null)?.id;
          rejected.push({
            index,
            id: typeof id === "string" ? id.slice(0, LIMITS.id) : null,
            reason: r.error.issues.map((i) => `${i.path.map(String).join(".") || "(agent)"} ${i.message}`).join("; "),
          });
        }
      });
      return { saved: valid.length > 0 ? write(valid) : [], rejected };
    },

    list() {
      return db
        .all<AgentRow>("list agents", `SELECT ${AGENT_COLUMNS} FROM agents ORDER BY COALESCE(name, id), id`)
        .map(toAgent);
    },

    get(id) {
      const agentId = parseInput(idSchema, id, "get agent");
      const row = db.get<AgentRow>("get agent", `SELECT ${AGENT_COLUMNS} FROM agents WHERE id = @id`, { id: agentId });
      if (!row) {
        throw new StoreError("AGENT_NOT_FOUND", {
          subject: `agent ${agentId}`,
          operation: "get agent",
          agentId,
          reason: "no agent has this id",
          fix: "sync agents from the gateway (agents.list) first",
        });
      }
      return toAgent(row);
    },
  };
}
