import { openBetterSqlite3Driver } from "./better-sqlite3.js";
import { openBunDriver } from "./bun.js";
import { loadNodeSqlite, openNodeSqliteDriver } from "./node.js";
import type { Driver, DriverName, DriverOpenOptions } from "./types.js";

export function isBunRuntime(): boolean {
  return typeof (process.versions as Record<string, string | undefined>).bun === "string";
}

/** The runtime's own SQLite where it has one (bun:sqlite, node:sqlite), better-sqlite3 elsewhere. */
export function defaultDriverName(): DriverName {
  if (isBunRuntime()) return "bun:sqlite";
  return loadNodeSqlite() ? "node:sqlite" : "better-sqlite3";
}

/** Opens `path` with the default driver of this runtime, unless `driver` forces one. */
export function openDriver(path: string, options: DriverOpenOptions & { driver?: DriverName } = {}): Driver {
  const name = options.driver ?? defaultDriverName();
  if (name === "bun:sqlite") return openBunDriver(path, options);
  if (name === "node:sqlite") return openNodeSqliteDriver(path, options);
  return openBetterSqlite3Driver(path, options);
}

export type { Driver, DriverName, DriverOpenOptions, PreparedStatement, RunResult, SqlParams } from "./types.js";
