import type { Db } from "./db.js";
import { gatewayRecordSchema, historyListSchema, parseInput } from "./schemas.js";
import { iso } from "./time.js";
import type { GatewayHistoryEntry } from "./types.js";

/** The table keeps the newest entries only; a flapping connection must not fill the disk. */
export const GATEWAY_HISTORY_KEEP = 10_000;

interface HistoryRow {
  id: number;
  state: string;
  code: string | null;
  detail_code: string | null;
  message: string | null;
  at: number;
}

const toEntry = (row: HistoryRow): GatewayHistoryEntry => ({
  id: row.id,
  state: row.state,
  code: row.code,
  detailCode: row.detail_code,
  message: row.message,
  at: iso(row.at),
});

export interface GatewayHistoryRepo {
  /** Records a connection state change or error (codes from GatewayError). */
  record(entry: {
    state: string;
    code?: string | null;
    detailCode?: string | null;
    message?: string | null;
  }): GatewayHistoryEntry;
  /** Newest first; default 100. */
  list(options?: { limit?: number }): GatewayHistoryEntry[];
}

export function createGatewayHistoryRepo(db: Db, now: () => number): GatewayHistoryRepo {
  return {
    record(input) {
      const data = parseInput(gatewayRecordSchema, input, "record gateway state");
      return db.transaction("record gateway state", () => {
        const at = now();
        const result = db.run(
          "record gateway state",
          "INSERT INTO gateway_history (state, code, detail_code, message, at) VALUES (@state, @code, @detail, @message, @at)",
          {
            state: data.state,
            code: data.code ?? null,
            detail: data.detailCode ?? null,
            message: data.message ?? null,
            at,
          },
        );
        const id = Number(result.lastInsertRowid);
        if (id % 100 === 0)
          db.run("record gateway state", "DELETE FROM gateway_history WHERE id <= @cut", {
            cut: id - GATEWAY_HISTORY_KEEP,
          });
        const entry = toEntry({
          id,
          state: data.state,
          code: data.code ?? null,
          detail_code: data.detailCode ?? null,
          message: data.message ?? null,
          at,
        });
        db.notify({ type: "gateway.recorded", entry });
        return entry;
      });
    },
    list(options) {
      const limit = parseInput(historyListSchema, options, "list gateway history")?.limit ?? 100;
      return db
        .all<HistoryRow>(
          "list gateway history",
          "SELECT id, state, code, detail_code, message, at FROM gateway_history ORDER BY id DESC LIMIT @limit",
          { limit },
        )
        .map(toEntry);
    },
  };
}
