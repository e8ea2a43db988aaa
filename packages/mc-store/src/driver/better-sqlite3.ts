import { createRequire } from "node:module";
import { StoreError } from "../errors.js";
import { wrapConnection } from "./connection.js";
import type { Driver, DriverOpenOptions, RawConnection } from "./types.js";

type BetterConstructor = new (path: string, options?: { readonly?: boolean }) => RawConnection;

function unavailable(what: string, err: unknown): StoreError {
  const detail =
    (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message.split("\n")[0] : String(err));
  return new StoreError("DRIVER_UNAVAILABLE", {
    subject: "better-sqlite3",
    reason: `Node ${process.versions.node} has no node:sqlite and ${what} (${detail})`,
    fix:
      "run on Node >= 22.13 (its built-in node:sqlite needs nothing installed), or `npm install " +
      "better-sqlite3@12` next to @missionctl/mc-store for this Node (`npm rebuild better-sqlite3` after changing Node)",
    cause: err,
  });
}

/**
 * better-sqlite3, for Node releases without node:sqlite (Node 20, 22.0–22.12). It is an
 * optional peer dependency: a runtime with its own SQLite never installs or compiles it.
 */
export function openBetterSqlite3Driver(path: string, options: DriverOpenOptions = {}): Driver {
  const require = createRequire(import.meta.url);
  let Database: BetterConstructor;
  try {
    Database = require("better-sqlite3") as BetterConstructor;
  } catch (err) {
    throw unavailable("better-sqlite3 is not installed", err);
  }
  let db: RawConnection;
  try {
    db = new Database(path, { readonly: options.readonly ?? false });
  } catch (err) {
    // The native addon loads on first use: a build for another Node ABI fails here, not at require().
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("SQLITE_")) throw err;
    throw unavailable("better-sqlite3's native module could not be loaded", err);
  }
  return wrapConnection("better-sqlite3", path, db);
}
