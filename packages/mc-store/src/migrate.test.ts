import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../tests/helpers.js";
import { openDriver } from "./driver/index.js";
import type { Driver } from "./driver/types.js";
import { migrate, readOpenState } from "./migrate.js";
import { SCHEMA_VERSION } from "./migrations/index.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshPath(): string {
  const dir = tempDir("mc-store-migrate-");
  dirs.push(dir);
  return join(dir, "mc.db");
}

/** `driver`, with `hook` run once, right after its first read of the schema version. */
function afterVersionRead(driver: Driver, hook: () => void): Driver {
  let fired = false;
  return new Proxy(driver, {
    get(target, prop) {
      if (prop !== "prepare") {
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (sql: string) => {
        const statement = target.prepare(sql);
        if (sql !== "PRAGMA user_version" || fired) return statement;
        return {
          ...statement,
          get: (...args: Parameters<typeof statement.get>) => {
            const row = statement.get(...args);
            fired = true;
            hook();
            return row;
          },
        };
      };
    },
  });
}

describe("readOpenState", () => {
  it("sees another process's migration of a brand-new file entirely or not at all", () => {
    // Measured in CI: the second of two processes opening a new file read version 0 before the
    // first committed its migration and the tables after, and refused the file as another
    // application's (FOREIGN_DATABASE). Here the other process migrates exactly between the reads.
    const path = freshPath();
    const other = openDriver(path);
    const ours = openDriver(path);
    try {
      other.exec("PRAGMA busy_timeout = 50");
      let otherMigrated = false;
      const state = readOpenState(
        afterVersionRead(ours, () => {
          try {
            migrate(other);
            otherMigrated = true;
          } catch {
            // Our read transaction holds it off: it retries after us, as a real process does.
          }
        }),
      );
      expect(state.version).toBe(0);
      expect(state.tables).toEqual([]);
      // Nothing was left open: the other process migrates now, and our next read sees it all.
      if (!otherMigrated) migrate(other);
      expect(ours.inTransaction).toBe(false);
      expect(readOpenState(ours)).toEqual({ version: SCHEMA_VERSION, tables: [] });
    } finally {
      ours.close();
      other.close();
    }
  });

  it("names the first tables of a file that has no schema version", () => {
    const path = freshPath();
    const driver = openDriver(path);
    try {
      driver.exec("CREATE TABLE tasks (id TEXT); CREATE TABLE agents (id TEXT)");
      expect(readOpenState(driver)).toEqual({ version: 0, tables: ["agents", "tasks"] });
      expect(driver.inTransaction).toBe(false);
    } finally {
      driver.close();
    }
  });
});
