/** Named parameters (`@name` in SQL, bound without the prefix) or positional ones. */
export type SqlParams = Record<string, unknown> | readonly unknown[];

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface PreparedStatement {
  run(params?: SqlParams): RunResult;
  get<T = Record<string, unknown>>(params?: SqlParams): T | undefined;
  all<T = Record<string, unknown>>(params?: SqlParams): T[];
}

export type DriverName = "better-sqlite3" | "bun:sqlite";

/**
 * The one interface the store uses, implemented over better-sqlite3 (Node) and
 * bun:sqlite (Bun). Synchronous, like both drivers. Errors are raw driver errors
 * carrying a `code` such as SQLITE_BUSY; the store wraps them.
 */
export interface Driver {
  readonly name: DriverName;
  readonly path: string;
  exec(sql: string): void;
  /** Statements are cached per SQL text. */
  prepare(sql: string): PreparedStatement;
  readonly inTransaction: boolean;
  close(): void;
}

export interface DriverOpenOptions {
  readonly?: boolean;
}
