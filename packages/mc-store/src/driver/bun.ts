import { createRequire } from "node:module";
import type { Driver, DriverOpenOptions, PreparedStatement, RunResult, SqlParams } from "./types.js";

interface BunStatement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface BunDatabase {
  exec(sql: string): void;
  prepare(sql: string): BunStatement;
  close(): void;
  readonly inTransaction: boolean;
}
type BunConstructor = new (
  path: string,
  options?: { readonly?: boolean; create?: boolean; readwrite?: boolean; strict?: boolean },
) => BunDatabase;

function args(params: SqlParams | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? [...params] : [params];
}

/** bun:sqlite, required lazily: the module only exists under Bun. */
export function openBunDriver(path: string, options: DriverOpenOptions = {}): Driver {
  const require = createRequire(import.meta.url);
  const { Database } = require("bun:sqlite") as { Database: BunConstructor };
  // strict: named parameters bind without their prefix and a missing one throws, as in better-sqlite3.
  const db = options.readonly
    ? new Database(path, { readonly: true, strict: true })
    : new Database(path, { create: true, readwrite: true, strict: true });
  const cache = new Map<string, PreparedStatement>();
  return {
    name: "bun:sqlite",
    path,
    exec: (sql) => db.exec(sql),
    prepare(sql) {
      let statement = cache.get(sql);
      if (!statement) {
        const raw = db.prepare(sql);
        statement = {
          run: (params) => raw.run(...args(params)),
          // bun:sqlite answers null for "no row"; the interface says undefined.
          get: <T>(params?: SqlParams) => (raw.get(...args(params)) ?? undefined) as T | undefined,
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
