import { openBunDriver } from "./bun.js";
import { openNodeDriver } from "./node.js";
import type { Driver, DriverName, DriverOpenOptions } from "./types.js";

export function isBunRuntime(): boolean {
  return typeof (process.versions as Record<string, string | undefined>).bun === "string";
}

/** bun:sqlite under Bun, better-sqlite3 elsewhere, unless `driver` forces one. */
export function openDriver(path: string, options: DriverOpenOptions & { driver?: DriverName } = {}): Driver {
  const name = options.driver ?? (isBunRuntime() ? "bun:sqlite" : "better-sqlite3");
  return name === "bun:sqlite" ? openBunDriver(path, options) : openNodeDriver(path, options);
}

export type { Driver, DriverName, DriverOpenOptions, PreparedStatement, RunResult, SqlParams } from "./types.js";
