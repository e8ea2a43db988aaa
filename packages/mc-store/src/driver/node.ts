import { createRequire } from "node:module";
import { wrapConnection } from "./connection.js";
import type { Driver, DriverOpenOptions, RawStatement } from "./types.js";

interface NodeStatement extends RawStatement {
  setAllowUnknownNamedParameters?(enabled: boolean): void;
}
interface NodeDatabase {
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
  readonly isTransaction?: boolean;
}
type NodeConstructor = new (
  path: string,
  options?: { readOnly?: boolean; allowExtension?: boolean; enableForeignKeyConstraints?: boolean },
) => NodeDatabase;

/** The node:sqlite module, or undefined where this Node has none (20, 22.0–22.12 without a flag). */
export function loadNodeSqlite(): { DatabaseSync: NodeConstructor } | undefined {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  try {
    if (getBuiltin) return getBuiltin("node:sqlite") as { DatabaseSync: NodeConstructor } | undefined;
    return createRequire(import.meta.url)("node:sqlite") as { DatabaseSync: NodeConstructor };
  } catch {
    return undefined;
  }
}

// SQLite primary result codes (https://sqlite.org/rescode.html); extended codes keep them in the low byte.
const PRIMARY: Record<number, string> = {
  1: "SQLITE_ERROR",
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  15: "SQLITE_PROTOCOL",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  23: "SQLITE_AUTH",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
};
const EXTENDED: Record<number, string> = {
  275: "SQLITE_CONSTRAINT_CHECK",
  531: "SQLITE_CONSTRAINT_COMMITHOOK",
  787: "SQLITE_CONSTRAINT_FOREIGNKEY",
  1043: "SQLITE_CONSTRAINT_FUNCTION",
  1299: "SQLITE_CONSTRAINT_NOTNULL",
  1555: "SQLITE_CONSTRAINT_PRIMARYKEY",
  1811: "SQLITE_CONSTRAINT_TRIGGER",
  2067: "SQLITE_CONSTRAINT_UNIQUE",
  2323: "SQLITE_CONSTRAINT_VTAB",
  2579: "SQLITE_CONSTRAINT_ROWID",
  517: "SQLITE_BUSY_SNAPSHOT",
  261: "SQLITE_BUSY_RECOVERY",
  264: "SQLITE_READONLY_RECOVERY",
  520: "SQLITE_READONLY_CANTLOCK",
  776: "SQLITE_READONLY_DBMOVED",
  1032: "SQLITE_READONLY_DIRECTORY",
};

/** SQLITE_* name of a numeric (extended) result code, as better-sqlite3 and bun:sqlite report it. */
export function sqliteCodeName(errcode: number): string | undefined {
  return EXTENDED[errcode] ?? PRIMARY[errcode & 0xff];
}

/** node:sqlite throws ERR_SQLITE_ERROR with a numeric `errcode`; give it the SQLITE_* `code` the store reads. */
function normalizeNodeError(err: unknown): unknown {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  if (e && e.code === "ERR_SQLITE_ERROR" && typeof e.errcode === "number") {
    const name = sqliteCodeName(e.errcode);
    if (name) {
      Object.defineProperty(err, "code", { value: name, configurable: true, writable: true, enumerable: true });
    }
  }
  return err;
}

/** node:sqlite (Node ≥ 22.13 / 23.4, no flag): no native addon to build or load. */
export function openNodeSqliteDriver(path: string, options: DriverOpenOptions = {}): Driver {
  const sqlite = loadNodeSqlite();
  if (!sqlite) throw new Error(`node:sqlite is not available in Node ${process.versions.node}`);
  let db: NodeDatabase;
  try {
    // Foreign keys are switched on by the store itself (PRAGMA), as with the other drivers.
    db = new sqlite.DatabaseSync(path, { readOnly: options.readonly ?? false, enableForeignKeyConstraints: false });
  } catch (err) {
    throw normalizeNodeError(err);
  }
  return wrapConnection(
    "node:sqlite",
    path,
    {
      exec: (sql) => db.exec(sql),
      prepare(sql) {
        const statement = db.prepare(sql);
        // Like better-sqlite3 and bun:sqlite (strict): a named object may carry keys the SQL does not use.
        statement.setAllowUnknownNamedParameters?.(true);
        return statement;
      },
      get inTransaction() {
        return db.isTransaction ?? false;
      },
      close: () => db.close(),
    },
    normalizeNodeError,
  );
}
