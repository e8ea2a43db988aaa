import type { Driver } from "./driver/index.js";
import { StoreError, wrapDriverError } from "./errors.js";
import { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations/index.js";

export function readSchemaVersion(driver: Driver): number {
  const row = driver.prepare("PRAGMA user_version").get<{ user_version: number }>();
  return Number(row?.user_version ?? 0);
}

/** What a file holds before mc-store touches it: its schema version and, at version 0, its first tables. */
export interface OpenState {
  version: number;
  tables: string[];
}

/**
 * Reads the schema version and (at version 0) the file's first tables in one read transaction.
 * Read apart, another process migrating the same brand-new file between the two reads would make
 * it look like another application's database: version 0 from before its commit, tables from after.
 */
export function readOpenState(driver: Driver): OpenState {
  driver.exec("BEGIN");
  try {
    const version = readSchemaVersion(driver);
    const tables =
      version !== 0
        ? []
        : driver
            .prepare(
              "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 5",
            )
            .all<{ name: string }>()
            .map((row) => row.name);
    return { version, tables };
  } finally {
    // A read transaction: ending it writes nothing, so a newer database stays byte-identical.
    if (driver.inTransaction) driver.exec("COMMIT");
  }
}

export interface MigrateOptions {
  /** Stop at this version (tests build databases of earlier versions with it). */
  target?: number;
  migrations?: readonly Migration[];
}

/**
 * Applies pending migrations, each in its own BEGIN IMMEDIATE transaction that
 * re-reads user_version first, so two processes opening the same new file at
 * once apply each migration exactly once. Returns the versions applied here.
 */
export function migrate(driver: Driver, options: MigrateOptions = {}): number[] {
  const migrations = options.migrations ?? MIGRATIONS;
  const target = options.target ?? migrations[migrations.length - 1]?.version ?? SCHEMA_VERSION;
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version > target) break;
    let began = false;
    try {
      if (readSchemaVersion(driver) >= migration.version) continue;
      driver.exec("BEGIN IMMEDIATE");
      began = true;
      if (readSchemaVersion(driver) < migration.version) {
        driver.exec(migration.sql);
        driver.exec(`PRAGMA user_version = ${migration.version}`);
        applied.push(migration.version);
      }
      driver.exec("COMMIT");
    } catch (err) {
      if (began) {
        try {
          if (driver.inTransaction) driver.exec("ROLLBACK");
        } catch {
          // Keep the migration error.
        }
      }
      const wrapped = wrapDriverError(err, `migration ${migration.version} (${migration.name})`);
      throw new StoreError("MIGRATION_FAILED", {
        subject: `migration ${migration.version} (${migration.name})`,
        operation: "migrate",
        reason:
          `${wrapped.code === "BUSY" ? "the database stayed locked" : "it failed"} ` +
          `(${wrapped.sqliteCode ?? wrapped.code}); it was rolled back and the database stays at version ${safeVersion(driver)}`,
        fix:
          wrapped.code === "BUSY"
            ? "stop other processes holding long transactions on this database and retry"
            : "restore the database from a backup or report the bug with the cause attached",
        cause: err,
        schemaVersion: migration.version,
        sqliteCode: wrapped.sqliteCode,
      });
    }
  }
  return applied;
}

function safeVersion(driver: Driver): number | string {
  try {
    return readSchemaVersion(driver);
  } catch {
    return "unknown";
  }
}
