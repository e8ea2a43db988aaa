import { createRequire } from "node:module";
import { wrapConnection } from "./connection.js";
import type { Driver, DriverOpenOptions, RawStatement } from "./types.js";

interface BunDatabase {
  exec(sql: string): void;
  prepare(sql: string): RawStatement;
  close(): void;
  readonly inTransaction: boolean;
}
type BunConstructor = new (
  path: string,
  options?: { readonly?: boolean; create?: boolean; readwrite?: boolean; strict?: boolean },
) => BunDatabase;

/** bun:sqlite, required lazily: the module only exists under Bun. Its errors already carry SQLITE_* codes. */
export function openBunDriver(path: string, options: DriverOpenOptions = {}): Driver {
  const require = createRequire(import.meta.url);
  const { Database } = require("bun:sqlite") as { Database: BunConstructor };
  // strict: named parameters bind without their prefix and a missing one throws, as in the other drivers.
  const db = options.readonly
    ? new Database(path, { readonly: true, strict: true })
    : new Database(path, { create: true, readwrite: true, strict: true });
  return wrapConnection("bun:sqlite", path, db);
}
