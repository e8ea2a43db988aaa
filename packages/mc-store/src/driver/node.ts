import { createRequire } from "node:module";
import type { Driver, DriverOpenOptions, PreparedStatement, RunResult, SqlParams } from "./types.js";

interface BetterStatement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface BetterDatabase {
  exec(sql: string): void;
  prepare(sql: string): BetterStatement;
  close(): void;
  readonly inTransaction: boolean;
}
type BetterConstructor = new (
  path: string,
  options?: { readonly?: boolean; fileMustExist?: boolean },
) => BetterDatabase;

function args(params: SqlParams | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? [...params] : [params];
}

/** better-sqlite3, loaded on demand so Bun never needs its native addon. */
export function openNodeDriver(path: string, options: DriverOpenOptions = {}): Driver {
  const require = createRequire(import.meta.url);
  const Database = require("better-sqlite3") as BetterConstructor;
  const db = new Database(path, { readonly: options.readonly ?? false });
  const cache = new Map<string, PreparedStatement>();
  return {
    name: "better-sqlite3",
    path,
    exec: (sql) => db.exec(sql),
    prepare(sql) {
      let statement = cache.get(sql);
      if (!statement) {
        const raw = db.prepare(sql);
        statement = {
          run: (params) => raw.run(...args(params)),
          get: <T>(params?: SqlParams) => raw.get(...args(params)) as T | undefined,
          all: <T>(params?: SqlParams) => raw.all(...args(params)) as T[],
        };
        cache.set(sql, statement);
      }
      return statement;
    },
    get inTransaction() {
      return db.inTransaction;
    },
    close() {
      cache.clear();
      db.close();
    },
  };
}
