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

export type DriverName = "node:sqlite" | "bun:sqlite" | "better-sqlite3";

/**
 * The one interface the store uses, over the runtime's own SQLite (`node:sqlite` on
 * Node ≥ 22.13, `bun:sqlite` on Bun) or better-sqlite3 (older Node). Synchronous, like all
 * three. Errors are driver errors carrying a `code` such as SQLITE_BUSY; the store wraps them.
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

/** What a driver module adapts: one raw connection, before statement caching. */
export interface RawStatement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface RawConnection {
  exec(sql: string): void;
  prepare(sql: string): RawStatement;
  readonly inTransaction: boolean;
  close(): void;
}
